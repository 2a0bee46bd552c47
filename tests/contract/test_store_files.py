"""Blobs, files and media: verified content-addressed storage and per-run references."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from tests.contract.contract_helpers import Stream

from epochal.store.base import InvalidRecord, NotFound
from epochal.store.sql_store import SqlStore
from epochal.wire.records import FileSaved, MediaSaved


def _put(store: SqlStore, data: bytes) -> str:
    sha = hashlib.sha256(data).hexdigest()
    assert store.blobs.put(sha, io.BytesIO(data), max_bytes=1 << 20) == len(data)
    return sha


def test_blobs_are_verified_deduplicated_and_readable(store: SqlStore) -> None:
    sha = _put(store, b"weights")
    assert _put(store, b"weights") == sha
    assert store.blobs.has(sha)
    assert store.blobs.size(sha) == 7
    with store.blobs.open(sha) as blob:
        assert blob.read() == b"weights"


def test_blob_with_wrong_hash_or_too_large_is_refused(store: SqlStore) -> None:
    sha = hashlib.sha256(b"other").hexdigest()
    with pytest.raises(InvalidRecord, match="hashes to"):
        store.blobs.put(sha, io.BytesIO(b"not other"), max_bytes=100)
    big = b"x" * 101
    with pytest.raises(InvalidRecord, match="larger"):
        store.blobs.put(hashlib.sha256(big).hexdigest(), io.BytesIO(big), max_bytes=100)
    assert not store.blobs.has(sha)
    with pytest.raises(NotFound):
        store.blobs.open(sha)


@pytest.mark.parametrize("name", ["../../etc/passwd", "A" * 64, "abc", "g" * 64])
def test_blob_names_must_be_sha256_hex(store: SqlStore, name: str) -> None:
    with pytest.raises(InvalidRecord):
        store.blobs.put(name, io.BytesIO(b""), max_bytes=10)
    with pytest.raises(InvalidRecord):
        store.blobs.has(name)


def test_blob_files_are_sharded_without_leftovers(store: SqlStore, tmp_path: Path) -> None:
    sha = _put(store, b"abc")
    stored = sorted(p.relative_to(tmp_path / "blobs") for p in (tmp_path / "blobs").rglob("*") if p.is_file())
    assert stored == [Path(sha[:2]) / sha[2:4] / sha]


def test_saved_files_are_listed_and_resaving_replaces(store: SqlStore) -> None:
    v1, v2 = _put(store, b"v1"), _put(store, b"version 2")
    s = Stream()
    s.start()
    s.add(FileSaved, path="model.h5", sha256=v1, size=2)
    s.add(FileSaved, path="config.yaml", sha256=v1, size=2)
    store.ingest(s.ref, "s1", s.take())
    s.add(FileSaved, path="model.h5", sha256=v2, size=9)
    store.ingest(s.ref, "s1", s.take())
    files = store.list_files(s.ref)
    assert [(f.path, f.sha256, f.size) for f in files] == [("config.yaml", v1, 2), ("model.h5", v2, 9)]
    assert store.get_file(s.ref, "model.h5").sha256 == v2
    with pytest.raises(NotFound):
        store.get_file(s.ref, "missing.txt")


def test_records_naming_a_missing_blob_are_refused(store: SqlStore) -> None:
    s = Stream()
    s.start()
    store.ingest(s.ref, "s1", s.take())
    missing = hashlib.sha256(b"never uploaded").hexdigest()
    for record in (
        FileSaved(seq=2, t=1.0, path="model.h5", sha256=missing, size=3),
        MediaSaved(seq=2, t=1.0, sha256=missing, path="media/a.png", size=3, media_type="image/png"),
    ):
        with pytest.raises(InvalidRecord, match="blob_missing"):
            store.ingest(s.ref, "s1", [record])
    assert store.stream_ack(s.ref, "s1") == 1
    assert store.list_files(s.ref) == []


def test_runs_reference_only_their_own_blobs(store: SqlStore) -> None:
    png, weights = _put(store, b"png bytes"), _put(store, b"weights")
    s = Stream()
    s.start()
    s.add(MediaSaved, sha256=png, path="media/images/a.png", size=9, media_type="image/png")
    s.log(0, {"img": {"_type": "image-file", "sha256": png, "width": 1, "height": 1}})
    s.add(FileSaved, path="w.bin", sha256=weights, size=7)
    store.ingest(s.ref, "s1", s.take())
    other = Stream(run_id="other")
    other.start()
    store.ingest(other.ref, "s1", other.take())

    assert store.run_references_blob(s.ref, png)
    assert store.run_references_blob(s.ref, weights)
    assert not store.run_references_blob(other.ref, png)
    assert not store.run_references_blob(Stream(run_id="ghost").ref, png)
    assert store.read_history(s.ref).rows[0]["img"]["sha256"] == png
