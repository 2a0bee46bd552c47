"""Run states, heartbeats, editing and deleting runs, listing runs and projects."""

from __future__ import annotations

import pytest
from tests.contract.contract_helpers import ENTITY, T0, Stream

from epochal.store.base import InvalidQuery, InvalidRecord, NotFound, RunFilter, RunQuery, RunRef
from epochal.store.sql_store import SqlStore
from epochal.wire.api import RunPatch
from epochal.wire.records import Finish


def _make_run(store: SqlStore, run_id: str, *, project: str = "proj", t: float = T0, **start: object) -> Stream:
    s = Stream(project=project, run_id=run_id, t=t)
    s.start(**start)
    store.ingest(s.ref, "s1", s.take())
    return s


def test_finish_with_zero_exit_code_is_finished(store: SqlStore) -> None:
    s = _make_run(store, "ok")
    s.add(Finish, exit_code=0)
    store.ingest(s.ref, "s1", s.take())
    run = store.get_run(s.ref)
    assert (run.state, run.exit_code, run.finished_at) == ("finished", 0, s.t)


def test_finish_with_error_is_failed(store: SqlStore) -> None:
    s = _make_run(store, "bad")
    s.add(Finish, exit_code=1, error="Traceback ...\nValueError: boom")
    store.ingest(s.ref, "s1", s.take())
    run = store.get_run(s.ref)
    assert (run.state, run.exit_code, run.error) == ("failed", 1, "Traceback ...\nValueError: boom")


def test_silent_running_runs_become_crashed(store: SqlStore) -> None:
    silent = _make_run(store, "silent", t=T0)
    alive = _make_run(store, "alive", t=T0)
    done = _make_run(store, "done", t=T0)
    done.add(Finish)
    store.ingest(done.ref, "s1", done.take())
    store.heartbeat(alive.ref, T0 + 500)

    crashed = store.mark_crashed(silent_since=T0 + 100)
    assert crashed == [silent.ref]
    assert store.get_run(silent.ref).state == "crashed"
    assert store.get_run(alive.ref).state == "running"
    assert store.get_run(alive.ref).heartbeat_at == T0 + 500
    assert store.get_run(done.ref).state == "finished"
    assert store.mark_crashed(silent_since=T0 + 100) == []


def test_a_crashed_run_that_resumes_runs_again(store: SqlStore) -> None:
    s = _make_run(store, "r", t=T0)
    store.mark_crashed(silent_since=T0 + 100)
    s.start(resume=True, t=T0 + 200)
    store.ingest(s.ref, "s1", s.take())
    assert store.get_run(s.ref).state == "running"


def test_heartbeat_of_unknown_run_is_not_found(store: SqlStore) -> None:
    with pytest.raises(NotFound):
        store.heartbeat(RunRef(ENTITY, "proj", "ghost"), T0)


def test_update_run_edits_fields_and_validates(store: SqlStore) -> None:
    s = _make_run(store, "r", notes="old")
    run = store.update_run(s.ref, RunPatch(name="better", tags=["best"], group="sweep-1"))
    assert (run.name, run.tags, run.group, run.notes) == ("better", ["best"], "sweep-1", "old")
    assert store.get_run(s.ref).name == "better"
    with pytest.raises(InvalidRecord):
        store.update_run(s.ref, RunPatch(tags=["t"] * 101))
    with pytest.raises(NotFound):
        store.update_run(RunRef(ENTITY, "proj", "ghost"), RunPatch(name="x"))


def test_delete_run_removes_it_and_its_data(store: SqlStore) -> None:
    s = _make_run(store, "r")
    s.log(0, {"loss": 1.0, "note": "x"})
    store.ingest(s.ref, "s1", s.take())
    keep = _make_run(store, "keep")
    store.delete_run(s.ref)
    with pytest.raises(NotFound):
        store.get_run(s.ref)
    with pytest.raises(NotFound):
        store.read_series(s.ref, "loss")
    assert store.stream_ack(s.ref, "s1") == 0
    assert store.get_run(keep.ref).run_id == "keep"
    assert store.get_project(ENTITY, "proj").run_count == 1
    with pytest.raises(NotFound):
        store.delete_run(s.ref)


def test_list_projects_counts_runs(store: SqlStore) -> None:
    for run_id in ("a", "b", "c"):
        _make_run(store, run_id, project="p1")
    _make_run(store, "x", project="p2")
    counts = {p.name: p.run_count for p in store.list_projects()}
    assert counts == {"p1": 3, "p2": 1}
    with pytest.raises(NotFound):
        store.get_project(ENTITY, "nope")


