"""The rule for names of saved files (``FileSaved.path``): relative POSIX paths, nothing else.

A name is later shown in the UI, offered as a download and may be written to a user's disk by
``epochal export``; refusing traversal here keeps every one of those places safe.
"""

from __future__ import annotations

import re

from epochal.wire import limits

_DRIVE_RE = re.compile(r"^[A-Za-z]:")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


class InvalidPathError(ValueError):
    """The file name breaks the rule; the message says which part."""


def check_file_path(path: str) -> str:
    """``path`` when it is a safe relative name, else InvalidPathError naming the problem."""
    if not path or len(path) > limits.MAX_FILE_PATH_LENGTH:
        raise InvalidPathError(f"file path must be 1-{limits.MAX_FILE_PATH_LENGTH} characters")
    if _CONTROL_RE.search(path):
        raise InvalidPathError(f"file path {path[:80]!r} contains NUL or a control character")
    if "\\" in path:
        raise InvalidPathError(f"file path {path[:80]!r} contains a backslash; use '/'")
    if path.startswith("/") or _DRIVE_RE.match(path):
        raise InvalidPathError(f"file path {path[:80]!r} is absolute; it must be relative to the run")
    if any(part in ("", ".", "..") for part in path.split("/")):
        raise InvalidPathError(f"file path {path[:80]!r} has an empty, '.' or '..' part")
    return path
