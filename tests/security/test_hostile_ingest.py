"""Hostile bodies on every decoding path of the write side: random bytes, random JSON, random
(well-framed) msgpack. The server answers 4xx or a harmless 200, never 5xx, and nothing stored
changes unless the server acknowledged a valid record."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.security.conftest import AuthServer

from epochal.wire.framing import frame

RUN = "/projects/alice/privproj/runs/r1"
EXAMPLES = 40

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=20,
)
msgpack_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=40)
    | st.binary(max_size=40),
    lambda inner: st.lists(inner, max_size=8) | st.dictionaries(st.text(max_size=10), inner, max_size=5),
    max_leaves=25,
)
# Arrays that look like records: a known kind tag and a plausible seq, then anything.
record_like = st.tuples(st.integers(0, 12), st.integers(-2, 10), msgpack_values, msgpack_values).map(list)
HYPOTHESIS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture(scope="module")
def alice(auth_server: AuthServer) -> Iterator[httpx.Client]:
    with auth_server.client("alice") as client:
        yield client


def snapshot(http: httpx.Client) -> tuple[Any, ...]:
    run = http.get(RUN).json()
    history = http.get(f"{RUN}/history").json()
    files = http.get(f"{RUN}/files").json()
    access = http.get("/projects/alice/privproj/access").json()
    return run, history, files, access


def post_frames(http: httpx.Client, body: bytes) -> httpx.Response:
    return http.post(f"{RUN}/streams/fuzz", content=body, headers={"Content-Type": "application/x-epochal-frames"})


def check(http: httpx.Client, before: tuple[Any, ...], response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message"}
    acked = response.status_code == 200 and response.json().get("acked_seq", 0) > 0
    if not acked:
        assert snapshot(http) == before


def test_random_bytes_on_the_ingest_stream(alice: httpx.Client) -> None:
    before = snapshot(alice)

    @given(body=st.binary(max_size=2000))
    @HYPOTHESIS
    def run(body: bytes) -> None:
        check(alice, before, post_frames(alice, body))

    run()


def test_random_msgpack_frames_on_the_ingest_stream(alice: httpx.Client) -> None:
    @given(records=st.lists(record_like | msgpack_values, min_size=1, max_size=4))
    @HYPOTHESIS
    def run(records: list[Any]) -> None:
        before = snapshot(alice)
        body = b"".join(frame(msgspec.msgpack.encode(record)) for record in records)
        check(alice, before, post_frames(alice, body))

    run()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PATCH", RUN),
        ("PUT", "/projects/alice/privproj/access"),
        ("POST", "/keys"),
        ("PUT", f"{RUN}/blobs/{'0' * 64}"),
    ],
)
def test_random_json_and_bytes_on_every_body_route(alice: httpx.Client, method: str, path: str) -> None:
    @given(value=json_values, raw=st.binary(max_size=300), as_json=st.booleans())
    @HYPOTHESIS
    def run(value: Any, raw: bytes, as_json: bool) -> None:
        before = snapshot(alice)
        content = msgspec.json.encode(value) if as_json else raw
        response = alice.request(method, path, content=content, headers={"Content-Type": "application/json"})
        assert response.status_code < 500, response.text
        if response.status_code >= 400 or path == "/keys":
            assert snapshot(alice) == before

    run()
