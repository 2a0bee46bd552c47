"""``save()``: names like wandb's, exact copies, hashes, policies, no escaping the run folder."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest

import epochal
from epochal.wire.records import FileSaved, Record

ReadLog = Callable[[epochal.Run], list[Record]]


def saved(records: list[Record]) -> list[tuple[str, str, str]]:
    return [(r.path, r.sha256, r.policy) for r in records if isinstance(r, FileSaved)]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_save_copies_and_names_files(sdk_offline: Path, read_log: ReadLog, tmp_path: Path) -> None:
    (sdk_offline / "model.h5").write_bytes(b"weights")
    (sdk_offline / "ckpt").mkdir()
    (sdk_offline / "ckpt" / "a.pt").write_bytes(b"a")
    (sdk_offline / "ckpt" / "b.pt").write_bytes(b"b")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "notes.txt").write_bytes(b"n")
    run = epochal.init(project="files")
    assert epochal.save("model.h5") == ["model.h5"]
    assert run.save("ckpt/*.pt", policy="now") == ["ckpt/a.pt", "ckpt/b.pt"]
    assert run.save(str(outside / "*.txt")) == ["notes.txt"]
    assert run.save("../elsewhere/notes.txt", policy="now") == ["notes.txt"]  # same bytes: no new record
    assert run.save(str(sdk_offline / "ckpt" / "a.pt"), base_path=sdk_offline, policy="now") == ["ckpt/a.pt"]
    run.finish()
    files = Path(run.dir)
    assert (files / "model.h5").read_bytes() == b"weights"
    assert (files / "ckpt" / "b.pt").read_bytes() == b"b"
    assert saved(read_log(run)) == [
        ("model.h5", sha(b"weights"), "live"),
        ("ckpt/a.pt", sha(b"a"), "now"),
        ("ckpt/b.pt", sha(b"b"), "now"),
        ("notes.txt", sha(b"n"), "live"),
    ]


def test_live_files_are_saved_again_at_finish_when_changed(sdk_offline: Path, read_log: ReadLog) -> None:
    model = sdk_offline / "model.h5"
    model.write_bytes(b"v1")
    run = epochal.init(project="files")
    run.save("model.h5")
    run.save("late.txt", policy="end")
    model.write_bytes(b"v2")
    (sdk_offline / "late.txt").write_bytes(b"late")
    run.finish()
    assert saved(read_log(run)) == [
        ("model.h5", sha(b"v1"), "live"),
        ("model.h5", sha(b"v2"), "live"),
        ("late.txt", sha(b"late"), "end"),
    ]
    assert run.run_folder is not None
    assert (run.run_folder / "blobs" / sha(b"v1")).read_bytes() == b"v1"  # kept for the shipper
    assert (Path(run.dir) / "model.h5").read_bytes() == b"v2"


def test_bad_policy_is_refused(sdk_offline: Path) -> None:
    run = epochal.init(project="files")
    with pytest.raises(ValueError, match="policy"):
        run.save("x", policy="sometimes")
