"""The server's data folder fills up (a real tmpfs): 507, data kept locally, nothing corrupted, all arrives."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.conftest import LiveServer, free_port, mounted_tmpfs
from tests.fault.harness import Trainer, read_stored

pytestmark = [pytest.mark.fault, pytest.mark.slow]


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 48 MiB tmpfs."""
    with mounted_tmpfs(tmp_path / "tiny-disk", "48m") as mount:
        yield mount


def fill(disk: Path) -> Path:
    """Write a ballast file until the filesystem refuses (ENOSPC)."""
    ballast = disk / "ballast"
    chunk = b"\0" * (1 << 20)
    with ballast.open("wb", buffering=0) as out:
        try:
            while True:
                out.write(chunk)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
    for size in (1 << 16, 4096, 512, 1):  # the last pages too
        try:
            with ballast.open("ab", buffering=0) as out:
                while True:
                    out.write(b"\0" * size)
        except OSError:
            continue
    return ballast


def test_full_disk_answers_507_keeps_data_locally_and_delivers_after_space_is_freed(
    tiny_disk: Path, tmp_path: Path
) -> None:
    server = LiveServer(data_dir=tiny_disk, port=free_port())  # its log goes to tmp_path, off the tiny disk
    server.start()
    stop = tmp_path / "stop"
    trainer = Trainer.start(
        tmp_path / "train", server.url, "--steps", "1000000", "--rate", "1000", "--stop-file", str(stop),
        "--finish-timeout", "120",
    )  # fmt: skip
    server_log = tmp_path / f"server-{server.port}.log"
    try:
        trainer.wait_for(lambda: len(trainer.returned_steps()) >= 500 or None, "the first rows")
        ballast = fill(tiny_disk)
        trainer.wait_for(lambda: " 507 " in server_log.read_text() or None, "the server to answer 507")
        during = read_stored(server.url, trainer.run_id)
        logged_while_full = len(trainer.returned_steps())
        ballast.unlink()
        stop.touch()
        trainer.wait_exit()
    finally:
        trainer.kill()
        server.stop()
    returned = trainer.returned_steps()
    assert logged_while_full > len(during.pairs), "training went on logging while the server refused"
    with sqlite3.connect(tiny_disk / "epochal.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    server.start()
    try:
        stored = read_stored(server.url, trainer.run_id)
    finally:
        server.stop()
    stored.check_exactly(
        range(len(returned)), f"data dir full (507) with {len(during.pairs)} points stored, then freed"
    )
    assert stored.state == "finished"
