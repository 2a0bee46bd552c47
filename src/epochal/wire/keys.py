"""Rules for metric keys and names, and the flattening of nested rows."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from epochal.wire import limits

STEP_KEY: Final = "_step"
TIMESTAMP_KEY: Final = "_timestamp"
RUNTIME_KEY: Final = "_runtime"
RESERVED_KEYS: Final = frozenset({STEP_KEY, TIMESTAMP_KEY, RUNTIME_KEY})
SEPARATOR: Final = "."

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")


class InvalidKeyError(ValueError):
    """A key or name breaks the rules; the message names the key and the rule."""


def check_key(key: object) -> str:
    """Return ``key`` if it is a valid metric/config key, else raise :class:`InvalidKeyError`."""
    if not isinstance(key, str):
        raise InvalidKeyError(f"keys must be strings, got {type(key).__name__} {key!r}")
    if not key:
        raise InvalidKeyError("keys must not be empty")
    if len(key) > limits.MAX_KEY_LENGTH:
        raise InvalidKeyError(f"key {key[:40]!r}... is longer than {limits.MAX_KEY_LENGTH} characters")
    if "\x00" in key:
        raise InvalidKeyError(f"key {key!r} contains a NUL character")
    return key


def check_name(value: str, what: str, max_length: int) -> str:
    """Validate a project name or run id: letters, digits, ``_ . -``; bounded length."""
    if not isinstance(value, str) or not _NAME_RE.match(value) or len(value) > max_length:
        raise InvalidKeyError(
            f"{what} {value!r} is invalid: use 1-{max_length} letters, digits, '_', '.' or '-',"
            " starting with a letter or digit"
        )
    return value


# Keys already found valid. Training loops send the same keys on every row, so checking
# each distinct key once (instead of once per row) removes most of the cost of flattening.
# Bounded so that a stream of ever-new keys cannot grow it without limit.
_VALID_KEYS: set[str] = set()
_VALID_KEYS_MAX: Final = 65_536


def check_keys(keys: Iterable[object]) -> None:
    """:func:`check_key` for each key, remembering the valid ones."""
    for key in keys:
        if key not in _VALID_KEYS:
            check_key(key)
            if len(_VALID_KEYS) >= _VALID_KEYS_MAX:
                _VALID_KEYS.clear()
            _VALID_KEYS.add(key)  # type: ignore[arg-type]  # check_key proved it a str


def is_nesting(value: object) -> bool:
    """True for a dict that flattens into dotted keys (not a ``_type`` media reference)."""
    return isinstance(value, Mapping) and "_type" not in value


def flatten(row: Mapping[Any, Any], prefix: str = "", depth: int = 0) -> dict[str, Any]:
    """Flatten nested dicts to dotted keys (``{"a": {"b": 1}}`` -> ``{"a.b": 1}``).

    Dicts carrying a ``_type`` (media references) are values, not nesting. Integer keys of
    nested dicts become their decimal strings (``{"acc": {0: 0.9}}`` -> ``acc.0``), as JSON,
    and so wandb, writes them; top-level keys must be strings.
    """
    if depth > limits.MAX_NESTING_DEPTH:
        raise InvalidKeyError(f"value nested deeper than {limits.MAX_NESTING_DEPTH} levels at {prefix!r}")
    if prefix and int in map(type, row):
        row = {str(key) if type(key) is int else key: value for key, value in row.items()}
    if not _VALID_KEYS.issuperset(row):
        check_keys(row)
    if not prefix and not any(issubclass(kind, Mapping) for kind in set(map(type, row.values()))):
        return dict(row)  # already flat: the common case, without a per-key Python loop
    flat: dict[str, Any] = {}
    for key, value in row.items():
        name = f"{prefix}{SEPARATOR}{key}" if prefix else key
        if is_nesting(value):
            flat.update(flatten(value, name, depth + 1))
        else:
            flat[name] = value
    return flat
