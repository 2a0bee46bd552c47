"""Reading history back: rows with paging, series ranges, keys and blocks."""

from __future__ import annotations

import numpy as np
import pytest
from tests.contract.contract_helpers import T0, Stream

from epochal.store.base import NotFound
from epochal.store.series.writer import CHUNK_POINTS
from epochal.store.sql_store import SqlStore


def _logged(store: SqlStore, rows: int, batch: int = 500) -> Stream:
    s = Stream()
    s.start(t=T0)
    store.ingest(s.ref, "s1", s.take())
    for step in range(rows):
        s.log(
            step,
            {"loss": 1.0 / (step + 1), "epoch": step // 10, "tag": f"s{step}"}
            if step % 3 == 0
            else {"loss": 1.0 / (step + 1), "epoch": step // 10},
            t=T0 + step,
        )
        if len(s.records) == batch:
            store.ingest(s.ref, "s1", s.take())
    store.ingest(s.ref, "s1", s.take())
    return s


def test_read_history_pages_through_every_row(store: SqlStore) -> None:
    s = _logged(store, 2500)
    seen: list[int] = []
    min_step: int | None = None
    while True:
        page = store.read_history(s.ref, min_step=min_step, limit=700)
        seen.extend(row["_step"] for row in page.rows)
        if page.next_step is None:
            break
        min_step = page.next_step
    assert seen == list(range(2500))


def test_read_history_rows_hold_reserved_and_requested_keys(store: SqlStore) -> None:
    s = _logged(store, 10)
    page = store.read_history(s.ref, keys=["loss", "tag"], min_step=3, limit=2)
    assert page.rows == [
        {"_step": 3, "_timestamp": T0 + 3, "_runtime": 3.0, "loss": 0.25, "tag": "s3"},
        {"_step": 4, "_timestamp": T0 + 4, "_runtime": 4.0, "loss": 0.2},
    ]
    assert page.next_step == 5
    everything = store.read_history(s.ref, limit=1).rows[0]
    assert everything == {"_step": 0, "_timestamp": T0, "_runtime": 0.0, "loss": 1.0, "epoch": 0, "tag": "s0"}


def test_rows_logged_at_one_step_merge(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"a": 1})
    s.log(0, {"b": 2})
    s.log(1, {"a": 3})
    store.ingest(s.ref, "s1", s.take())
    rows = store.read_history(s.ref, keys=["a", "b"]).rows
    assert [(r["_step"], r.get("a"), r.get("b")) for r in rows] == [(0, 1, 2), (1, 3, None)]


def test_read_history_of_an_empty_run(store: SqlStore) -> None:
    s = Stream()
    s.start()
    store.ingest(s.ref, "s1", s.take())
    page = store.read_history(s.ref)
    assert (page.rows, page.next_step) == ([], None)


def test_series_survive_chunk_rollover_in_small_batches(store: SqlStore) -> None:
    s = _logged(store, 2 * CHUNK_POINTS + 100, batch=997)
    series = store.read_series(s.ref, "loss")
    expected = 1.0 / (np.arange(2 * CHUNK_POINTS + 100) + 1)
    assert series.steps.tolist() == list(range(2 * CHUNK_POINTS + 100))
    assert series.values.tolist() == expected.tolist()


def test_read_series_ranges(store: SqlStore) -> None:
    s = _logged(store, CHUNK_POINTS + 50)
    part = store.read_series(s.ref, "epoch", min_step=CHUNK_POINTS - 5, max_step=CHUNK_POINTS + 5)
    assert part.steps.tolist() == list(range(CHUNK_POINTS - 5, CHUNK_POINTS + 6))
    assert part.values.tolist() == [step // 10 for step in range(CHUNK_POINTS - 5, CHUNK_POINTS + 6)]
    assert store.read_series(s.ref, "epoch", min_step=10**9).steps.tolist() == []
    assert store.read_series(s.ref, "never-logged").steps.tolist() == []
    assert store.read_series(s.ref, "loss", max_step=2).values.tolist() == [1.0, 0.5, 1.0 / 3]


def test_steps_that_repeat_or_go_back_read_in_step_order(store: SqlStore) -> None:
    s = Stream()
    s.start()
    for step, value in [(5, 0.5), (7, 0.7), (7, 0.71), (2, 0.2)]:
        s.log(step, {"x": value})
    store.ingest(s.ref, "s1", s.take())
    series = store.read_series(s.ref, "x")
    assert series.steps.tolist() == [2, 5, 7, 7]
    assert series.values.tolist() == [0.2, 0.5, 0.7, 0.71]


def test_a_key_switching_from_int_to_float_reads_as_float(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"x": 1})
    store.ingest(s.ref, "s1", s.take())
    s.log(1, {"x": 1.5})
    store.ingest(s.ref, "s1", s.take())
    series = store.read_series(s.ref, "x")
    assert series.values.dtype == np.float64
    assert series.values.tolist() == [1.0, 1.5]


def test_series_keys_carry_statistics(store: SqlStore) -> None:
    s = _logged(store, 100)
    keys = {k.key: k for k in store.list_series_keys(s.ref)}
    assert set(keys) == {"loss", "epoch", "_timestamp", "_runtime"}
    loss = keys["loss"]
    assert (loss.count, loss.first_step, loss.last_step) == (100, 0, 99)
    assert (loss.min, loss.max, loss.last) == (0.01, 1.0, 0.01)


def test_series_block_holds_raw_points(store: SqlStore) -> None:
    s = _logged(store, 20)
    block = store.read_series_block(s.ref, "loss", min_step=5, max_step=9, max_points=1000)
    assert block.is_raw
    assert block.steps.tolist() == [5, 6, 7, 8, 9]
    assert block.min.tolist() == block.max.tolist() == [1.0 / (step + 1) for step in range(5, 10)]


def test_reads_of_unknown_runs_are_not_found(store: SqlStore) -> None:
    ref = Stream(run_id="ghost").ref
    for read in (store.list_series_keys, store.read_history, store.list_files):
        with pytest.raises(NotFound):
            read(ref)
