"""The run's local log writer: numbers records, encodes them, appends them with one write.

Every record a run makes goes through here, so ``seq`` has no gaps and the file is the
exact order the server will apply. When an append returns, the bytes are in the OS and
survive a kill -9 of the process (``fsync`` at ``finish`` covers power loss).
"""

from __future__ import annotations

import errno
import os
import threading
import time
from collections.abc import Callable
from typing import Any
from zlib import crc32

from epochal.sdk.encoding import make_encoder
from epochal.sdk.image import Image
from epochal.sdk.run_folder import RunFolder
from epochal.wire.framing import HEADER, frame
from epochal.wire.records import HISTORY_KIND, MediaSaved, Record

HistoryTuple = tuple[int, int, float, int, dict[str, Any]]
RecordBuilder = Callable[[int, float], Record | HistoryTuple]
"""Makes a record from its ``(seq, t)``."""


class RunWriter:
    """Appends framed records to ``run.epochal``; ``folder=None`` (disabled mode) writes nothing.

    ``lock`` serialises writers from several threads; ``append_history`` expects the
    caller to hold it (the step rules need it too), ``append`` takes it itself.
    """

    def __init__(self, folder: RunFolder | None) -> None:
        self.folder = folder
        self.lock = threading.Lock()
        self.seq = 0
        self.offset = 0
        self._fd: int | None = None
        if folder is not None:
            self._fd = os.open(folder.log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            self.offset = os.fstat(self._fd).st_size
        self._encode = make_encoder(self._image_ref).encode
        self._media_known: set[str] = set()
        self._media_new: list[Image] = []

    @property
    def closed(self) -> bool:
        return self._fd is None

    def append_history(self, step: int, row: dict[str, Any]) -> None:
        """Append one committed row at ``step``; the caller holds ``lock``.

        ``log()``'s hot path, so :meth:`append_locked` and :meth:`_write` are inlined: the
        payload is a plain tuple byte-identical to ``records.History`` (no struct is built),
        framed and handed to the OS with one ``write``.
        """
        seq = self.seq + 1
        payload = self._encode((HISTORY_KIND, seq, time.time(), step, row))
        if self._media_new:  # the row holds images seen for the first time: their records go first
            self.append_locked(lambda seq, t: (HISTORY_KIND, seq, t, step, row))
            return
        if self._fd is not None:
            data = HEADER.pack(len(payload), crc32(payload)) + payload
            written = os.write(self._fd, data)
            if written != len(data):
                self._cut_torn_frame(written, len(data))
            self.offset += written
        self.seq = seq

    def append(self, build: RecordBuilder) -> None:
        """Append one record made by ``build(seq, t)`` (taking ``lock``)."""
        with self.lock:
            self.append_locked(build)

    def append_locked(self, build: RecordBuilder) -> None:
        """Append ``build(seq, t)``; images met while encoding get their MediaSaved records first."""
        first = seq = self.seq + 1
        t = time.time()
        try:
            payload = self._encode(build(seq, t))
        finally:
            if self._media_new:
                seq = self._append_new_media(first, t)
        if seq != first:
            payload = self._encode(build(seq, t))
        self._write(frame(payload))
        self.seq = seq

    def encode_check(self, value: object) -> None:
        """Raise the TypeError that appending ``value`` would raise (used to name a bad key)."""
        self._encode(value)

    def fsync(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None

    def _image_ref(self, image: Image) -> dict[str, Any]:
        if image.sha256 not in self._media_known:
            self._media_known.add(image.sha256)
            self._media_new.append(image)
        return image.to_ref()

    def _append_new_media(self, seq: int, t: float) -> int:
        """Write the PNGs and MediaSaved records of newly seen images from ``seq``; return the next seq."""
        images, self._media_new = self._media_new, []
        for image in images:
            if self.folder is not None:
                target = self.folder.path / image.path
                if not target.exists():
                    target.parent.mkdir(parents=True, exist_ok=True)
                    tmp = target.with_suffix(".tmp")
                    tmp.write_bytes(image.png)
                    tmp.replace(target)
            record = MediaSaved(
                seq=seq, t=t, sha256=image.sha256, path=image.path, size=len(image.png), media_type="image/png"
            )
            self._write(frame(self._encode(record)))
            self.seq = seq
            seq += 1
        return seq

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            return
        written = os.write(self._fd, data)
        if written != len(data):
            self._cut_torn_frame(written, len(data))
        self.offset += written

    def _cut_torn_frame(self, written: int, size: int) -> None:
        """Disk full mid-frame: cut the torn frame so the log stays readable."""
        assert self._fd is not None
        os.ftruncate(self._fd, self.offset)
        raise OSError(errno.ENOSPC, f"only {written} of {size} bytes reached the run log")
