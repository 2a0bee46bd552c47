"""A browser subscribed to a project's event stream hears about new points and run changes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
from tests.integration.server.server_client import ApiClient

from epochal.wire.records import Finish, History, RunStart


def sse_events(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """``(event, data)`` pairs from an SSE line stream; comments are skipped."""
    name = data = ""
    for line in lines:
        if line.startswith(":"):
            continue
        if line.startswith("event: "):
            name = line.removeprefix("event: ")
        elif line.startswith("data: "):
            data = line.removeprefix("data: ")
        elif line == "" and name:
            yield name, data
            name = data = ""


def test_ingest_publishes_run_and_points_events(api: ApiClient) -> None:
    timeout = httpx.Timeout(30.0)
    with api.http.stream("GET", "/projects/-/proj/events", timeout=timeout) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.iter_lines()
        assert next(lines) == ": subscribed"  # the subscription exists from here on

        start = RunStart(seq=1, t=1000.0, project="proj", run_id="r1", name="live")
        rows = [History(seq=seq, t=1000.0 + seq, step=seq * 10, row={"loss": 1.0 / seq}) for seq in (2, 3)]
        assert api.ingest("r1", start, *rows).status_code == 200

        events = sse_events(lines)
        seen: dict[str, dict[str, Any]] = {}
        while "points" not in seen or "run" not in seen:
            name, data = next(events)
            seen[name] = json.loads(data)
        assert seen["points"]["run_id"] == "r1"
        assert seen["points"]["last_step"] == 30
        assert "loss" in seen["points"]["keys"]  # (with _runtime and _timestamp, also charted)
        assert seen["run"]["run_id"] == "r1" and seen["run"]["state"] == "running"

        assert api.ingest("r1", Finish(seq=4, t=1010.0)).status_code == 200
        name, data = next(events)
        assert name == "run"
        assert json.loads(data)["state"] == "finished"


def test_events_of_other_projects_are_not_delivered(api: ApiClient) -> None:
    with api.http.stream("GET", "/projects/local/quiet/events", timeout=httpx.Timeout(30.0)) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": subscribed"
        api.ingest("r1", RunStart(seq=1, t=1.0, project="busy", run_id="r1"), project="busy")
        api.ingest("r1", RunStart(seq=1, t=1.0, project="quiet", run_id="r1"), project="quiet")
        name, data = next(sse_events(lines))
        assert name == "run"
        assert json.loads(data)["project"] == "quiet"
