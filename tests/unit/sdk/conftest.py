"""Fixtures for SDK unit tests: an offline run in a fresh folder, and a reader of its log."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import epochal
from epochal.wire.framing import iter_frames
from epochal.wire.records import Record, decode_record

ReadLog = Callable[[epochal.Run], list[Record]]


@pytest.fixture
def sdk_offline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Offline mode, quiet, in a fresh working folder with its own login file; finishes any open run."""
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)
    for name in ("EPOCHAL_API_KEY", "EPOCHAL_PROJECT", "WANDB_MODE", "WANDB_PROJECT", "EPOCHAL_DIR", "WANDB_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EPOCHAL_MODE", "offline")
    monkeypatch.setenv("EPOCHAL_SILENT", "1")
    monkeypatch.setenv("EPOCHAL_CONFIG_DIR", str(tmp_path / "config"))
    yield workdir
    epochal.finish()


def read_records(log_path: Path) -> list[Record]:
    """Every complete record of a run log, decoded (strictly: a corrupt frame fails the test)."""
    return [decode_record(payload) for _, payload in iter_frames(log_path.read_bytes())]


@pytest.fixture
def read_log() -> ReadLog:
    def read(run: epochal.Run) -> list[Record]:
        assert run.run_folder is not None
        return read_records(run.run_folder / "run.epochal")

    return read
