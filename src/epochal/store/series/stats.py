"""NaN-aware statistics of a run of points, as stored on chunks and per-key rows.

min and max ignore NaN (a NaN among losses must not hide the real minimum); sum is the
plain sum, so it is NaN when any point is. The database holds NaN as NULL (SQLite cannot
store NaN), hence the ``to_db``/``from_db`` pair.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from epochal.store.series.codec import Values


@dataclass(frozen=True)
class PointStats:
    count: int
    step_min: int
    step_max: int
    vmin: float
    vmax: float
    vsum: float
    vlast: float

    @classmethod
    def of(cls, steps: np.ndarray, values: Values) -> PointStats:
        as_float = values.astype(np.float64, copy=False)
        # fmin/fmax skip NaN (all-NaN gives NaN): nanmin's answer without its Python wrapper
        with np.errstate(over="ignore", invalid="ignore"):  # a sum may overflow to inf or meet inf - inf
            vsum = float(np.add.reduce(as_float))
        return cls(
            count=len(steps),
            step_min=int(steps.min()),
            step_max=int(steps.max()),
            vmin=float(np.fmin.reduce(as_float)),
            vmax=float(np.fmax.reduce(as_float)),
            vsum=vsum,
            vlast=float(as_float[-1]),
        )

    def merge(self, later: PointStats) -> PointStats:
        """Statistics of these points followed by ``later``'s."""
        return PointStats(
            count=self.count + later.count,
            step_min=min(self.step_min, later.step_min),
            step_max=max(self.step_max, later.step_max),
            vmin=_nan_min(self.vmin, later.vmin),
            vmax=_nan_max(self.vmax, later.vmax),
            vsum=self.vsum + later.vsum,
            vlast=later.vlast,
        )


def _nan_min(a: float, b: float) -> float:
    if math.isnan(a):
        return b
    return a if math.isnan(b) else min(a, b)


def _nan_max(a: float, b: float) -> float:
    if math.isnan(a):
        return b
    return a if math.isnan(b) else max(a, b)


def to_db(value: float) -> float | None:
    return None if math.isnan(value) else value


def from_db(value: float | None) -> float:
    return math.nan if value is None else float(value)
