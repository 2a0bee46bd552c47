"""Reads over a project's runs at once: the key union (one chart per key) and overlay blocks."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tests.contract.contract_helpers import Stream

from epochal.store.base import NotFound, SeriesBlock
from epochal.store.sql_store import SqlStore

RESERVED = ["_runtime", "_timestamp"]
"""Every history row logs these two, so any run with history has them."""


def _run(store: SqlStore, rows: list[dict[str, object]], *, project: str = "proj", run_id: str = "run1") -> Stream:
    s = Stream(project=project, run_id=run_id)
    s.start()
    for step, row in enumerate(rows):
        s.log(step, row)
    store.ingest(s.ref, "s1", s.take())
    return s


def test_the_union_holds_every_scalar_key_of_every_run_once_and_sorted(store: SqlStore) -> None:
    _run(store, [{"train/loss": 1.0, "lr": 0.1}, {"train/loss": 0.5, "opt": {"momentum": 0.9}}], run_id="a")
    _run(store, [{"val/acc": 0.7, "lr": 0.01, "train/loss": 2.0}], run_id="b")
    _run(store, [{"epoch": 1, "done": True}], run_id="c")

    assert store.list_project_series_keys("local", "proj") == [
        *RESERVED,
        "done",
        "epoch",
        "lr",
        "opt.momentum",
        "train/loss",
        "val/acc",
    ]


def test_the_union_leaves_out_non_scalar_values_and_other_projects(store: SqlStore) -> None:
    _run(store, [{"loss": 1.0, "note": "text", "sizes": [1, 2], "nothing": None}])
    _run(store, [{"other_loss": 1.0}], project="elsewhere")

    assert store.list_project_series_keys("local", "proj") == [*RESERVED, "loss"]
    assert store.list_project_series_keys("local", "elsewhere") == [*RESERVED, "other_loss"]


def test_a_project_without_history_has_no_keys_and_an_unknown_one_is_not_found(store: SqlStore) -> None:
    _run(store, [])

    assert store.list_project_series_keys("local", "proj") == []
    with pytest.raises(NotFound):
        store.list_project_series_keys("local", "ghost")
    with pytest.raises(NotFound):
        store.list_project_series_keys("someone-else", "proj")


def test_keys_of_a_deleted_run_leave_the_union(store: SqlStore) -> None:
    kept = _run(store, [{"loss": 1.0}], run_id="kept")
    gone = _run(store, [{"loss": 1.0, "grad_norm": 3.0}], run_id="gone")

    assert store.list_project_series_keys("local", "proj") == [*RESERVED, "grad_norm", "loss"]
    store.delete_run(gone.ref)

    assert store.list_project_series_keys("local", "proj") == [*RESERVED, "loss"]
    assert store.get_run(kept.ref).run_id == "kept"


def _long_run(store: SqlStore, run_id: str, points: int, spike_at: int) -> Stream:
    s = Stream(run_id=run_id)
    s.start()
    store.ingest(s.ref, "s1", s.take())
    for step in range(points):
        value = 1e6 if step == spike_at else (math.nan if step == spike_at + 1 else 1.0 / (step + 1))
        s.log(step, {"loss": value})
        if len(s.records) == 5000:
            store.ingest(s.ref, "s1", s.take())
    store.ingest(s.ref, "s1", s.take())
    return s


def _assert_same(got: SeriesBlock, expected: SeriesBlock) -> None:
    for name in ("steps", "step_ends", "min", "max", "sum", "count"):
        np.testing.assert_array_equal(getattr(got, name), getattr(expected, name), err_msg=name)


@pytest.mark.parametrize(
    ("min_step", "max_step", "max_points"),
    [
        (None, None, None),  # every point
        (None, None, 100_000),  # fits: raw points
        (None, None, 8),  # the chunks' own statistics
        (None, None, 200),  # the chunks' summaries
        (1_000, 17_777, 200),  # summaries cut at the range's edges by raw points
        (12_000, 12_100, 200),  # a short range: raw points
    ],
)
def test_blocks_of_several_runs_are_what_each_run_gives_alone(
    store: SqlStore, min_step: int | None, max_step: int | None, max_points: int | None
) -> None:
    _long_run(store, "a", 20_000, spike_at=12_345)
    _long_run(store, "b", 9_000, spike_at=10)
    _run(store, [{"other": 1.0}], run_id="no-loss")
    order = ["b", "no-loss", "a"]

    blocks = store.read_series_blocks(
        "local", "proj", order, "loss", min_step=min_step, max_step=max_step, max_points=max_points
    )

    assert len(blocks) == len(order)
    for run_id, block in zip(order, blocks, strict=True):
        alone = Stream(run_id=run_id).ref
        _assert_same(
            block,
            store.read_series_block(alone, "loss", min_step=min_step, max_step=max_step, max_points=max_points),
        )
    assert len(blocks[1].steps) == 0
    spike_in_range = (min_step or 0) <= 12_345 <= (max_step if max_step is not None else 20_000)
    assert (float(np.nanmax(blocks[2].max)) == 1e6) is spike_in_range


def test_blocks_of_an_unknown_run_or_project_are_not_found(store: SqlStore) -> None:
    _run(store, [{"loss": 1.0}])

    with pytest.raises(NotFound, match="ghost"):
        store.read_series_blocks("local", "proj", ["run1", "ghost"], "loss", max_points=100)
    with pytest.raises(NotFound):
        store.read_series_blocks("local", "nowhere", ["run1"], "loss", max_points=100)
    assert store.read_series_blocks("local", "proj", [], "loss", max_points=100) == []
