"""A run whose process goes silent is marked crashed by the server, and live viewers hear it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from tests.conftest import LiveServer, free_port
from tests.integration.server.server_client import ApiClient

from epochal.wire.records import RunStart


@pytest.fixture
def impatient_api(tmp_path: Path) -> Iterator[ApiClient]:
    """A server that declares a run crashed after one silent second."""
    server = LiveServer(data_dir=tmp_path / "server-data", port=free_port(), extra_args=("--crash-after", "1"))
    server.start()
    try:
        with httpx.Client(base_url=f"{server.url}/api/v1", timeout=30.0) as http:
            yield ApiClient(http, server.url)
    finally:
        server.stop()


def test_a_silent_run_becomes_crashed_and_the_change_is_published(impatient_api: ApiClient) -> None:
    api = impatient_api
    with api.http.stream("GET", "/projects/local/proj/events", timeout=httpx.Timeout(30.0)) as stream:
        lines = stream.iter_lines()
        assert next(lines) == ": subscribed"
        start = RunStart(seq=1, t=time.time(), project="proj", run_id="r1")
        assert api.ingest("r1", start).status_code == 200
        states = []
        for line in lines:  # bounded by the stream's read timeout
            if line.startswith("data: "):
                states.append(json.loads(line.removeprefix("data: "))["state"])
                if states[-1] != "running":
                    break
    assert states[0] == "running"
    assert states[-1] == "crashed"
    assert api.run("r1")["state"] == "crashed"
