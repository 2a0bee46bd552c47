"""History rows that arrived already split into columns: a block of consecutive records.

The server decodes the usual run of History frames (one flat key set, scalar values, in
seq order) straight into arrays, without a Python dict per row. A block stands for those
``History`` records exactly: :meth:`HistoryBlock.records` rebuilds them, and the store
applies a block it cannot take by column through them, the row-at-a-time reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from epochal.store.series.writer import Column
from epochal.wire.records import History, Record


@dataclass(frozen=True)
class HistoryBlock:
    """History records ``seq .. last_seq`` (consecutive): per-row steps and times, per-key columns."""

    seq: int
    steps: npt.NDArray[np.int64]
    times: npt.NDArray[np.float64]
    keys: tuple[str, ...]
    columns: tuple[Column, ...]
    """One per key, in the rows' key order; each column's ``steps`` is :attr:`steps`."""

    @property
    def last_seq(self) -> int:
        return self.seq + len(self.steps) - 1

    def tail(self, start: int) -> HistoryBlock:
        """The rows from index ``start`` on (a retried batch's part not yet stored)."""
        steps = self.steps[start:]
        columns = tuple(Column(steps, c.values[start:], c.kind) for c in self.columns)
        return HistoryBlock(self.seq + start, steps, self.times[start:], self.keys, columns)

    def row(self, i: int) -> dict[str, Any]:
        """Row ``i`` as decoded from the wire (Python bools, ints and floats)."""
        return {key: column.values[i].item() for key, column in zip(self.keys, self.columns, strict=True)}

    def records(self) -> list[History]:
        """The History records this block stands for."""
        by_key = [column.values.tolist() for column in self.columns]
        return [
            History(seq=self.seq + i, t=t, step=step, row=dict(zip(self.keys, values, strict=True)))
            for i, (t, step, values) in enumerate(
                zip(self.times.tolist(), self.steps.tolist(), zip(*by_key, strict=True), strict=True)
            )
        ]


IngestItem = Record | HistoryBlock
"""What a batch is made of: single records, and History rows by column."""


def last_seq(item: IngestItem) -> int:
    return item.last_seq if isinstance(item, HistoryBlock) else item.seq


def times(items: Iterable[IngestItem]) -> list[float]:
    """Every record's ``t`` in order, a block's rows included."""
    out: list[float] = []
    for item in items:
        if isinstance(item, HistoryBlock):
            out.extend(item.times.tolist())
        else:
            out.append(item.t)
    return out


def seq_gap(items: Sequence[IngestItem]) -> tuple[int, int] | None:
    """The first ``(previous seq, seq)`` pair that does not count up by one, if any."""
    for previous, item in itertools.pairwise(items):
        if item.seq != last_seq(previous) + 1:
            return last_seq(previous), item.seq
    return None
