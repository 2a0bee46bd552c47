"""Blobs in a local folder: ``root/ab/cd/<sha256>``, written atomically and verified.

A blob is streamed to a temporary file in its final folder while its sha256 and size
are checked, fsynced, then renamed into place (and the folder fsynced), so a crash
leaves either the whole verified blob or nothing under its name. Storing a blob that
exists is a no-op.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from epochal.store.base import InvalidRecord, NotFound, StorageFull
from epochal.store.validation import check_sha256

logger = logging.getLogger(__name__)

_READ_SIZE = 1 << 20
_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})


def storage_error(exc: OSError) -> OSError | StorageFull:
    """StorageFull for a full disk or quota, else the error itself."""
    if exc.errno in _FULL_ERRNOS:
        return StorageFull(f"no space left for blobs: {exc.strerror}")
    return exc


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)

    def path_of(self, sha256: str) -> Path:
        check_sha256(sha256)
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def has(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def size(self, sha256: str) -> int:
        try:
            return self.path_of(sha256).stat().st_size
        except FileNotFoundError as exc:
            raise NotFound(f"blob {sha256} is not stored") from exc

    def open(self, sha256: str) -> BinaryIO:
        try:
            return self.path_of(sha256).open("rb")
        except FileNotFoundError as exc:
            raise NotFound(f"blob {sha256} is not stored") from exc

    def put(self, sha256: str, data: BinaryIO, *, max_bytes: int) -> int:
        target = self.path_of(sha256)
        if target.is_file():
            return target.stat().st_size
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            return self._write_verified(target, sha256, data, max_bytes)
        except OSError as exc:
            raise storage_error(exc) from exc

    def _write_verified(self, target: Path, sha256: str, data: BinaryIO, max_bytes: int) -> int:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        tmp = Path(tmp_name)
        try:
            digest = hashlib.sha256()
            size = 0
            with os.fdopen(fd, "wb") as out:
                while chunk := data.read(_READ_SIZE):
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidRecord(f"blob {sha256} is larger than the limit of {max_bytes} bytes")
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if digest.hexdigest() != sha256:
                raise InvalidRecord(f"blob content hashes to {digest.hexdigest()}, not {sha256}")
            tmp.replace(target)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        _fsync_dir(target.parent)
        logger.debug("stored blob %s (%d bytes)", sha256, size)
        return size


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
