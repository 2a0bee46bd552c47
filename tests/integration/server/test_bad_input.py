"""Bad input gets a 4xx in the one error shape, never a 500, and leaves stored data as it was."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

import msgspec
import pytest
from tests.integration.server.server_client import ApiClient

from epochal.wire import limits
from epochal.wire.framing import frame
from epochal.wire.records import History, RunStart

START = RunStart(seq=1, t=1000.0, project="proj", run_id="r1", name="kept")
ROW = History(seq=2, t=1001.0, step=0, row={"loss": 1.0})


@pytest.fixture
def stored(api: ApiClient) -> dict[str, object]:
    """A run with one row; every test checks it is unchanged afterwards."""
    assert api.ingest("r1", START, ROW).status_code == 200
    return api.run("r1")


def next_row(seq: int = 3) -> bytes:
    return ApiClient.frames(History(seq=seq, t=1002.0, step=1, row={"loss": 0.5}))


BAD_BODIES = {
    "truncated header": next_row()[:5],
    "truncated payload": next_row()[:-3],
    "checksum mismatch": next_row()[:-1] + bytes([next_row()[-1] ^ 1]),
    "zero frame": b"\x00" * 8,
    "not msgpack": frame(b"\xc1\xc1\xc1"),
    "good frame then garbage": next_row() + b"garbage!",
}

INVALID_RECORDS = {
    "unknown record kind": frame(msgspec.msgpack.encode([99, 3, 1.0])),
    "wrong field type": frame(msgspec.msgpack.encode([2, 3, 1.0, "step?", {"loss": 1}])),
    "a map, not an array": frame(msgspec.msgpack.encode({"seq": 3})),
    "key with NUL": frame(msgspec.msgpack.encode([2, 3, 1.0, 1, {"a\x00b": 1}])),
    "negative step": frame(msgspec.msgpack.encode([2, 3, 1.0, -5, {"loss": 1}])),
    "seq gap inside the body": next_row(3) + next_row(5),
    "RunStart for another run": ApiClient.frames(RunStart(seq=3, t=1.0, project="proj", run_id="other")),
}


def test_malformed_frames_are_400_and_nothing_is_stored(api: ApiClient, stored: dict[str, object]) -> None:
    for name, body in BAD_BODIES.items():
        response = api.post_frames("r1", body)
        assert response.status_code == 400, (name, response.text)
        api.expect_error(response, 400)
    assert api.run("r1") == stored
    assert api.http.get("/projects/local/proj/runs/r1/streams/s1").json() == {"acked_seq": 2}


def test_records_breaking_a_rule_are_422_and_nothing_is_stored(api: ApiClient, stored: dict[str, object]) -> None:
    for name, body in INVALID_RECORDS.items():
        response = api.post_frames("r1", body)
        assert response.status_code == 422, (name, response.text)
        api.expect_error(response, 422)
    assert api.run("r1") == stored
    assert api.http.get("/projects/local/proj/runs/r1/streams/s1").json() == {"acked_seq": 2}


def test_bad_names_in_the_path_are_422(api: ApiClient, stored: dict[str, object]) -> None:
    api.expect_error(api.post_frames("r1", next_row(), stream="bad stream!"), 422, "invalid_name")
    api.expect_error(api.post_frames(".hidden", next_row()), 422, "invalid_name")
    api.expect_error(api.post_frames("r1", next_row(), project="-x"), 422, "invalid_name")
    assert api.run("r1") == stored


def test_a_stream_must_start_with_run_start(api: ApiClient) -> None:
    api.expect_error(api.ingest("fresh", History(seq=1, t=1.0, step=0, row={"a": 1})), 404)
    api.expect_error(api.http.get("/projects/local/proj/runs/fresh"), 404)


def test_an_oversized_body_is_413_by_its_declared_length(api: ApiClient, stored: dict[str, object]) -> None:
    body = b"\x00" * (limits.MAX_BATCH_BYTES + 1)
    api.expect_error(api.post_frames("r1", body), 413, "too_large")
    assert api.run("r1") == stored


def test_an_oversized_body_without_a_length_is_413_while_reading(api: ApiClient, stored: dict[str, object]) -> None:
    chunk = b"\x00" * (1 << 20)

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        for _ in range(limits.MAX_BATCH_BYTES // len(chunk) + 2):
            yield chunk

    api.expect_error(api.post_frames("r1", chunks()), 413, "too_large")
    assert api.run("r1") == stored


def test_bad_patch_bodies_are_400_or_422(api: ApiClient, stored: dict[str, object]) -> None:
    url = "/projects/local/proj/runs/r1"
    json_header = {"Content-Type": "application/json"}
    api.expect_error(api.http.patch(url, content=b"{not json", headers=json_header), 400, "malformed_body")
    api.expect_error(api.http.patch(url, json={"colour": "red"}), 422, "invalid_body")
    api.expect_error(api.http.patch(url, json={"tags": "not-a-list"}), 422, "invalid_body")
    api.expect_error(api.http.patch(url, json={"tags": ["x" * 1000]}), 422, "invalid_patch")
    api.expect_error(api.http.patch("/projects/local/proj/runs/ghost", json={"name": "x"}), 404)
    assert api.run("r1") == stored


def test_unknown_routes_and_methods_use_the_error_shape(api: ApiClient) -> None:
    api.expect_error(api.http.get("/no/such/route"), 404, "not_found")
    api.expect_error(api.http.put("/projects"), 405, "method_not_allowed")
    api.expect_error(api.http.get("/projects/local/proj/runs", params={"limit": "many"}), 422, "invalid_parameter")


def test_a_frame_header_claiming_a_huge_payload_is_400(api: ApiClient, stored: dict[str, object]) -> None:
    lying_header = struct.pack("<II", 1 << 30, zlib.crc32(b"")) + b"x"
    api.expect_error(api.post_frames("r1", lying_header), 400, "bad_frame")
    assert api.run("r1") == stored
