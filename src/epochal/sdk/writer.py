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
from epochal.wire.records import FileSaved, MediaSaved, Record

HistoryTuple = tuple[int, int, float, int, dict[str, Any]]
RecordBuilder = Callable[[int, float], Record | HistoryTuple]
"""Makes a record from its ``(seq, t)``."""


class RunWriter:
    """Appends framed records to ``run.epochal``; ``folder=None`` (disabled mode) writes nothing.

    ``lock`` serialises writers from several threads; ``append`` takes it itself.
    ``log()``'s fast path (``sdk/history.py``) holds it and writes History frames with
    ``row_buffer``, ``encode_into``, ``log_map`` and ``make_room``, advancing ``seq`` and
    ``offset`` as :meth:`_write` does: one Python call less per row than calling in here.
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
        self.log_map = LogMap(folder.log_path) if folder is not None else None
        """The mapped log; None when disabled or closed (appends then write nothing)."""
        encoder = make_encoder(self._image_ref)
        self._encode = encoder.encode
        self.encode_into = encoder.encode_into
        self.row_buffer = bytearray()
        """``log()``'s fast path encodes each row into this one buffer (under ``lock``)."""
        self._media_known: set[str] = set()
        self.new_media: list[Image] = []
        """Images met for the first time by the last encode: their records must precede it."""
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
        return self.log_map is None

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
            if self.new_media:
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
        if self.log_map is not None:
            log, self.log_map = self.log_map, None
            log.close(self.offset, fsync=fsync)

    def _image_ref(self, image: Image) -> dict[str, Any]:
        if image.sha256 not in self._media_known:
            self._media_known.add(image.sha256)
            self.new_media.append(image)
        return image.to_ref()

    def _append_new_media(self, seq: int, t: float) -> int:
        """Write the PNGs and MediaSaved records of newly seen images from ``seq``; return the next seq."""
        images, self.new_media = self.new_media, []
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
        log = self.log_map
        if log is None:
            return
        start = self.offset
        end = start + HEADER_SIZE + len(payload)
        buf = log.buf if end <= log.limit else self.make_room(start, end)
        buf[start + HEADER_SIZE : end] = payload
        HEADER.pack_into(buf, start, len(payload), crc32(payload))
        self.offset = end
        if blob_seq is not None and self._noting:
            self.blob_frames.append((blob_seq, start, end))

    def make_room(self, start: int, end: int) -> mmap.mmap:
        """The mapping's slow path (about every 2 MiB); ``start`` is a record boundary: note it as a cut."""
        assert self.log_map is not None
        if start and self._noting:
            self.cuts.append((self.seq, start))
        return self.log_map.make_room(start, end)
