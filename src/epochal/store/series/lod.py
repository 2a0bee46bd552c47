"""Levels of detail: exact summaries of runs of points, so long ranges read little data.

Each chunk gets a summary of about ``LOD_POINTS`` points per entry: the entry's first and
last step and the exact min, max (NaN ignored), sum and count of its points. Entries are
cut only where the step changes, so two entries never share a step; within a chunk they
never overlap. A chart of a long range reads these summaries (1/64 of the points) or,
coarser still, the chunks' own statistics, instead of every point.

Across chunks entries may overlap only when steps were logged out of order; ``join``
detects that and the reader falls back to raw points, which is always exact.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from epochal.store.base import SeriesBlock
from epochal.store.series import codec
from epochal.store.series.codec import Values

LOD_POINTS: Final = 64


def summarise(steps: npt.NDArray[np.int64], values: Values) -> SeriesBlock:
    """Entries of about ``LOD_POINTS`` points of one chunk, in step order."""
    as_float = values.astype(np.float64, copy=False)
    if len(steps) > 1 and bool(np.any(steps[1:] < steps[:-1])):
        order = np.argsort(steps, kind="stable")
        steps, as_float = steps[order], as_float[order]
    if not len(steps):
        return empty_block()
    candidates = steps[::LOD_POINTS]
    starts = np.searchsorted(steps, candidates, side="left")  # sorted; repeats where a step repeats
    starts = starts[np.concatenate(([True], starts[1:] != starts[:-1]))]
    ends = np.append(starts[1:], len(steps))
    with np.errstate(over="ignore", invalid="ignore"):  # sums may overflow to inf or meet inf - inf
        total = np.add.reduceat(as_float, starts)
    return SeriesBlock(
        steps=steps[starts],
        step_ends=steps[ends - 1],
        min=np.fmin.reduceat(as_float, starts),
        max=np.fmax.reduceat(as_float, starts),
        sum=total,
        count=(ends - starts).astype(np.int64),
    )


_ENTRY = np.dtype(
    [("step", "<i8"), ("step_end", "<i8"), ("min", "<f8"), ("max", "<f8"), ("sum", "<f8"), ("count", "<i8")]
)
"""One entry as stored: records side by side, so the summaries of many chunks decode as one array."""


def encode(block: SeriesBlock) -> bytes:
    records = np.empty(len(block.steps), dtype=_ENTRY)
    records["step"], records["step_end"], records["count"] = block.steps, block.step_ends, block.count
    records["min"], records["max"], records["sum"] = block.min, block.max, block.sum
    return codec.compress(records.tobytes())


def decode_many(blobs: Sequence[tuple[int, int, bytes]]) -> SeriesBlock:
    """Entries of several chunks' summaries, given as ``(codec, entries, data)`` in step order."""
    raw = b"".join(codec.decompress(data, entries * _ENTRY.itemsize, codec_id) for codec_id, entries, data in blobs)
    records = np.frombuffer(raw, dtype=_ENTRY)
    return SeriesBlock(
        steps=records["step"].astype(np.int64),
        step_ends=records["step_end"].astype(np.int64),
        min=records["min"].astype(np.float64),
        max=records["max"].astype(np.float64),
        sum=records["sum"].astype(np.float64),
        count=records["count"].astype(np.int64),
    )


def empty_block() -> SeriesBlock:
    no_steps = np.empty(0, np.int64)
    no_values = np.empty(0, np.float64)
    return SeriesBlock(no_steps, no_steps, no_values, no_values, no_values, no_steps)


def concat(blocks: Sequence[SeriesBlock]) -> SeriesBlock:
    if not blocks:
        return empty_block()
    return SeriesBlock(
        steps=np.concatenate([b.steps for b in blocks]),
        step_ends=np.concatenate([b.step_ends for b in blocks]),
        min=np.concatenate([b.min for b in blocks]),
        max=np.concatenate([b.max for b in blocks]),
        sum=np.concatenate([b.sum for b in blocks]),
        count=np.concatenate([b.count for b in blocks]),
    )


def join(block: SeriesBlock) -> SeriesBlock | None:
    """Entries in step order with touching ones (sharing a step) merged; None when they overlap.

    Overlap means a step inside one entry's span lies inside another's: the entries can no
    longer say which bucket a point belongs to, so the caller must read raw points.
    """
    if len(block.steps) < 2:
        return block
    if bool(np.any(block.steps[1:] < block.step_ends[:-1])):
        return None
    starts = np.flatnonzero(np.concatenate(([True], block.steps[1:] > block.step_ends[:-1])))
    if len(starts) == len(block.steps):
        return block
    ends = np.append(starts[1:], len(block.steps))
    with np.errstate(over="ignore", invalid="ignore"):
        total = np.add.reduceat(block.sum, starts)
    return SeriesBlock(
        steps=block.steps[starts],
        step_ends=block.step_ends[ends - 1],
        min=np.fmin.reduceat(block.min, starts),
        max=np.fmax.reduceat(block.max, starts),
        sum=total,
        count=np.add.reduceat(block.count, starts),
    )


def take(block: SeriesBlock, keep: npt.NDArray[np.bool_]) -> SeriesBlock:
    return SeriesBlock(
        steps=block.steps[keep],
        step_ends=block.step_ends[keep],
        min=block.min[keep],
        max=block.max[keep],
        sum=block.sum[keep],
        count=block.count[keep],
    )
