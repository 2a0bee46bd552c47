"""Consecutive History rows with one key set, turned into one numpy column per key.

A training loop logs the same keys on every step, so a batch is mostly runs of rows that
share a key set. Such a run is gathered with one ``itemgetter`` call per row (no per-point
Python), its keys are checked once, and each key's values become one array. A column that
is not all bools, int64-range ints and floats is handled point by point, exactly as the
row-at-a-time path does; a nested dict in a column sends the whole run back to that path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from typing import Any

import numpy as np

from epochal.store.series.codec import Kind, Values
from epochal.store.series.writer import Column, Scalar
from epochal.store.validation import INT64_MAX, INT64_MIN, check_string, has_strings
from epochal.wire.keys import is_nesting
from epochal.wire.records import History

_SCALAR_TYPES = frozenset({bool, int, float})


@dataclass(frozen=True)
class RunColumns:
    """A run of rows by column: each key's values as an array (scalars) or as a tuple."""

    steps: list[int]
    times: list[float]
    keys: tuple[str, ...]
    columns: list[Column | tuple[Any, ...]]
    last: tuple[Any, ...]  # the last row's values, as sent (the summary keeps ints as ints)

    def column(self, values: Sequence[Scalar]) -> Column:
        """Scalars given per row (the rows' times and runtimes) as a column."""
        scalars = scalar_column(values)
        if scalars is None:
            return Column.of_lists(self.steps, values)
        return Column(np.asarray(self.steps, dtype=np.int64), *scalars)


class RowRun:
    """History rows whose (flattened) rows all have exactly the keys ``keys``."""

    def __init__(self, keys: tuple[str, ...]) -> None:
        self.keys = keys
        self.records: list[History] = []
        self._get = itemgetter(*keys)
        self._values: list[Any] = []  # one tuple per row (the bare value for a single key)

    def add(self, record: History, row: Mapping[str, Any]) -> bool:
        """Take the row if it has exactly this run's keys."""
        if len(row) != len(self.keys):
            return False
        try:
            values = self._get(row)
        except KeyError:
            return False
        self.records.append(record)
        self._values.append(values)
        return True

    def take(self, records: Sequence[object], start: int) -> int:
        """Add ``records[start:]`` while they are History rows with exactly this run's keys
        (no nested values to flatten); return the index of the first one not taken."""
        n, get, values = len(self.keys), self._get, self._values
        end = len(records)
        for i in range(start, end):
            record = records[i]
            if type(record) is not History:
                end = i
                break
            row = record.row
            if len(row) != n:
                end = i
                break
            try:
                values.append(get(row))
            except KeyError:
                end = i
                break
        self.records.extend(records[start:end])  # type: ignore[arg-type]  # all History, checked above
        return end

    def columns(self, what: str) -> RunColumns | None:
        """The run by column, or None when a value needs flattening (the row path applies)."""
        single = len(self.keys) == 1
        steps = [r.step for r in self.records]
        if min(steps) < 0 or max(steps) > INT64_MAX:
            return None  # the row path names the bad step
        step_array = np.asarray(steps, dtype=np.int64)
        last = (self._values[-1],) if single else self._values[-1]
        times = [r.t for r in self.records]
        if not single and set(map(type, chain.from_iterable(self._values))) == {float}:
            # All floats (the usual training row): one array for the whole run, no per-key tuples.
            count = len(self._values) * len(self.keys)
            matrix = np.fromiter(chain.from_iterable(self._values), dtype=np.float64, count=count)
            by_row = matrix.reshape(len(self._values), len(self.keys))
            floats: list[Column | tuple[Any, ...]] = [Column(step_array, v, "f") for v in by_row.T.copy()]
            return RunColumns(steps=steps, times=times, keys=self.keys, columns=floats, last=last)
        by_key: list[tuple[Any, ...]] = [tuple(self._values)] if single else list(zip(*self._values, strict=True))
        columns: list[Column | tuple[Any, ...]] = []
        for key, values in zip(self.keys, by_key, strict=True):
            scalars = scalar_column(values)
            if scalars is not None:
                columns.append(Column(step_array, *scalars))
                continue
            if any(is_nesting(v) for v in values):
                return None
            if has_strings(values):
                for value in values:
                    check_string(value, key, what)
            columns.append(values)
        return RunColumns(steps=steps, times=times, keys=self.keys, columns=columns, last=last)


def scalar_column(values: Sequence[Any]) -> tuple[Values, Kind] | None:
    """The values as an array and their kind, when every one is stored as a series point."""
    types = set(map(type, values))
    if not types <= _SCALAR_TYPES:
        return None
    if int in types and not _ints_in_range([v for v in values if type(v) is int] if len(types) > 1 else values):
        return None
    if len(types) == 1:
        kind: Kind = "b" if bool in types else "i" if int in types else "f"
    else:
        kind = "f"
    dtype = {"b": np.bool_, "i": np.int64, "f": np.float64}[kind]
    return np.asarray(values, dtype=dtype), kind


def _ints_in_range(ints: Sequence[int]) -> bool:
    return min(ints) >= INT64_MIN and max(ints) <= INT64_MAX
