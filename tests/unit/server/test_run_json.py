"""Runs-list JSON from cached per-run fragments is byte for byte the JSON of the whole page."""

from __future__ import annotations

import math
from pathlib import Path

from epochal.server.encoding import encode_json
from epochal.server.run_json import RunJsonCache
from epochal.store.base import RunQuery, RunRef
from epochal.store.factory import open_store
from epochal.wire.records import RunStart, SummaryUpdate


def test_fragments_match_the_whole_page_and_follow_changed_runs(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/e.db", tmp_path / "blobs")
    try:
        odd = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf, "nested": {"x": [1.5, math.nan]}, "é": "ü"}
        for index in range(5):
            ref = RunRef("e", "p", f"r{index}")
            config = {"lr": 10.0**-index, **(odd if index % 2 else {})}
            store.ingest(ref, "s", [
                RunStart(seq=1, t=1e9 + index, project="p", run_id=ref.run_id, config=config),
                SummaryUpdate(seq=2, t=1e9 + index, set={"acc": index / 7, **(odd if index == 2 else {})}),
            ])  # fmt: skip
        cache = RunJsonCache()
        query = RunQuery(order_by="-summary.acc", limit=3)
        first = store.list_runs("e", "p", query)
        assert cache.page(first) == encode_json(first)
        assert cache.page(first) == encode_json(first)  # from the fragments alone
        store.ingest(RunRef("e", "p", "r0"), "s", [SummaryUpdate(seq=3, t=2e9, set={"acc": 2.0})])
        changed = store.list_runs("e", "p", RunQuery(order_by="-summary.acc", limit=10))
        assert changed.runs[0].run_id == "r0"
        assert cache.page(changed) == encode_json(changed)  # r0's new summary, not its old fragment
    finally:
        store.close()


def test_a_full_cache_starts_over_and_still_answers_right(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path}/e.db", tmp_path / "blobs")
    try:
        for index in range(4):
            store.ingest(RunRef("e", "p", f"r{index}"), "s", [RunStart(seq=1, t=1e9, project="p", run_id=f"r{index}")])
        page = store.list_runs("e", "p", RunQuery())
        cache = RunJsonCache(max_runs=2)
        assert cache.page(page) == cache.page(page) == encode_json(page)
    finally:
        store.close()
