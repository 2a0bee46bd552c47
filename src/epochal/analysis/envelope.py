"""Min/max/mean envelopes of a series, so a chart of any width loses no spike.

A chart asks for ``width`` pixels. When the points fit (at most ``2 * width`` raw points)
they are returned as they are. Otherwise the step range is cut into ``width`` equal
buckets and each non-empty bucket reports the exact minimum and maximum of its points and
their mean. Input may already be pre-aggregated (entries covering a step span with their
own count, min, max and sum); extremes stay exact either way.

Non-finite values stay visible:

- ``+inf`` and ``-inf`` are ordinary extremes: a bucket holding ``+inf`` has ``max == inf``
  (and a mean of ``inf``).
- ``NaN`` is ignored by min, max and mean when its bucket also holds numbers, and a bucket
  holding only ``NaN`` reports ``NaN`` for all three, so the chart shows a hole there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Envelope:
    """One line ready to draw: ``steps[i]`` is the first step of bucket (or point) ``i``.

    Bucket ``i`` covers the steps from ``steps[i]`` up to, not including, ``steps[i + 1]``.
    """

    steps: IntArray
    min: FloatArray
    max: FloatArray
    mean: FloatArray
    exact: bool


@dataclass(frozen=True)
class Points:
    """Points of one series in step order, possibly pre-aggregated.

    A raw point has ``count == 1`` and ``min == max == sum``; an aggregated entry covers
    steps ``steps[i]..step_ends[i]``.
    """

    steps: IntArray
    step_ends: IntArray
    min: FloatArray
    max: FloatArray
    sum: FloatArray
    count: IntArray

    @classmethod
    def raw(cls, steps: npt.ArrayLike, values: npt.ArrayLike) -> Points:
        """Raw points, one value per step."""
        step_array = np.asarray(steps, dtype=np.int64)
        value_array = np.asarray(values, dtype=np.float64)
        return cls(step_array, step_array, value_array, value_array, value_array, np.ones(len(step_array), np.int64))

    @property
    def is_raw(self) -> bool:
        return bool(len(self.count) == 0 or self.count.max() == 1)


def envelope(points: Points, width: int, *, first_step: int | None = None, last_step: int | None = None) -> Envelope:
    """Reduce ``points`` to at most ``2 * width`` entries without losing an extreme.

    ``first_step``/``last_step`` fix the bucket grid (default: the points' own range), so
    several runs drawn together share the same buckets.
    """
    if width < 1:
        raise ValueError(f"width must be at least 1, got {width}")
    if points.is_raw and len(points.steps) <= 2 * width:
        values = points.min.astype(np.float64, copy=True)
        return Envelope(points.steps.astype(np.int64, copy=True), values, values.copy(), values.copy(), exact=True)
    lo = int(points.steps[0]) if first_step is None else first_step
    hi = int(points.step_ends[-1]) if last_step is None else last_step
    starts = _bucket_starts(points.steps, lo, hi, width)
    return Envelope(
        steps=points.steps[starts].astype(np.int64),
        min=np.fmin.reduceat(points.min, starts),
        max=np.fmax.reduceat(points.max, starts),
        mean=_bucket_means(points, starts),
        exact=False,
    )


def _bucket_starts(steps: IntArray, lo: int, hi: int, width: int) -> npt.NDArray[np.intp]:
    """Index of the first entry of each non-empty bucket of ``width`` equal step ranges."""
    span = max(hi - lo + 1, 1)
    # Float arithmetic cannot overflow for huge steps and stays monotone, so buckets
    # remain contiguous runs of entries even where rounding moves an edge by a step.
    position = (steps.astype(np.float64) - lo) / span * width
    bucket = np.clip(np.floor(position), 0, width - 1).astype(np.int64)
    changes = np.flatnonzero(bucket[1:] != bucket[:-1]) + 1
    return np.concatenate(([0], changes)).astype(np.intp)


def _bucket_means(points: Points, starts: npt.NDArray[np.intp]) -> FloatArray:
    """Mean of each bucket's numbers (NaN-free sums), clipped into its [min, max] band."""
    valid = ~np.isnan(points.sum)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        total = np.add.reduceat(np.where(valid, points.sum, 0.0), starts)
        count = np.add.reduceat(np.where(valid, points.count, 0), starts)
        mean = np.where(count > 0, total / np.maximum(count, 1), np.nan)
        low = np.fmin.reduceat(points.min, starts)
        high = np.fmax.reduceat(points.max, starts)
        # Rounding (or a sum overflowing to inf) can land a mean outside the exact extremes.
        return np.asarray(np.where(np.isnan(mean), mean, np.clip(mean, low, high)), dtype=np.float64)
