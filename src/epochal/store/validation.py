"""Checks on incoming records that the store enforces itself (the server checks too).

Every failure raises InvalidRecord naming the field and the rule, before anything of
the batch is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from epochal.store.base import InvalidRecord
from epochal.wire import limits
from epochal.wire.keys import InvalidKeyError, check_name, flatten
from epochal.wire.paths import InvalidPathError, check_file_path

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_STREAM_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def check_sha256(sha256: object) -> str:
    """A blob name: 64 lowercase hex digits (never a path)."""
    if not isinstance(sha256, str) or not _SHA256_RE.match(sha256):
        raise InvalidRecord(f"sha256 must be 64 lowercase hex digits, got {str(sha256)[:80]!r}")
    return sha256


def check_stream_id(stream_id: str) -> None:
    if not _STREAM_ID_RE.match(stream_id):
        raise InvalidRecord(f"stream id {stream_id[:80]!r} is invalid: use 1-64 letters, digits, '_' or '-'")


def check_names(entity: str, project: str, run_id: str) -> None:
    try:
        check_name(entity, "entity", limits.MAX_PROJECT_NAME_LENGTH)
        check_name(project, "project", limits.MAX_PROJECT_NAME_LENGTH)
        check_name(run_id, "run id", limits.MAX_RUN_ID_LENGTH)
    except InvalidKeyError as exc:
        raise InvalidRecord(str(exc)) from exc


def check_run_name(name: str) -> str:
    if not name or len(name) > limits.MAX_RUN_NAME_LENGTH:
        raise InvalidRecord(f"run name must be 1-{limits.MAX_RUN_NAME_LENGTH} characters")
    return name


def check_tags(tags: list[str]) -> list[str]:
    if len(tags) > limits.MAX_TAGS:
        raise InvalidRecord(f"a run has at most {limits.MAX_TAGS} tags, got {len(tags)}")
    for tag in tags:
        if not tag or len(tag) > limits.MAX_TAG_LENGTH:
            raise InvalidRecord(f"tag {tag[:40]!r} must be 1-{limits.MAX_TAG_LENGTH} characters")
    return list(dict.fromkeys(tags))


def check_notes(notes: str) -> str:
    if len(notes.encode()) > limits.MAX_NOTES_BYTES:
        raise InvalidRecord(f"notes are longer than {limits.MAX_NOTES_BYTES} bytes")
    return notes


def check_path(path: str) -> str:
    """A saved file's name: the wire rule (relative, no traversal, no NUL or backslash)."""
    try:
        return check_file_path(path)
    except InvalidPathError as exc:
        raise InvalidRecord(str(exc)) from exc


def check_step(step: int) -> int:
    if not 0 <= step <= INT64_MAX:
        raise InvalidRecord(f"step {step} is outside 0..2^63-1")
    return step


def flatten_checked(values: Mapping[str, Any], what: str) -> dict[str, Any]:
    """Flatten a row/config/summary, enforcing the key, depth, count and string limits."""
    try:
        flat = flatten(values)
    except InvalidKeyError as exc:
        raise InvalidRecord(f"{what}: {exc}") from exc
    if len(flat) > limits.MAX_KEYS_PER_ROW:
        raise InvalidRecord(f"{what} has {len(flat)} keys, more than {limits.MAX_KEYS_PER_ROW}")
    if has_strings(flat.values()):
        for key, value in flat.items():
            check_string(value, key, what)
    return flat


def has_strings(values: Iterable[Any]) -> bool:
    """Whether any value is a str: one pass over the distinct types, not per value in Python."""
    return any(issubclass(kind, str) for kind in set(map(type, values)))


def check_string(value: Any, key: str, what: str) -> None:
    """The string-length limit (checked on the length first: ``encode`` copies)."""
    if (
        isinstance(value, str)
        and len(value) > limits.MAX_STRING_VALUE_BYTES // 4
        and (len(value.encode()) > limits.MAX_STRING_VALUE_BYTES)
    ):
        raise InvalidRecord(f"{what}: value of {key!r} is longer than {limits.MAX_STRING_VALUE_BYTES} bytes")


def is_scalar(value: Any) -> bool:
    """True for values stored as series points: bools, int64-range ints, floats."""
    if isinstance(value, bool | float):
        return True
    return isinstance(value, int) and INT64_MIN <= value <= INT64_MAX
