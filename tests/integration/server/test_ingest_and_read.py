"""A stream of records goes in over HTTP and comes back out through every read route."""

from __future__ import annotations

import math

import msgspec
import pytest
from tests.integration.server.server_client import ApiClient

from epochal.wire.api import HistoryPage, RunInfo, SeriesResponse
from epochal.wire.records import Finish, History, Record, RunStart, SummaryUpdate

START = RunStart(
    seq=1,
    t=1000.0,
    project="proj",
    run_id="r1",
    name="first run",
    tags=["baseline"],
    config={"learning_rate": 1e-3, "net": "CNN3 (skip-connection, sum)", "params": 1234},
)


def history(seq: int, step: int, row: dict[str, object]) -> History:
    return History(seq=seq, t=1000.0 + seq, step=step, row=row)


def test_a_stream_is_stored_and_read_back_through_every_route(api: ApiClient) -> None:
    records: list[Record] = [
        START,
        history(2, 0, {"loss": 1.0, "acc": 1, "opt": {"lr": 0.1, "momentum": 0.9}}),
        history(3, 1, {"loss": math.nan, "acc": 2, "opt": {"lr": 0.05, "momentum": 0.9}}),
        history(4, 2, {"loss": math.inf, "acc": 3, "note": "text"}),
        history(5, 3, {"loss": -math.inf, "acc": 4}),
        SummaryUpdate(seq=6, t=1010.0, set={"accuracy": 0.93, "f1": math.nan}),
        Finish(seq=7, t=1011.0, exit_code=0),
    ]
    response = api.ingest("r1", *records)
    assert response.status_code == 200, response.text
    assert response.json() == {"acked_seq": 7}

    projects = api.http.get("/projects").json()
    assert [(p["entity"], p["name"], p["run_count"]) for p in projects] == [("local", "proj", 1)]
    assert api.http.get("/projects/local/proj").json()["run_count"] == 1

    page = api.http.get("/projects/local/proj/runs").json()
    assert page["total"] == 1
    run = api.run("r1")
    assert page["runs"][0] == run
    assert run["name"] == "first run"
    assert run["state"] == "finished"
    assert run["config"]["net"] == "CNN3 (skip-connection, sum)"
    assert run["summary"]["accuracy"] == 0.93
    assert run["summary"]["f1"] == "NaN"
    assert run["history_rows"] == 4

    keys = {k["key"]: k for k in api.http.get("/projects/local/proj/runs/r1/keys").json()}
    assert {"loss", "acc", "opt.lr", "opt.momentum"} <= set(keys)
    assert keys["acc"]["count"] == 4 and keys["acc"]["last"] == 4
    assert api.http.get("/projects/local/proj/keys").json() == sorted(keys)

    rows = api.http.get("/projects/local/proj/runs/r1/history").json()["rows"]
    assert [row["_step"] for row in rows] == [0, 1, 2, 3]
    assert [row["loss"] for row in rows] == [1.0, "NaN", "Infinity", "-Infinity"]
    assert rows[0]["opt.lr"] == 0.1
    assert rows[0]["acc"] == 1 and isinstance(rows[0]["acc"], int)
    assert rows[2]["note"] == "text"

    only_acc = api.http.get("/projects/local/proj/runs/r1/history", params={"keys": "acc", "min_step": 2}).json()
    assert [(row["_step"], row.get("acc"), "loss" in row) for row in only_acc["rows"]] == [(2, 3, False), (3, 4, False)]

    series = api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "loss"}).json()
    (line,) = series["lines"]
    assert line["exact"] is True
    assert line["steps"] == [0, 1, 2, 3]
    assert line["max"] == [1.0, "NaN", "Infinity", "-Infinity"]


