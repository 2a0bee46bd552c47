"""Ingest: runs created by RunStart, exactly-once streams, resume, flattening, exact values."""

from __future__ import annotations

import math
import struct
import threading

import numpy as np
import pytest
from tests.contract.contract_helpers import ENTITY, T0, Stream

from epochal.store.base import Conflict, InvalidRecord, NotFound, RunRef
from epochal.store.sql_store import SqlStore
from epochal.wire.records import ConfigUpdate, Finish, History


def test_run_start_creates_project_and_run(store: SqlStore) -> None:
    s = Stream()
    s.start(
        name="first try",
        group="g",
        job_type="train",
        tags=["a", "b"],
        notes="hello",
        config={"lr": 0.001, "net": {"layers": 3}},
        system={"host": "box"},
    )
    assert store.ingest(s.ref, "s1", s.take()).acked_seq == 1

    run = store.get_run(s.ref)
    assert (run.entity, run.project, run.run_id, run.name) == (ENTITY, "proj", "run1", "first try")
    assert run.state == "running"
    assert (run.group, run.job_type, run.tags, run.notes) == ("g", "train", ["a", "b"], "hello")
    assert run.config == {"lr": 0.001, "net": {"layers": 3}}
    assert run.system == {"host": "box"}
    assert run.created_at == T0 + 1
    assert store.get_project(ENTITY, "proj").run_count == 1


def test_run_name_defaults_to_run_id(store: SqlStore) -> None:
    s = Stream(run_id="abc123")
    s.start()
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).name == "abc123"


def test_unknown_run_without_run_start_is_not_found(store: SqlStore) -> None:
    s = Stream()
    s.log(0, {"loss": 1.0})
    with pytest.raises(NotFound, match="RunStart"):
        store.ingest(s.ref, "s1", s.take())
    with pytest.raises(NotFound):
        store.get_run(s.ref)
    assert store.list_projects() == []


def test_run_start_for_another_run_is_invalid(store: SqlStore) -> None:
    s = Stream(run_id="run1")
    s.start()
    with pytest.raises(InvalidRecord, match="run1"):
        store.ingest(RunRef(ENTITY, "proj", "other"), "s1", s.take())


