"""Ingest of History rows by column keeps the row-by-row rules exactly.

Rows sharing a key set are stored as whole numpy columns; these tests hold the result to
a plain per-row model of the rules: flattening, which values become series points (and
of which kind), which become history objects, the summary's last values (ints stay ints),
the limits, and record order against summary deletes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from epochal.store.base import InvalidRecord, NotFound, RunRef
from epochal.store.factory import open_store
from epochal.store.sql_store import SqlStore
from epochal.wire import limits
from epochal.wire.keys import RESERVED_KEYS, flatten
from epochal.wire.records import History, Record, RunStart, SummaryUpdate

T0 = 1_700_000_000.0
REF = RunRef("local", "proj", "run1")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[SqlStore]:
    opened = open_store(f"sqlite:///{tmp_path / 'epochal.db'}", tmp_path / "blobs")
    assert isinstance(opened, SqlStore)
    try:
        yield opened
    finally:
        opened.close()


def _stream(rows: list[tuple[int, dict[str, Any]]], ref: RunRef = REF) -> list[Record]:
    records: list[Record] = [RunStart(seq=1, t=T0, project=ref.project, run_id=ref.run_id)]
    for i, (step, row) in enumerate(rows):
        records.append(History(seq=i + 2, t=T0 + i, step=step, row=row))
    return records


def _is_point(value: Any) -> bool:
    if isinstance(value, bool | float):
        return True
    return isinstance(value, int) and -(2**63) <= value < 2**63


def _expected_series(values: list[Any]) -> np.ndarray:
    if all(type(v) is bool for v in values):
        return np.array(values, dtype=np.bool_)
    if all(type(v) is int for v in values):
        return np.array(values, dtype=np.int64)
    return np.array([float(v) for v in values], dtype=np.float64)


def _same(a: Any, b: Any) -> bool:
    """Equal with the same type, NaN equal to NaN."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a):
        return math.isnan(b)
    return type(a) is type(b) and a == b


def _check_against_model(store: SqlStore, rows: list[tuple[int, dict[str, Any]]], ref: RunRef = REF) -> None:
    points: dict[str, tuple[list[int], list[Any]]] = {}
    objects: dict[tuple[int, str], Any] = {}
    last: dict[str, Any] = {}
    for step, row in rows:
        for key, value in flatten(row).items():
            if key in RESERVED_KEYS:
                continue
            if _is_point(value):
                steps, values = points.setdefault(key, ([], []))
                steps.append(step)
                values.append(value)
            else:
                objects[(step, key)] = value
            last[key] = value
    for key, (steps, values) in points.items():
        series = store.read_series(ref, key)
        expected = _expected_series(values)
        assert series.values.dtype == expected.dtype, key
        assert series.steps.tolist() == steps, key
        assert series.values.tobytes() == expected.tobytes(), key  # bit-exact, NaN and -0.0 included
    history = {row["_step"]: row for row in store.read_history(ref, limit=10_000).rows}
    for (step, key), value in objects.items():
        assert history[step][key] == value
    summary = store.get_run(ref).summary
    for key, value in last.items():
        assert _same(summary[key], value), (key, summary[key], value)
    assert store.get_run(ref).last_step == max(step for step, _ in rows)


_KEYS = ["loss", "acc", "lr", "nested.x"]
_values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),  # what msgpack carries; above int64: objects
    st.booleans(),
    st.none(),
    st.text(max_size=5),
    st.just({"_type": "image", "sha256": "0" * 64}),
    st.fixed_dictionaries({"inner": st.floats(allow_nan=False)}),
)


@st.composite
def _rows(draw: st.DrawFn) -> list[tuple[int, dict[str, Any]]]:
    """Runs of rows with one key set and one value type per key, broken up now and then."""
    rows: list[tuple[int, dict[str, Any]]] = []
    step = 0
    for _ in range(draw(st.integers(1, 4))):
        keys = draw(st.lists(st.sampled_from(_KEYS), min_size=1, max_size=4, unique=True))
        kind = {key: draw(_values) for key in keys}
        for _ in range(draw(st.integers(1, 6))):
            row = {key: draw(_values) if draw(st.integers(0, 5)) == 0 else _fresh(kind[key]) for key in keys}
            rows.append((step, row))
            step += draw(st.integers(0, 2))  # repeated steps too
    return rows


