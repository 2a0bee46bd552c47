"""Length + CRC framing of records, used by the run's local log and the ingest body.

A frame is ``<u32 payload length><u32 crc32 of payload><payload>`` (little endian).
A torn tail (a crash mid-write) shows up as a short, zero or mismatching frame; readers
of the local log stop there, while the server rejects the whole body.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

HEADER = struct.Struct("<II")
HEADER_SIZE = HEADER.size
MAX_FRAME_PAYLOAD = 64 * 1024 * 1024


class FrameError(ValueError):
    """A frame is truncated, oversized or fails its checksum."""


def frame(payload: bytes) -> bytes:
    """Wrap one encoded record in its header."""
    return HEADER.pack(len(payload), zlib.crc32(payload)) + payload


def iter_frames(buf: bytes | memoryview, offset: int = 0, *, strict: bool = True) -> Iterator[tuple[int, bytes]]:
    """Yield ``(end_offset, payload)`` for each frame in ``buf`` from ``offset``.

    With ``strict`` any malformed frame raises :class:`FrameError`; without it the
    iteration stops at the first one (the torn tail of a crashed writer, or the
    zero-filled unused part of a preallocated log file).
    """
    view = memoryview(buf)
    end = len(view)
    while offset < end:
        if end - offset < HEADER_SIZE:
            if strict:
                raise FrameError(f"truncated frame header at byte {offset}")
            return
        length, crc = HEADER.unpack_from(view, offset)
        start = offset + HEADER_SIZE
        if length == 0 and crc == 0:
            if strict:
                raise FrameError(f"empty frame at byte {offset}")
            return
        if length > MAX_FRAME_PAYLOAD or start + length > end:
            if strict:
                raise FrameError(f"frame at byte {offset} claims {length} bytes, {end - start} remain")
            return
        payload = bytes(view[start : start + length])
        if zlib.crc32(payload) != crc:
            if strict:
                raise FrameError(f"checksum mismatch in frame at byte {offset}")
            return
        offset = start + length
        yield offset, payload


def frames_end(buf: bytes | memoryview, offset: int = 0) -> int:
    """The offset after the last complete frame from ``offset`` (where a writer would append next)."""
    end = offset
    for end, _ in iter_frames(buf, offset, strict=False):  # noqa: B007 (the last value is the answer)
        pass
    return end
