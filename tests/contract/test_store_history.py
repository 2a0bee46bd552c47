"""Reading history back: rows with paging, series ranges, keys and blocks."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.contract.contract_helpers import T0, Stream

from epochal.analysis.envelope import Points, envelope
from epochal.store.base import NotFound, SeriesBlock
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


_SPECIAL = [math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, -0.0, 1e-300]
_run_numbers = itertools.count()


def _check_block_and_envelope(
    block: SeriesBlock, steps: np.ndarray, values: np.ndarray, width: int, lo: int | None, hi: int | None
) -> None:
    """Entries cover exactly the points in range, never overlap, and keep exact extremes."""
    in_range = np.ones(len(steps), dtype=np.bool_)
    if lo is not None:
        in_range &= steps >= lo
    if hi is not None:
        in_range &= steps <= hi
    steps, values = steps[in_range], values[in_range]
    assert int(block.count.sum()) == len(steps)
    assert np.all(block.steps <= block.step_ends)
    touching = block.steps[1:] == block.step_ends[:-1]  # only raw points of one repeated step may share it
    assert np.all(block.steps[1:] >= block.step_ends[:-1])
    single = block.steps == block.step_ends
    assert np.all(single[1:][touching] & single[:-1][touching])
    starts, first = np.unique(block.steps, return_index=True)  # raw points of one step share a span
    span_ends = block.step_ends[first]
    span = np.searchsorted(starts, steps, side="right") - 1
    assert np.all(steps <= span_ends[span])
    for i, (lo_i, hi_i) in enumerate(zip(first, [*first[1:], len(block.steps)], strict=True)):
        mine = values[span == i]
        assert len(mine) == block.count[lo_i:hi_i].sum()
        numbers = mine[~np.isnan(mine)]
        expected = (numbers.min(), numbers.max()) if len(numbers) else (np.nan, np.nan)
        found = (np.fmin.reduce(block.min[lo_i:hi_i]), np.fmax.reduce(block.max[lo_i:hi_i]))
        np.testing.assert_array_equal(found, expected)
    if not len(steps):
        return
    env = envelope(
        Points(block.steps, block.step_ends, block.min, block.max, block.sum, block.count),
        width,
        first_step=lo,
        last_step=hi,
    )
    if env.exact:  # few points: the chart gets them all, bit-exact
        order = np.argsort(steps, kind="stable")
        assert env.steps.tolist() == steps[order].tolist()
        assert env.min.view(np.uint64).tolist() == values[order].view(np.uint64).tolist()
        return
    bucket = np.searchsorted(env.steps, steps, side="right") - 1
    for b in range(len(env.steps)):
        mine = values[bucket == b]
        numbers = mine[~np.isnan(mine)]
        if len(numbers):
            assert env.min[b] == numbers.min() and env.max[b] == numbers.max()  # attained by real points
        else:
            assert np.isnan(env.min[b]) and np.isnan(env.max[b])


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    seed=st.integers(0, 2**32 - 1),
    n=st.integers(1, 12_000),
    batches=st.integers(1, 4),
    disorder=st.sampled_from(["increasing", "repeats", "shuffled"]),
    specials=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(_SPECIAL)), max_size=6),
)
def test_series_blocks_keep_every_point_inside_an_exact_envelope(
    store: SqlStore, seed: int, n: int, batches: int, disorder: str, specials: list[tuple[float, float]]
) -> None:
    rng = np.random.default_rng(seed)
    steps = np.arange(n, dtype=np.int64) * int(rng.integers(1, 5))
    if disorder == "repeats":
        steps = np.sort(rng.integers(0, max(n // 3, 1), n)).astype(np.int64)
    elif disorder == "shuffled":
        steps = rng.permutation(steps)
    values = np.exp(-np.arange(n) / 3000.0) + rng.standard_normal(n) * 0.1
    for where, special in specials:
        values[int(where * n)] = special
    s = Stream(run_id=f"lod{next(_run_numbers)}")
    s.start(t=T0)
    store.ingest(s.ref, "s1", s.take())
    for part in np.array_split(np.arange(n), batches):
        for i in part.tolist():
            s.log(int(steps[i]), {"v": float(values[i])}, t=T0)
        store.ingest(s.ref, "s1", s.take())
    order = np.argsort(steps, kind="stable")
    raw = store.read_series(s.ref, "v")
    assert raw.steps.tolist() == steps[order].tolist()
    assert raw.values.view(np.uint64).tolist() == values[order].view(np.uint64).tolist()  # bit-exact
    top = int(steps.max())
    for width in (1, 3, 40, 700):
        for lo, hi in ((None, None), (top // 5, None), (None, top // 2), (top // 7, top - top // 3)):
            block = store.read_series_block(s.ref, "v", min_step=lo, max_step=hi, max_points=2 * width)
            _check_block_and_envelope(block, steps, values, width, lo, hi)


def test_long_series_read_as_summaries_not_raw_points(store: SqlStore) -> None:
    s = Stream()
    s.start(t=T0)
    n = 3 * CHUNK_POINTS + 100
    for step in range(n):
        s.log(step, {"v": 1e6 if step == 5000 else float(step % 17)}, t=T0)
    store.ingest(s.ref, "s1", s.take())
    chunked = store.read_series_block(s.ref, "v", max_points=8)
    assert len(chunked.steps) <= 5 and chunked.max.max() == 1e6
    summarised = store.read_series_block(s.ref, "v", max_points=200)
    assert 100 <= len(summarised.steps) <= 400 and not summarised.is_raw
    zoomed = store.read_series_block(s.ref, "v", min_step=4990, max_step=9000, max_points=40)
    assert int(zoomed.count.sum()) == 9000 - 4990 + 1
    assert zoomed.steps[0] == 4990 and zoomed.step_ends[-1] == 9000 and zoomed.max.max() == 1e6