def test_msgspack_responses_carry_non_finite_floats_bit_for_bit(api: ApiClient) -> None:
    tiny = 5e-324
    api.ingest("r1", START, history(2, 0, {"x": math.nan, "y": tiny}), history(3, 1, {"x": -math.inf, "y": 0.1}))
    msgpack = {"Accept": "application/msgpack"}

    response = api.http.get("/projects/local/proj/runs/r1/history", headers=msgpack)
    assert response.headers["content-type"] == "application/msgpack"
    rows = msgspec.msgpack.decode(response.content, type=HistoryPage).rows
    assert math.isnan(rows[0]["x"]) and rows[1]["x"] == -math.inf
    assert rows[0]["y"] == tiny and rows[1]["y"] == 0.1

    run = msgspec.msgpack.decode(api.http.get("/projects/local/proj/runs/r1", headers=msgpack).content, type=RunInfo)
    assert run.run_id == "r1" and run.config["learning_rate"] == 1e-3

    series_response = api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "y"}, headers=msgpack)
    (line,) = msgspec.msgpack.decode(series_response.content, type=SeriesResponse).lines
    assert line.min == [tiny, 0.1]


def test_series_of_many_points_keeps_a_single_spike(api: ApiClient) -> None:
    points = 20_000
    spike_step = 12_345
    rows = [
        history(seq, seq - 2, {"loss": 1e6 if seq - 2 == spike_step else 1.0 / (seq - 1)})
        for seq in range(2, points + 2)
    ]
    assert api.ingest("r1", START, *rows).status_code == 200

    width = 100
    response = api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "loss", "width": width})
    (line,) = response.json()["lines"]
    assert line["exact"] is False
    assert 0 < len(line["steps"]) <= 2 * width
    assert max(line["max"]) == 1e6
    spike_bucket = line["max"].index(1e6)
    assert line["steps"][spike_bucket] <= spike_step
    assert spike_bucket == len(line["steps"]) - 1 or line["steps"][spike_bucket + 1] > spike_step
    assert min(line["min"]) == pytest.approx(1.0 / points)
    assert all(lo <= mean <= hi for lo, mean, hi in zip(line["min"], line["mean"], line["max"], strict=True))

    zoomed = api.http.get(
        "/projects/local/proj/series",
        params={"run": "r1", "key": "loss", "min_step": spike_step - 10, "max_step": spike_step + 10},
    ).json()["lines"][0]
    assert zoomed["exact"] is True
    assert zoomed["steps"] == list(range(spike_step - 10, spike_step + 11))
    assert zoomed["max"][10] == 1e6


def test_series_overlays_several_runs_and_refuses_unknown_ones(api: ApiClient) -> None:
    api.ingest("r1", START, history(2, 0, {"loss": 1.0}))
    second = msgspec.structs.replace(START, run_id="r2")
    api.ingest("r2", second, history(2, 5, {"loss": 2.0}))

    lines = api.http.get("/projects/local/proj/series", params={"run": ["r1", "r2"], "key": "loss"}).json()["lines"]
    assert [(line["run_id"], line["steps"], line["max"]) for line in lines] == [("r1", [0], [1.0]), ("r2", [5], [2.0])]

    missing_key = api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "nope"}).json()["lines"]
    assert missing_key[0]["steps"] == []

    api.expect_error(
        api.http.get("/projects/local/proj/series", params={"run": ["r1", "ghost"], "key": "loss"}), 404, "not_found"
    )
    api.expect_error(api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "loss", "width": 0}), 422)
    api.expect_error(
        api.http.get("/projects/local/proj/series", params={"run": "r1", "key": "loss", "min_step": 5, "max_step": 1}),
        422,
    )


def test_a_retried_batch_is_stored_once(api: ApiClient) -> None:
    batch: list[Record] = [START, history(2, 0, {"loss": 1.0}), history(3, 1, {"loss": 0.5})]
    assert api.ingest("r1", *batch).json() == {"acked_seq": 3}
    assert api.ingest("r1", *batch).json() == {"acked_seq": 3}
    overlapping = [*batch[1:], history(4, 2, {"loss": 0.25})]
    assert api.ingest("r1", *overlapping).json() == {"acked_seq": 4}

    assert api.run("r1")["history_rows"] == 3
    rows = api.http.get("/projects/local/proj/runs/r1/history").json()["rows"]
    assert [row["loss"] for row in rows] == [1.0, 0.5, 0.25]
    assert api.http.get("/projects/local/proj/runs/r1/streams/s1").json() == {"acked_seq": 4}
    assert api.http.get("/projects/local/proj/runs/r1/streams/other").json() == {"acked_seq": 0}


