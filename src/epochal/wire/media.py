"""How media objects appear inside history rows and summaries.

A logged ``Image`` becomes a small dict ``{"_type": "image-file", "sha256": ..., ...}``
in the row; the PNG itself travels as a blob (see ``records.MediaSaved``).
"""

from __future__ import annotations

from typing import Any, Final

IMAGE_TYPE: Final = "image-file"
TYPE_FIELD: Final = "_type"


def is_media_ref(value: Any) -> bool:
    """True when ``value`` is a media reference dict inside a history row."""
    return isinstance(value, dict) and value.get(TYPE_FIELD) == IMAGE_TYPE


def media_refs(value: Any) -> list[dict[str, Any]]:
    """The media reference dicts in a row value: one, a list of them, or none."""
    if is_media_ref(value):
        return [value]
    if isinstance(value, list) and value and all(is_media_ref(v) for v in value):
        return list(value)
    return []
