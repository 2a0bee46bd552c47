"""What the workspace asks first: the project's keys, then one overlay chart of many runs per key."""

from __future__ import annotations

import math
from collections.abc import Callable

import msgspec
from tests.integration.server.server_client import ApiClient

from epochal.wire.api import SeriesResponse
from epochal.wire.records import History, RunStart

POINTS = 6_000
WIDTH = 50


def _start(run_id: str, project: str = "proj") -> RunStart:
    return RunStart(seq=1, t=1000.0, project=project, run_id=run_id)


def _history(seq: int, step: int, row: dict[str, object]) -> History:
    return History(seq=seq, t=1000.0 + step, step=step, row=row)


def _curve(api: ApiClient, run_id: str, value: Callable[[int], float]) -> None:
    rows = [_history(step + 2, step, {"loss": value(step)}) for step in range(POINTS)]
    assert api.ingest(run_id, _start(run_id), *rows).status_code == 200


def _as_json(values: list[float]) -> list[float | str]:
    names = {math.inf: "Infinity", -math.inf: "-Infinity"}
    return ["NaN" if math.isnan(v) else names.get(v, v) for v in values]


def test_project_keys_are_the_union_of_every_runs_keys(api: ApiClient) -> None:
    api.ingest("a", _start("a"), _history(2, 0, {"train/loss": 1.0, "lr": 0.1}))
    api.ingest("b", _start("b"), _history(2, 0, {"val/acc": 0.5, "opt": {"beta": 0.9}, "note": "text"}))
    api.ingest("c", _start("c", project="other"), _history(2, 0, {"other/loss": 1.0}))

    expected = ["_runtime", "_timestamp", "lr", "opt.beta", "train/loss", "val/acc"]
    assert api.http.get("/projects/local/proj/keys").json() == expected
    assert api.http.get("/projects/-/proj/keys").json() == expected
    msgpack = api.http.get("/projects/local/proj/keys", headers={"Accept": "application/msgpack"})
    assert msgspec.msgpack.decode(msgpack.content) == expected


def test_an_overlay_answers_the_same_numbers_in_json_and_msgpack(api: ApiClient) -> None:
    _curve(api, "smooth", lambda step: 1.0 / (step + 1))
    _curve(api, "spiky", lambda step: 1e6 if step == 4_321 else step / 3)
    _curve(api, "broken", lambda step: math.nan if step % 1000 == 7 else (math.inf if step == 5_555 else 0.5))
    params: dict[str, str | int | list[str]] = {
        "run": ["smooth", "spiky", "broken"],
        "key": "loss",
        "width": WIDTH,
        "x_key": "_timestamp",
    }

    as_json = api.http.get("/projects/local/proj/series", params=params).json()["lines"]
    packed = api.http.get("/projects/local/proj/series", params=params, headers={"Accept": "application/msgpack"})
    lines = msgspec.msgpack.decode(packed.content, type=SeriesResponse).lines

    assert [line["run_id"] for line in as_json] == [line.run_id for line in lines] == ["smooth", "spiky", "broken"]
    for from_json, line in zip(as_json, lines, strict=True):
        assert not line.exact and 0 < len(line.steps) <= 2 * WIDTH
        assert from_json["steps"] == line.steps
        for name in ("min", "max", "mean"):
            assert from_json[name] == _as_json(getattr(line, name)), (line.run_id, name)
        assert line.x is not None and from_json["x"] == _as_json(line.x)
    smooth, spiky, broken = lines
    assert max(spiky.max) == 1e6
    assert math.inf in broken.max and all(not math.isnan(v) for v in broken.max)
    assert smooth.steps == spiky.steps  # one bucket grid for every line
    assert smooth.x is not None and 1000.0 <= smooth.x[0] < smooth.x[-1] <= 1000.0 + POINTS  # wall time by step


def test_an_overlay_of_a_run_without_the_key_or_of_an_unknown_run(api: ApiClient) -> None:
    _curve(api, "a", float)
    api.ingest("quiet", _start("quiet"), _history(2, 0, {"acc": 1.0}))

    lines = api.http.get("/projects/local/proj/series", params={"run": ["quiet", "a", "a"], "key": "loss"}).json()
    assert [(line["run_id"], len(line["steps"]) > 0) for line in lines["lines"]] == [("quiet", False), ("a", True)]

    missing = api.http.get("/projects/local/proj/series", params={"run": ["a", "ghost"], "key": "loss"})
    assert "ghost" in api.expect_error(missing, 404, "not_found")["error"]["message"]
    api.expect_error(api.http.get("/projects/local/nowhere/series", params={"run": "a", "key": "loss"}), 404)