@pytest.fixture
def table(store: SqlStore) -> SqlStore:
    """Four runs with config, summary, tags and states to query."""
    specs = [
        ("r1", {"lr": 0.1, "opt": {"name": "sgd"}}, 0.9, ["baseline"], "finished", "first"),
        ("r2", {"lr": 0.01, "opt": {"name": "adam"}}, 0.5, ["best", "adam"], "running", "second"),
        ("r3", {"lr": 0.001, "opt": {"name": "adam"}}, 0.7, [], "failed", "third run"),
        ("r4", {"lr": "auto"}, None, ["odd"], "running", "fourth"),
    ]
    for i, (run_id, config, loss, tags, state, notes) in enumerate(specs):
        s = _make_run(store, run_id, t=T0 + i * 100, config=config, tags=tags, notes=notes)
        if loss is not None:
            s.log(0, {"loss": loss})
        if state != "running":
            s.add(Finish, exit_code=0 if state == "finished" else 1)
        store.ingest(s.ref, "s1", s.take())
    return store


def _ids(store: SqlStore, **query: object) -> list[str]:
    return [r.run_id for r in store.list_runs(ENTITY, "proj", RunQuery(**query)).runs]  # type: ignore[arg-type]


def test_list_runs_defaults_to_newest_first(table: SqlStore) -> None:
    assert _ids(table) == ["r4", "r3", "r2", "r1"]


def test_list_runs_filters(table: SqlStore) -> None:
    assert _ids(table, filters=[RunFilter("state", "=", "running")]) == ["r4", "r2"]
    assert _ids(table, filters=[RunFilter("config.lr", "<", 0.05)]) == ["r3", "r2"]
    assert _ids(table, filters=[RunFilter("config.opt.name", "=", "adam")]) == ["r3", "r2"]
    assert _ids(table, filters=[RunFilter("summary.loss", ">=", 0.7)]) == ["r3", "r1"]
    assert _ids(table, filters=[RunFilter("summary.loss", "!=", 0.7)]) == ["r4", "r2", "r1"]
    assert _ids(table, filters=[RunFilter("tags", "contains", "best")]) == ["r2"]
    assert _ids(table, filters=[RunFilter("tags", "in", ["odd", "baseline"])]) == ["r4", "r1"]
    assert _ids(table, filters=[RunFilter("state", "in", ["failed", "finished"])]) == ["r3", "r1"]
    assert _ids(table, filters=[RunFilter("name", "contains", "R2")]) == ["r2"]
    assert _ids(table, filters=[RunFilter("created_at", ">", T0 + 150)]) == ["r4", "r3"]
    both = [RunFilter("state", "=", "running"), RunFilter("config.lr", "=", "auto")]
    assert _ids(table, filters=both) == ["r4"]


def test_list_runs_search(table: SqlStore) -> None:
    assert _ids(table, search="THIRD") == ["r3"]
    assert _ids(table, search="adam") == ["r2"]
    assert _ids(table, search="r1") == ["r1"]


def test_list_runs_sorts_with_missing_values_last(table: SqlStore) -> None:
    assert _ids(table, order_by="summary.loss") == ["r2", "r3", "r1", "r4"]
    assert _ids(table, order_by="-summary.loss") == ["r1", "r3", "r2", "r4"]
    assert _ids(table, order_by="config.lr") == ["r3", "r2", "r1", "r4"]
    assert _ids(table, order_by="-name") == ["r4", "r3", "r2", "r1"]


def test_list_runs_pages_and_counts(table: SqlStore) -> None:
    page = table.list_runs(ENTITY, "proj", RunQuery(order_by="created_at", limit=2, offset=1))
    assert [r.run_id for r in page.runs] == ["r2", "r3"]
    assert page.total == 4


def test_list_runs_rejects_unknown_fields(table: SqlStore) -> None:
    with pytest.raises(InvalidQuery):
        table.list_runs(ENTITY, "proj", RunQuery(filters=[RunFilter("colour", "=", "red")]))
    with pytest.raises(InvalidQuery):
        table.list_runs(ENTITY, "proj", RunQuery(order_by="-colour"))
    with pytest.raises(NotFound):
        table.list_runs(ENTITY, "nope", RunQuery())
