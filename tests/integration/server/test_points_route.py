"""``GET .../runs/{id}/points``: every point of one key as two arrays, exact in msgpack, named NaN in JSON."""

from __future__ import annotations

import math
import struct

import msgspec
from tests.integration.server.server_client import ApiClient

from epochal.wire.api import SeriesPoints
from epochal.wire.records import History, RunStart

ODD = [math.nan, math.inf, -math.inf, 5e-324, 1.7976931348623157e308, -0.0]


def _ingest(api: ApiClient) -> list[float]:
    values = [1 / (step + 1) for step in range(9_000)]
    values[10:16] = ODD
    rows = [History(seq=s + 2, t=1000.0 + s, step=3 * s, row={"loss": v, "n": s}) for s, v in enumerate(values)]
    rows.append(History(seq=len(rows) + 2, t=2e3, step=30_000, row={"flag": True}))  # another key only
    assert api.ingest("r", RunStart(seq=1, t=1000.0, project="proj", run_id="r"), *rows).status_code == 200
    return values


def test_msgpack_points_are_every_value_bit_for_bit_in_step_order(api: ApiClient) -> None:
    values = _ingest(api)
    response = api.http.get(
        "/projects/-/proj/runs/r/points", params={"key": "loss"}, headers={"Accept": "application/msgpack"}
    )
    assert response.status_code == 200, response.text
    points = msgspec.msgpack.decode(response.content, type=SeriesPoints)
    assert points.steps == [3 * s for s in range(len(values))]
    bits = struct.Struct("<d").pack
    assert [bits(v) for v in points.values] == [bits(v) for v in values]  # NaN's payload and -0.0 included
    ints = api.http.get("/projects/-/proj/runs/r/points", params={"key": "n", "min_step": 300, "max_step": 306})
    assert ints.json() == {"key": "n", "steps": [300, 303, 306], "values": [100, 101, 102]}


def test_json_names_non_finite_values_and_an_unknown_key_is_empty(api: ApiClient) -> None:
    _ingest(api)
    body = api.http.get("/projects/-/proj/runs/r/points", params={"key": "loss", "min_step": 30, "max_step": 45}).json()
    assert body["values"] == ["NaN", "Infinity", "-Infinity", 5e-324, 1.7976931348623157e308, -0.0]
    empty = api.http.get("/projects/-/proj/runs/r/points", params={"key": "missing"})
    assert empty.status_code == 200 and empty.json() == {"key": "missing", "steps": [], "values": []}
    api.expect_error(api.http.get("/projects/-/proj/runs/nope/points", params={"key": "loss"}), 404)
