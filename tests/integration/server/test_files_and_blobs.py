"""Blob uploads are verified and deduplicated; saved files come back byte for byte."""

from __future__ import annotations

import hashlib
import os

from tests.integration.server.server_client import ApiClient

from epochal.wire.records import FileSaved, MediaSaved, RunStart

START = RunStart(seq=1, t=1000.0, project="proj", run_id="r1")
RUN = "/projects/local/proj/runs/r1"
PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(200)


def put(api: ApiClient, data: bytes, sha256: str | None = None) -> tuple[int, dict[str, object]]:
    digest = sha256 or hashlib.sha256(data).hexdigest()
    response = api.http.put(f"{RUN}/blobs/{digest}", content=data)
    return response.status_code, response.json()


def test_a_saved_file_downloads_with_the_same_bytes(api: ApiClient) -> None:
    weights = os.urandom(3 * 1024 * 1024 + 7)
    digest = hashlib.sha256(weights).hexdigest()

    assert api.http.head(f"{RUN}/blobs/{digest}").status_code == 404
    assert put(api, weights) == (200, {"sha256": digest, "size": len(weights)})
    assert put(api, weights) == (200, {"sha256": digest, "size": len(weights)})
    assert api.http.head(f"{RUN}/blobs/{digest}").status_code == 200

    saved = FileSaved(seq=2, t=1001.0, path="checkpoints/model.h5", sha256=digest, size=len(weights))
    assert api.ingest("r1", START, saved).json() == {"acked_seq": 2}

    files = api.http.get(f"{RUN}/files").json()
    assert [(f["path"], f["size"], f["sha256"]) for f in files] == [("checkpoints/model.h5", len(weights), digest)]
    download = api.http.get(f"{RUN}/files/checkpoints/model.h5")
    assert download.status_code == 200
    assert download.content == weights
    assert download.headers["x-content-type-options"] == "nosniff"
    assert "attachment" in download.headers["content-disposition"]
    api.expect_error(api.http.get(f"{RUN}/files/missing.bin"), 404)


def test_a_blob_whose_bytes_do_not_match_its_hash_is_refused(api: ApiClient) -> None:
    claimed = hashlib.sha256(b"what the client promised").hexdigest()
    status, body = put(api, b"something else", claimed)
    assert status == 422, body
    assert api.http.head(f"{RUN}/blobs/{claimed}").status_code == 404
    api.expect_error(api.http.put(f"{RUN}/blobs/not-a-hash", content=b"x"), 422, "invalid_sha256")


def test_a_record_naming_a_missing_blob_is_refused(api: ApiClient) -> None:
    api.ingest("r1", START)
    ghost = hashlib.sha256(b"never uploaded").hexdigest()
    saved = FileSaved(seq=2, t=1001.0, path="model.h5", sha256=ghost, size=14)
    api.expect_error(api.ingest("r1", saved), 422, "blob_missing")
    assert api.http.get(f"{RUN}/files").json() == []


def test_run_blobs_are_served_only_to_runs_that_reference_them(api: ApiClient) -> None:
    digest = hashlib.sha256(PNG).hexdigest()
    assert put(api, PNG)[0] == 200
    api.ingest("r1", START)
    api.expect_error(api.http.get(f"{RUN}/blobs/{digest}"), 404)

    media = MediaSaved(seq=2, t=1001.0, sha256=digest, path="media/images/x.png", size=len(PNG), media_type="image/png")
    assert api.ingest("r1", media).status_code == 200
    image = api.http.get(f"{RUN}/blobs/{digest}")
    assert image.status_code == 200
    assert image.content == PNG
    assert image.headers["content-type"] == "image/png"

    other = RunStart(seq=1, t=1000.0, project="proj", run_id="r2")
    api.ingest("r2", other)
    api.expect_error(api.http.get(f"/projects/local/proj/runs/r2/blobs/{digest}"), 404)