def test_same_batch_twice_is_stored_once(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    s.log(1, {"loss": 0.5})
    batch = s.take()
    assert store.ingest(s.ref, "s1", batch).acked_seq == 3
    assert store.ingest(s.ref, "s1", batch).acked_seq == 3
    assert store.read_series(s.ref, "loss").values.tolist() == [1.0, 0.5]
    assert store.get_run(s.ref).history_rows == 2
    assert store.stream_ack(s.ref, "s1") == 3


def test_overlapping_batch_stores_only_new_records(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    first = s.take()
    store.ingest(s.ref, "s1", first)
    s.log(1, {"loss": 0.5})
    s.log(2, {"loss": 0.25})
    assert store.ingest(s.ref, "s1", first + s.take()).acked_seq == 4
    assert store.read_series(s.ref, "loss").values.tolist() == [1.0, 0.5, 0.25]


def test_gap_is_a_conflict_carrying_the_acked_seq(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    store.ingest(s.ref, "s1", s.take())
    s.log(1, {"loss": 0.5})
    s.take()  # seq 3 is lost in transit
    s.log(2, {"loss": 0.25})
    with pytest.raises(Conflict) as excinfo:
        store.ingest(s.ref, "s1", s.take())
    assert excinfo.value.acked_seq == 2
    assert store.read_series(s.ref, "loss").values.tolist() == [1.0]


def test_gap_inside_a_batch_rejects_the_whole_batch(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    batch = s.take()
    s.seq += 1
    s.log(1, {"loss": 0.5})
    with pytest.raises(InvalidRecord, match="consecutive"):
        store.ingest(s.ref, "s1", batch + s.take())
    with pytest.raises(NotFound):
        store.get_run(s.ref)


def test_streams_are_acked_independently(store: SqlStore) -> None:
    s = Stream()
    s.start()
    store.ingest(s.ref, "first", s.take())
    second = Stream()
    second.log(5, {"loss": 2.0})
    assert store.ingest(s.ref, "second", second.take()).acked_seq == 1
    assert store.stream_ack(s.ref, "first") == 1
    assert store.stream_ack(s.ref, "second") == 1
    assert store.stream_ack(s.ref, "unknown") == 0
    assert store.stream_ack(RunRef(ENTITY, "proj", "nope"), "first") == 0


def test_resume_keeps_history_merges_config_and_runs_again(store: SqlStore) -> None:
    s = Stream()
    s.start(config={"lr": 0.1, "epochs": 10})
    s.log(0, {"loss": 1.0}, t=T0 + 10)
    s.add(Finish, exit_code=0, t=T0 + 20)
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).runtime == pytest.approx(19.0)

    again = Stream()
    again.start(resume=True, config={"epochs": 20}, t=T0 + 100)
    again.log(1, {"loss": 0.5}, t=T0 + 105)
    store.ingest(again.ref, "s2", again.take())

    run = store.get_run(s.ref)
    assert run.state == "running"
    assert run.finished_at is None and run.exit_code is None
    assert run.config == {"lr": 0.1, "epochs": 20}
    assert store.read_series(s.ref, "loss").values.tolist() == [1.0, 0.5]
    assert run.runtime == pytest.approx(24.0)
    assert store.read_series(s.ref, "_runtime").values.tolist() == pytest.approx([9.0, 24.0])
    assert run.history_rows == 2


def test_rows_are_flattened_and_split_by_type(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"train": {"loss": 0.5, "acc": 0.9}, "note": "warmup", "items": [1, 2], "none": None})
    result = store.ingest(s.ref, "s1", s.take())
    assert set(result.touched_keys) == {"train.loss", "train.acc", "_timestamp", "_runtime"}
    assert {k.key for k in store.list_series_keys(s.ref)} == {"train.loss", "train.acc", "_timestamp", "_runtime"}
    row = store.read_history(s.ref).rows[0]
    assert row["train.loss"] == 0.5 and row["train.acc"] == 0.9
    assert row["note"] == "warmup" and row["items"] == [1, 2] and row["none"] is None


def test_integer_keys_of_nested_dicts_become_decimal_strings(store: SqlStore) -> None:
    """``log({"acc": {0: 0.9}})``, a per-class metric: stored as ``acc.0``, as wandb's JSON has it."""
    s = Stream()
    s.start()
    s.log(0, {"per_class": {0: 0.5, 1: 0.25}, "loss": 1.0})
    s.log(1, {"per_class": {0: 0.75, 1: 0.5}, "loss": 0.5})
    store.ingest(s.ref, "s1", s.take())
    assert store.read_series(s.ref, "per_class.0").values.tolist() == [0.5, 0.75]
    assert store.read_series(s.ref, "per_class.1").values.tolist() == [0.25, 0.5]
    assert store.get_run(s.ref).summary["per_class.1"] == 0.5


def test_values_round_trip_exactly(store: SqlStore) -> None:
    payload_nan = struct.unpack("<d", struct.pack("<Q", 0x7FF8_0000_DEAD_BEEF))[0]
    floats = [math.nan, math.inf, -math.inf, -0.0, 5e-324, 1e308, payload_nan]
    s = Stream()
    s.start()
    for step, value in enumerate(floats):
        s.log(step, {"f": value, "i": step * (2**62 // 7), "b": step % 2 == 0})
    store.ingest(s.ref, "s1", s.take())

    f = store.read_series(s.ref, "f")
    assert f.values.dtype == np.float64
    assert f.values.view(np.uint64).tolist() == np.array(floats).view(np.uint64).tolist()
    i = store.read_series(s.ref, "i")
    assert i.values.dtype == np.int64
    assert i.values.tolist() == [step * (2**62 // 7) for step in range(len(floats))]
    b = store.read_series(s.ref, "b")
    assert b.values.dtype == np.bool_
    assert b.values.tolist() == [step % 2 == 0 for step in range(len(floats))]
    row = store.read_history(s.ref, keys=["i", "b"]).rows[1]
    assert type(row["i"]) is int and type(row["b"]) is bool


def test_huge_ints_are_kept_exactly_as_history_objects(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"big": 2**64 - 1})
    store.ingest(s.ref, "s1", s.take())
    assert store.read_history(s.ref).rows[0]["big"] == 2**64 - 1


def _nested(depth: int) -> dict[str, object]:
    row: dict[str, object] = {"leaf": 1.0}
    for _ in range(depth):
        row = {"level": row}
    return row


@pytest.mark.parametrize(
    "row",
    [
        {"": 1.0},
        {"a" * 300: 1.0},
        {"bad\x00key": 1.0},
        _nested(20),
        {"s": "x" * (1024 * 1024 + 1)},
        {"acc": {"": 1.0}},
        {"acc": {1.5: 1.0}},
        {"acc": {True: 1.0}},
    ],
    ids=["empty", "long", "nul", "deep", "long-string", "nested-empty", "nested-float-key", "nested-bool-key"],
)
def test_bad_rows_reject_the_batch_and_store_nothing(store: SqlStore, row: dict[str, object]) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    store.ingest(s.ref, "s1", s.take())
    s.log(1, {"loss": 0.5})
    s.log(2, row)
    with pytest.raises(InvalidRecord):
        store.ingest(s.ref, "s1", s.take())
    assert store.stream_ack(s.ref, "s1") == 2
    assert store.read_series(s.ref, "loss").values.tolist() == [1.0]


def test_negative_step_is_invalid(store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(-1, {"loss": 1.0})
    with pytest.raises(InvalidRecord, match="step"):
        store.ingest(s.ref, "s1", s.take())


def test_config_update_replaces_top_level_keys(store: SqlStore) -> None:
    s = Stream()
    s.start(config={"lr": 0.1, "opt": {"name": "sgd", "momentum": 0.9}})
    s.add(ConfigUpdate, values={"opt": {"name": "adam"}, "batch": 32})
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).config == {"lr": 0.1, "opt": {"name": "adam"}, "batch": 32}


def test_concurrent_ingest_threads_never_fail(store: SqlStore) -> None:
    errors: list[BaseException] = []

    def train(run_id: str) -> None:
        try:
            s = Stream(run_id=run_id)
            s.start()
            store.ingest(s.ref, "s1", s.take())
            for step in range(40):
                s.log(step, {"loss": 1.0 / (step + 1)})
                store.ingest(s.ref, "s1", s.take())
        except BaseException as exc:  # collected and asserted on the main thread
            errors.append(exc)

    threads = [threading.Thread(target=train, args=(f"run{i}",)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.get_project(ENTITY, "proj").run_count == 6
    for i in range(6):
        assert len(store.read_series(RunRef(ENTITY, "proj", f"run{i}"), "loss").steps) == 40


def test_history_record_counts_and_last_step(store: SqlStore) -> None:
    s = Stream()
    s.start()
    for step in range(5):
        s.add(History, step=step * 10, row={"x": step})
    store.ingest(s.ref, "s1", s.take())
    run = store.get_run(s.ref)
    assert (run.history_rows, run.last_step) == (5, 40)
    assert run.heartbeat_at == s.t