def _fresh(value: Any) -> Any:
    """A value of the same type as ``value`` (most rows of a run are alike)."""
    if type(value) is float and math.isfinite(value):
        return value * 0.5 + 1.0
    return value


_examples = itertools.count()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_rows())
def test_one_batch_stores_what_the_row_rules_say(store: SqlStore, rows: list[tuple[int, dict[str, Any]]]) -> None:
    ref = RunRef(REF.entity, REF.project, f"run{next(_examples)}")  # one store, a fresh run per example
    store.ingest(ref, "s", _stream(rows, ref))
    _check_against_model(store, rows, ref)


def test_wide_rows_and_nested_rows_become_columns_of_the_right_kind(store: SqlStore) -> None:
    rows = [
        (step, {"loss": 1.0 / (step + 1), "epoch": step // 10, "ok": step % 2 == 0, "train": {"acc": step / 100}})
        for step in range(300)
    ]
    store.ingest(REF, "s", _stream(rows))
    _check_against_model(store, rows)
    assert store.read_series(REF, "epoch").values.dtype == np.int64
    assert store.read_series(REF, "ok").values.dtype == np.bool_
    assert store.read_series(REF, "train.acc").values.tolist() == [s / 100 for s in range(300)]


def test_an_int_beyond_int64_in_a_column_is_kept_as_an_object(store: SqlStore) -> None:
    rows = [(step, {"n": step}) for step in range(10)] + [(10, {"n": 2**64 - 1})]
    store.ingest(REF, "s", _stream(rows))
    _check_against_model(store, rows)
    assert store.read_series(REF, "n").steps.tolist() == list(range(10))


def test_an_int_msgpack_cannot_hold_refuses_the_batch(store: SqlStore) -> None:
    with pytest.raises(InvalidRecord, match="cannot be stored"):
        store.ingest(REF, "s", _stream([(0, {"n": 1}), (1, {"n": 2**70})]))
    with pytest.raises(NotFound):
        store.get_run(REF)


@pytest.mark.parametrize(
    "bad_row",
    [
        {"loss": 1.0, "": 2.0},
        {"loss": 1.0, "x" * (limits.MAX_KEY_LENGTH + 1): 2.0},
        {"loss": "x" * (limits.MAX_STRING_VALUE_BYTES + 1)},
    ],
    ids=["empty key", "long key", "long string"],
)
def test_a_bad_row_late_in_a_run_refuses_the_whole_batch(store: SqlStore, bad_row: dict[str, Any]) -> None:
    rows = [(step, {"loss": float(step)}) for step in range(500)] + [(500, bad_row)]
    with pytest.raises(InvalidRecord):
        store.ingest(REF, "s", _stream(rows))
    with pytest.raises(NotFound):
        store.get_run(REF)


def test_a_summary_delete_between_rows_applies_in_record_order(store: SqlStore) -> None:
    records = _stream([(0, {"loss": 1.0, "acc": 0.5}), (1, {"loss": 0.5, "acc": 0.6})])
    records.append(SummaryUpdate(seq=len(records) + 1, t=T0 + 10, delete=["loss", "acc"]))
    records.append(History(seq=len(records) + 1, t=T0 + 11, step=2, row={"acc": 0.7}))
    store.ingest(REF, "s", records)
    summary = store.get_run(REF).summary
    assert "loss" not in summary
    assert summary["acc"] == 0.7
    assert store.read_series(REF, "loss").values.tolist() == [1.0, 0.5]


def test_reserved_keys_in_a_row_are_ignored_for_the_record_step(store: SqlStore) -> None:
    rows = [(step, {"loss": float(step), "_step": 99, "_timestamp": 5.0}) for step in range(5)]
    store.ingest(REF, "s", _stream(rows))
    assert store.read_series(REF, "loss").steps.tolist() == list(range(5))
    assert store.read_series(REF, "_timestamp").values.tolist() == [T0 + i for i in range(5)]
    assert store.read_series(REF, "_runtime").values.tolist() == [float(i) for i in range(5)]
