"""The effective summary: explicit values win, define_metric statistics, else last values."""

from __future__ import annotations

import math

from tests.contract.contract_helpers import Stream

from epochal.store.sql_store import SqlStore
from epochal.wire.records import MetricDefined, RowsRejected, RunUpdate, SummaryUpdate


def test_summary_holds_the_last_value_of_each_key(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0, "acc": 0.1, "img": {"_type": "image-file", "sha256": "0" * 64}})
    s.log(1, {"loss": 0.5, "val": {"loss": 0.7}})
    store.ingest(s.ref, "s1", s.take())
    summary = store.get_run(s.ref).summary
    assert summary == {"loss": 0.5, "acc": 0.1, "val.loss": 0.7, "img": {"_type": "image-file", "sha256": "0" * 64}}


def test_explicit_summary_wins_over_history(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    s.add(SummaryUpdate, set={"loss": 0.01, "f1": 0.8, "report": {"acc": 0.9}})
    s.log(1, {"loss": 0.5})
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).summary == {"loss": 0.01, "f1": 0.8, "report.acc": 0.9}


def test_summary_delete_hides_a_key_until_logged_again(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0, "acc": 0.5})
    s.add(SummaryUpdate, set={"f1": 0.8}, delete=["acc", "f1"])
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).summary == {"loss": 1.0}
    s.log(1, {"acc": 0.6})
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).summary == {"loss": 1.0, "acc": 0.6}


def test_define_metric_summaries_with_globs(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.add(MetricDefined, name="val/*", summary="min,max,mean,last")
    s.add(MetricDefined, name="acc", summary="best", goal="maximize")
    s.add(MetricDefined, name="loss", summary="best", goal="minimize")
    s.add(MetricDefined, name="hidden*", summary="none")
    for step, (val, acc, loss) in enumerate([(3.0, 0.2, 2.0), (1.0, 0.9, 0.5), (2.0, 0.4, 1.0)]):
        s.log(step, {"val/loss": val, "acc": acc, "loss": loss, "hidden_x": 1, "plain": step})
    store.ingest(s.ref, "s1", s.take())
    summary = store.get_run(s.ref).summary
    assert summary["val/loss"] == {"min": 1.0, "max": 3.0, "mean": 2.0, "last": 2.0}
    assert summary["acc"] == {"best": 0.9}
    assert summary["loss"] == {"best": 0.5}
    assert "hidden_x" not in summary
    assert summary["plain"] == 2
    assert [m.name for m in store.get_run(s.ref).metrics] == ["val/*", "acc", "loss", "hidden*"]


def test_define_metric_after_logging_recomputes_and_ignores_nan(store: SqlStore) -> None:
    s = Stream()
    s.start()
    for step, value in enumerate([5, math.nan, 2, 7]):
        s.log(step, {"loss": value})
    store.ingest(s.ref, "s1", s.take())
    s.add(MetricDefined, name="loss", summary="min,max")
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).summary["loss"] == {"min": 2.0, "max": 7.0}


def test_int_series_keep_int_statistics(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.add(MetricDefined, name="epoch", summary="min,max")
    for step in range(3):
        s.log(step, {"epoch": step + 10})
    store.ingest(s.ref, "s1", s.take())
    stats = store.get_run(s.ref).summary["epoch"]
    assert stats == {"min": 10, "max": 12}
    assert all(type(v) is int for v in stats.values())


def test_rejected_rows_are_counted(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.add(RowsRejected, step=3, current_step=10)
    s.add(RowsRejected, step=4, current_step=10, count=4)
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).rejected_rows == 5


def test_run_update_sets_only_given_fields(store: SqlStore) -> None:
    s = Stream()
    s.start(name="n", notes="keep me", tags=["x"])
    s.add(RunUpdate, name="renamed", tags=["y", "z"])
    store.ingest(s.ref, "s1", s.take())
    run = store.get_run(s.ref)
    assert (run.name, run.notes, run.tags) == ("renamed", "keep me", ["y", "z"])
