"""The run folder: ``<dir>/epochal/run-<YYYYmmdd_HHMMSS>-<id>/`` and what lives in it.

::

    run.epochal    the append-only log of framed records (the shipper's queue)
    upload.json    which stream this folder is and how far the server has acknowledged it
    files/         copies of files given to save(), under their run-relative names
    media/         PNGs of logged images, named by content hash
    blobs/         earlier versions of re-saved files not yet shipped, named by sha256
    debug.log      the SDK's log lines for this run
    refused.jsonl  records the server refused for their content (one JSON line each, with why)
    synced         present once every record has been acknowledged (``epochal sync``)

The folder itself is ``flock``-ed by the process writing or syncing it, so a background
sync never works on a folder a live run (or another sync) is still using.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import msgspec

from epochal.sdk.errors import EpochalError

LOG_NAME = "run.epochal"
UPLOAD_STATE_NAME = "upload.json"
REFUSED_NAME = "refused.jsonl"
SYNCED_MARKER = "synced"
FOLDER_PREFIX = "run-"
_PLAIN_STREAM_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}")


class FolderInUseError(EpochalError):
    """Another process (or another handle in this one) holds the run folder."""


class Refusal(msgspec.Struct):
    """One line of ``refused.jsonl``: a record the server would not store, and why."""

    seq: int
    status: int
    code: str
    reason: str
    t: float


class UploadState(msgspec.Struct):
    """Where a folder's stream stands on the server; rewritten atomically after each ack."""

    stream_id: str
    entity: str
    project: str
    run_id: str
    acked_seq: int = 0
    acked_offset: int = 0


@dataclass(frozen=True)
class RunFolder:
    path: Path

    @classmethod
    def create(cls, root: Path, run_id: str, started: float) -> RunFolder:
        """Make a new, never-used folder: a folder is one stream, so it is never reused."""
        stamp = time.strftime("%Y%m%d_%H%M%S", time.localtime(started))
        parent = root / "epochal"
        parent.mkdir(parents=True, exist_ok=True)
        name = f"{FOLDER_PREFIX}{stamp}-{run_id}"
        for attempt in range(2, 1000):
            try:
                (parent / name).mkdir()
                break
            except FileExistsError:
                name = f"{FOLDER_PREFIX}{stamp}-{run_id}-{attempt}"
        folder = cls(parent / name)
        for sub in (folder.files_dir, folder.media_dir):
            sub.mkdir(exist_ok=True)
        return folder

    @property
    def stream_id(self) -> str:
        """The server-side stream this folder's records belong to, derived from the folder's
        unique name so that losing ``upload.json`` can never make a sync send records twice.

        The name itself when it is a valid stream id (always, for folders ``create`` makes);
        otherwise a hash of it (``hashlib`` is imported only then: it loads OpenSSL, ~4 MB).
        """
        name = self.path.name
        if _PLAIN_STREAM_NAME.fullmatch(name):
            return "f" + name
        import hashlib

        return "f" + hashlib.sha256(name.encode()).hexdigest()[:31]

    @property
    def log_path(self) -> Path:
        return self.path / LOG_NAME

    @property
    def files_dir(self) -> Path:
        return self.path / "files"

    @property
    def media_dir(self) -> Path:
        return self.path / "media"

    @property
    def blobs_dir(self) -> Path:
        return self.path / "blobs"

    @property
    def debug_log_path(self) -> Path:
        return self.path / "debug.log"

    @property
    def is_synced(self) -> bool:
        return (self.path / SYNCED_MARKER).exists()

    def mark_synced(self) -> None:
        (self.path / SYNCED_MARKER).write_text(f"{time.time()}\n", encoding="utf-8")

    @property
    def refused_path(self) -> Path:
        return self.path / REFUSED_NAME

    def note_refusal(self, *, seq: int, status: int, code: str, reason: str) -> None:
        line = msgspec.json.encode(Refusal(seq=seq, status=status, code=code, reason=reason[:2000], t=time.time()))
        with self.refused_path.open("ab") as out:
            out.write(line + b"\n")

    def read_refusals(self) -> list[Refusal]:
        if not self.refused_path.is_file():
            return []
        lines = self.refused_path.read_bytes().splitlines()
        return [msgspec.json.decode(line, type=Refusal) for line in lines if line.strip()]

    def lock(self) -> int:
        """Take the folder's exclusive lock without waiting; return the fd to pass to ``unlock``.

        Raises ``FolderInUseError`` when it is held. The lock dies with the process, so a
        killed run's folder is free for ``epochal sync`` at once.
        """
        fd = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise FolderInUseError(f"{self.path} is in use by a running process") from None
            raise
        return fd

    @staticmethod
    def unlock(fd: int) -> None:
        os.close(fd)  # closing the descriptor releases the flock

    def read_upload_state(self) -> UploadState | None:
        try:
            return msgspec.json.decode((self.path / UPLOAD_STATE_NAME).read_bytes(), type=UploadState)
        except (OSError, msgspec.DecodeError):
            return None

    def write_upload_state(self, state: UploadState) -> None:
        target = self.path / UPLOAD_STATE_NAME
        tmp = target.with_name(f".{UPLOAD_STATE_NAME}.{os.getpid()}.tmp")
        tmp.write_bytes(msgspec.json.encode(state))
        tmp.replace(target)


def find_run_folders(root: Path | str) -> list[RunFolder]:
    """Run folders under ``root``: ``root`` itself, ``root/run-*`` or ``root/epochal/run-*``, oldest first."""
    base = Path(root)
    if (base / LOG_NAME).is_file():
        return [RunFolder(base)]
    found: list[RunFolder] = []
    for parent in (base, base / "epochal"):
        found.extend(RunFolder(p) for p in _run_dirs(parent))
    return sorted(found, key=lambda folder: folder.path.name)


def _run_dirs(parent: Path) -> Iterator[Path]:
    if not parent.is_dir():
        return
    for child in parent.iterdir():
        if child.name.startswith(FOLDER_PREFIX) and (child / LOG_NAME).is_file():
            yield child
