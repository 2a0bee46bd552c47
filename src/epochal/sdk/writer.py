"""The run's local log writer: numbers records, encodes them, copies them into the mapped log.

Every record a run makes goes through here, so ``seq`` has no gaps and the file is the
exact order the server will apply. The log is a memory-mapped file (``sdk/log_map.py``):
an append is a copy into the OS page cache, with no system call, and survives a kill -9
of the process as a ``write`` would (fsync every 2 s and at ``finish`` covers power loss).
A frame's payload is copied before its header, so a reader never sees a header whose
payload is not there yet; the zeros after the last frame read as the log's end.

The writer also keeps notes for the run's shipper (``cuts``, ``blob_frames``): with them and
:meth:`RunWriter.position` the shipper sends the log without walking it frame by frame, a
Python loop that would hold the GIL against ``log()`` in the same process.
"""

from __future__ import annotations

import mmap
import threading
import time
from collections.abc import Callable
from typing import Any
from zlib import crc32

from epochal.sdk.encoding import make_encoder
from epochal.sdk.image import Image
from epochal.sdk.log_map import LogMap
from epochal.sdk.run_folder import RunFolder
from epochal.wire.framing import HEADER, HEADER_SIZE
from epochal.wire.records import HISTORY_KIND, FileSaved, MediaSaved, Record

HistoryTuple = tuple[int, int, float, int, dict[str, Any]]
RecordBuilder = Callable[[int, float], Record | HistoryTuple]
"""Makes a record from its ``(seq, t)``."""


class RunWriter:
    """Appends framed records to ``run.epochal``; ``folder=None`` (disabled mode) writes nothing.

    ``lock`` serialises writers from several threads; ``append_history`` expects the
    caller to hold it (the step rules need it too), ``append`` takes it itself.
    """

    def __init__(self, folder: RunFolder | None, *, notes: bool = False) -> None:
        """``notes``: keep ``cuts`` and ``blob_frames`` for a shipper (online), which forgets them
        as the server acknowledges; offline nobody would, and they would grow with the log."""
        self.folder = folder
        self._noting = notes
        self.lock = threading.Lock()
        self.seq = 0
        self.offset = 0
        """End of the last complete frame: what readers of the log may take."""
        self._log = LogMap(folder.log_path) if folder is not None else None
        encoder = make_encoder(self._image_ref)
        self._encode = encoder.encode
        self._encode_into = encoder.encode_into
        self._row_payload = bytearray()
        """``append_history`` encodes into this one buffer (under ``lock``): no bytes object per row."""
        self._media_known: set[str] = set()
        self._media_new: list[Image] = []
        self.cuts: list[tuple[int, int]] = []
        """``(seq, offset)``: the records up to ``seq`` end at ``offset``. Noted when the mapping
        makes room (about every 2 MiB), so a large backlog is cut into batches without a walk."""
        self.blob_frames: list[tuple[int, int, int]] = []
        """``(seq, frame start, frame end)`` of each FileSaved/MediaSaved record, whose blob the
        shipper uploads before sending it."""

    def position(self) -> tuple[int, int]:
        """The ``seq`` of the last complete record and the offset after it, as one consistent pair."""
        with self.lock:
            return self.seq, self.offset

    def forget_notes(self, acked_seq: int) -> None:
        """Drop the notes about records up to ``acked_seq`` (the server has them)."""
        with self.lock:
            self.cuts = [cut for cut in self.cuts if cut[0] > acked_seq]
            self.blob_frames = [blob for blob in self.blob_frames if blob[0] > acked_seq]

    @property
    def closed(self) -> bool:
        return self._log is None

    def append_history(self, step: int, row: dict[str, Any]) -> None:
        """Append one committed row at ``step``; the caller holds ``lock``.

        ``log()``'s hot path, so :meth:`append_locked` and :meth:`_write` are inlined: the
        payload is a plain tuple byte-identical to ``records.History`` (no struct is built),
        encoded into a reused buffer, copied into the mapping, then its header.
        """
        seq = self.seq + 1
        payload = self._row_payload
        self._encode_into((HISTORY_KIND, seq, time.time(), step, row), payload)
        if self._media_new:  # the row holds images seen for the first time: their records go first
            self.append_locked(lambda seq, t: (HISTORY_KIND, seq, t, step, row))
            return
        log = self._log
        if log is not None:
            start = self.offset
            size = len(payload)
            end = start + HEADER_SIZE + size
            buf = log.buf if end <= log.limit else self._make_room(start, end)
            buf[start + HEADER_SIZE : end] = payload
            HEADER.pack_into(buf, start, size, crc32(payload))
            self.offset = end
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
            record = build(seq, t)
            payload = self._encode(record)
        finally:
            if self._media_new:
                seq = self._append_new_media(first, t)
        if seq != first:
            record = build(seq, t)
            payload = self._encode(record)
        self._write(payload, blob_seq=seq if isinstance(record, FileSaved | MediaSaved) else None)
        self.seq = seq

    def encode_check(self, value: object) -> None:
        """Raise the TypeError that appending ``value`` would raise (used to name a bad key)."""
        self._encode(value)

    def close(self, *, fsync: bool = True) -> None:
        """Cut the log to its last frame (and fsync it); later appends write nothing."""
        if self._log is not None:
            log, self._log = self._log, None
            log.close(self.offset, fsync=fsync)

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
            self._write(self._encode(record), blob_seq=seq)
            self.seq = seq
            seq += 1
        return seq

    def _write(self, payload: bytes, *, blob_seq: int | None = None) -> None:
        """Copy one frame into the log (payload first: a reader never sees a header without it).

        ``blob_seq``: the frame is that FileSaved/MediaSaved record, noted for the shipper.
        """
        log = self._log
        if log is None:
            return
        start = self.offset
        end = start + HEADER_SIZE + len(payload)
        buf = log.buf if end <= log.limit else self._make_room(start, end)
        buf[start + HEADER_SIZE : end] = payload
        HEADER.pack_into(buf, start, len(payload), crc32(payload))
        self.offset = end
        if blob_seq is not None and self._noting:
            self.blob_frames.append((blob_seq, start, end))

    def _make_room(self, start: int, end: int) -> mmap.mmap:
        """The mapping's slow path (about every 2 MiB); ``start`` is a record boundary: note it as a cut."""
        assert self._log is not None
        if start and self._noting:
            self.cuts.append((self.seq, start))
        return self._log.make_room(start, end)