def test_a_gap_in_sequence_numbers_is_a_conflict_naming_the_acked_seq(api: ApiClient) -> None:
    api.ingest("r1", START, history(2, 0, {"loss": 1.0}))
    body = api.expect_error(api.ingest("r1", history(5, 1, {"loss": 0.5})), 409, "sequence_conflict")
    assert body["acked_seq"] == 2
    assert api.run("r1")["history_rows"] == 1


def test_entity_dash_means_the_default_entity(api: ApiClient) -> None:
    assert api.ingest("r1", START, entity="-").status_code == 200
    assert api.ingest("r1", history(2, 0, {"a": 1}), entity="local").json() == {"acked_seq": 2}
    assert api.http.get("/projects/-/proj/runs/r1").json()["entity"] == "local"
    assert api.http.get("/viewer").json() == {"username": "local", "entity": "local"}


def test_heartbeat_keeps_a_run_alive_and_unknown_runs_are_404(api: ApiClient) -> None:
    api.ingest("r1", START)
    before = api.run("r1")["heartbeat_at"]
    assert api.http.post("/projects/local/proj/runs/r1/heartbeat").status_code == 204
    assert api.run("r1")["heartbeat_at"] >= before
    api.expect_error(api.http.post("/projects/local/proj/runs/ghost/heartbeat"), 404, "not_found")
    api.expect_error(api.http.get("/projects/local/proj/runs/ghost"), 404, "not_found")
    api.expect_error(api.http.get("/projects/local/proj/runs/ghost/history"), 404, "not_found")
    api.expect_error(api.http.get("/projects/local/proj/runs/ghost/keys"), 404, "not_found")
    api.expect_error(api.http.get("/projects/local/nope"), 404, "not_found")
    api.expect_error(api.http.get("/projects/local/nope/keys"), 404, "not_found")


def test_runs_can_be_filtered_edited_and_deleted(api: ApiClient) -> None:
    api.ingest("r1", START, Finish(seq=2, t=1001.0))
    other = msgspec.structs.replace(START, run_id="r2", name="second", config={"learning_rate": 0.1})
    api.ingest("r2", other)

    def run_ids(*filters: str, **params: str) -> list[str]:
        response = api.http.get("/projects/local/proj/runs", params={"filter": list(filters), **params})
        assert response.status_code == 200, response.text
        return sorted(run["run_id"] for run in response.json()["runs"])

    assert run_ids("config.learning_rate<0.01") == ["r1"]
    assert run_ids("state=finished") == ["r1"]
    assert run_ids("name~sec") == ["r2"]
    assert run_ids(search="second") == ["r2"]
    assert run_ids(order="name") == ["r1", "r2"]
    api.expect_error(api.http.get("/projects/local/proj/runs", params={"filter": "colour=red"}), 422, "invalid_filter")
    api.expect_error(api.http.get("/projects/local/proj/runs", params={"filter": "no operator"}), 422)
    api.expect_error(api.http.get("/projects/local/proj/runs", params={"order": "-shoe_size"}), 422)

    patched = api.http.patch("/projects/local/proj/runs/r2", json={"name": "renamed", "tags": ["x"]})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["name"], patched.json()["tags"]) == ("renamed", ["x"])
    assert api.run("r2")["name"] == "renamed"

    assert api.http.delete("/projects/local/proj/runs/r2").status_code == 204
    api.expect_error(api.http.get("/projects/local/proj/runs/r2"), 404)
    assert run_ids() == ["r1"]
