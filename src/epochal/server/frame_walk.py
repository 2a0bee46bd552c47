"""Finding the frames of an ingest body with numpy, every CRC checked.

``wire.framing.iter_frames`` spends ~2 µs per frame in Python (header unpack, a bytes copy,
the CRC, a generator step). A training log's frames mostly share one length, so their
headers sit at a fixed stride: one numpy gather reads thousands of them, and the CRCs
run in one ``map`` over memoryview slices (no copies). Any irregularity (short header,
empty, oversized or overrunning frame, CRC mismatch) makes :func:`frame_spans` answer
None, and the caller's reference walk then names the error exactly as before.
"""

from __future__ import annotations

import struct
import zlib

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from epochal.wire.framing import HEADER_SIZE, MAX_FRAME_PAYLOAD

_LENGTH = struct.Struct("<I")
_FIRST_PROBE = 16

Spans = tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]
"""Each frame's payload offset and length."""


def frame_spans(body: bytes) -> Spans | None:
    """The frames' payload offsets and lengths, or None when any frame is malformed."""
    data = np.frombuffer(body, dtype=np.uint8)
    end = len(body)
    runs: list[tuple[int, int, int]] = []  # (offset of the first header, frames, payload length)
    offset = 0
    while offset < end:
        if end - offset < HEADER_SIZE:
            return None
        (length,) = _LENGTH.unpack_from(body, offset)
        stride = HEADER_SIZE + length
        if length == 0 or length > MAX_FRAME_PAYLOAD or offset + stride > end:
            return None
        count = _same_length_run(body, data, offset, length)
        runs.append((offset, count, length))
        offset += count * stride
    if not runs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.concatenate([o + HEADER_SIZE + np.arange(c, dtype=np.int64) * (HEADER_SIZE + n) for o, c, n in runs])
    lengths = np.concatenate([np.full(c, n, dtype=np.int64) for _, c, n in runs])
    return (starts, lengths) if _crcs_match(body, data, starts, lengths) else None


def _same_length_run(body: bytes, data: npt.NDArray[np.uint8], offset: int, length: int) -> int:
    """How many whole frames from ``offset`` on have this payload length (at least 1)."""
    stride = HEADER_SIZE + length
    fit = (len(body) - offset) // stride  # frames of this length that fit in what remains
    if fit < 2 or _LENGTH.unpack_from(body, offset + stride)[0] != length:
        return 1
    count, probe = 1, _FIRST_PROBE  # probes double, so the work stays linear in the frames
    while count < fit:
        m = min(probe, fit - count)
        heads = as_strided(data[offset + count * stride :], shape=(m, 4), strides=(stride, 1))
        differ = np.flatnonzero(np.ascontiguousarray(heads).view("<u4").ravel() != length)
        if differ.size:
            return count + int(differ[0])
        count += m
        probe *= 2
    return count


def _crcs_match(
    body: bytes, data: npt.NDArray[np.uint8], starts: npt.NDArray[np.int64], lengths: npt.NDArray[np.int64]
) -> bool:
    view = memoryview(body)
    payloads = map(view.__getitem__, map(slice, starts.tolist(), (starts + lengths).tolist()))
    computed = np.fromiter(map(zlib.crc32, payloads), dtype=np.uint32, count=len(starts))
    stored = data[(starts - 4)[:, None] + np.arange(4)].view("<u4").ravel()
    return bool(np.array_equal(computed, stored))
