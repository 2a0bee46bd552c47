"""``save()``: copies of files kept with the run, shipped as content-addressed blobs.

Names follow wandb: a relative glob keeps its path relative to the working directory
(``save("ckpt/*.pt")`` -> ``ckpt/a.pt``); an absolute glob, or one reaching outside the
working directory, is named relative to its own folder; ``base_path`` overrides both.
A name never contains ``..`` and is never absolute, so nothing escapes ``files/``.

Policies: ``"now"`` copies once; ``"end"`` copies at ``finish``; ``"live"`` copies now
and again at ``finish`` when the file changed.
"""

from __future__ import annotations

import glob
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal

from epochal.sdk.run_folder import RunFolder
from epochal.wire import limits

logger = logging.getLogger(__name__)

Policy = Literal["live", "now", "end"]
POLICIES: tuple[Policy, ...] = ("live", "now", "end")

FileSink = Callable[[str, str, int, str], None]
"""Writes a FileSaved record: ``(name, sha256, size, policy)``."""

_WILDCARDS = frozenset("*?[")


@dataclass(frozen=True)
class _Watch:
    pattern: str
    base: Path
    policy: Policy


class FileSaver:
    def __init__(self, folder: RunFolder | None, sink: FileSink) -> None:
        self._folder = folder
        self._sink = sink
        self._saved: dict[str, str] = {}
        """Run-relative name -> sha256 of the copy in ``files/``."""
        self._watches: list[_Watch] = []

    def save(
        self, glob_str: str | os.PathLike[str], base_path: str | os.PathLike[str] | None, policy: str
    ) -> list[str]:
        """Copy matching files now (unless ``policy == "end"``); return their run-relative names."""
        if policy not in POLICIES:
            raise ValueError(f"save(): policy must be one of {POLICIES}, not {policy!r}")
        pattern = os.fspath(glob_str)
        if not pattern:
            raise ValueError("save(): the glob must not be empty")
        base = _base_folder(pattern, base_path)
        watch = _Watch(pattern=str(Path(pattern).expanduser().absolute()), base=base, policy=policy)
        if policy != "now":
            self._watches.append(watch)
        if policy == "end":
            return [name for _, name in self._matches(watch)]
        names = self._copy_matches(watch)
        if not names:
            logger.warning("save(%r): no file matches yet", pattern)
        return names

    def finish(self) -> None:
        """Copy ``end`` files and ``live`` files that changed since they were saved."""
        for watch in self._watches:
            self._copy_matches(watch)

    def _matches(self, watch: _Watch) -> list[tuple[Path, str]]:
        found = []
        for match in sorted(glob.glob(watch.pattern, recursive=True)):  # noqa: PTH207 - absolute patterns
            path = Path(match)
            if path.is_file():
                found.append((path, _relative_name(path, watch.base)))
        return found

    def _copy_matches(self, watch: _Watch) -> list[str]:
        names = []
        for path, name in self._matches(watch):
            self._copy(path, name, watch.policy)
            names.append(name)
        return names

    def _copy(self, source: Path, name: str, policy: str) -> None:
        if self._folder is None:
            return
        target = self._folder.files_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        import hashlib  # here, not at import: it loads OpenSSL (~4 MB) into every training process

        digest = hashlib.sha256()
        size = 0
        with source.open("rb") as src, tmp.open("wb") as dst:
            while chunk := src.read(1 << 20):
                digest.update(chunk)
                dst.write(chunk)
                size += len(chunk)
        sha = digest.hexdigest()
        previous = self._saved.get(name)
        if previous == sha:
            tmp.unlink()
            return
        if previous is not None and target.exists():
            # the shipper may not have sent the older version yet: keep it by its hash
            self._folder.blobs_dir.mkdir(exist_ok=True)
            target.replace(self._folder.blobs_dir / previous)
        tmp.replace(target)
        self._saved[name] = sha
        self._sink(name, sha, size, policy)


def _base_folder(pattern: str, base_path: str | os.PathLike[str] | None) -> Path:
    if base_path is not None:
        return Path(base_path).expanduser().absolute()
    path = Path(pattern).expanduser()
    if not path.is_absolute() and ".." not in path.parts:
        return Path.cwd()
    fixed = []
    for part in path.parts:
        if _WILDCARDS & set(part):
            break
        fixed.append(part)
    folder = Path(*fixed).absolute() if fixed else Path.cwd()
    return folder if fixed and fixed != list(path.parts) else folder.parent


def _relative_name(path: Path, base: Path) -> str:
    absolute = Path(os.path.normpath(path.absolute()))
    try:
        relative = absolute.relative_to(Path(os.path.normpath(base)))
    except ValueError:
        relative = Path(absolute.name)  # outside the base: keep only the file name
    name = PurePosixPath(*relative.parts).as_posix()
    if len(name) > limits.MAX_FILE_PATH_LENGTH:
        raise ValueError(f"save(): file name {name[:60]!r}... is longer than {limits.MAX_FILE_PATH_LENGTH} characters")
    return name
