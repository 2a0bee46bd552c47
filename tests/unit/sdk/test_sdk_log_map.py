"""The run log is a preallocated memory-mapped file: it grows, survives a kill -9, and says when the disk is full."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import mounted_tmpfs
from tests.unit.sdk.conftest import ReadLog

import epochal
from epochal.sdk.log_map import INITIAL_BYTES, RELEASE_BYTES, cut_unused_tail
from epochal.wire.framing import frames_end, iter_frames
from epochal.wire.records import Finish, History, RunStart, decode_record


def live_rows(log_path: Path) -> list[History]:
    """The rows a reader sees in the log while its run is still writing (it stops at the zeros)."""
    records = [decode_record(p) for _, p in iter_frames(log_path.read_bytes(), strict=False)]
    return [r for r in records if isinstance(r, History)]


def mapped_file_kib() -> int:
    """Pages of files mapped into this process (Linux ``RssFile``): the run log's pages count here."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("RssFile:")[1].split()[0])


def test_the_log_grows_past_its_reservation_and_finish_cuts_it_to_the_last_frame(
    sdk_offline: Path, read_log: ReadLog
) -> None:
    run = epochal.init(project="p")
    assert run.run_folder is not None
    log_path = run.run_folder / "run.epochal"
    text = "x" * 1000
    rows = 16 * INITIAL_BYTES // 1000  # about 16 MiB of rows: the mapping grows four times
    mapped_before, mapped_growth = mapped_file_kib(), 0
    for step in range(rows):
        run.log({"loss": step / 7, "note": text})
        if step % 500 == 0:
            mapped_growth = max(mapped_growth, mapped_file_kib() - mapped_before)
        if step in (10, rows // 2):
            assert [r.step for r in live_rows(log_path)] == list(range(step + 1))  # a reader sees every row
    assert log_path.stat().st_size > 16 * INITIAL_BYTES
    # written pages leave the process, so its memory does not grow with the log (7.5 MiB without)
    assert mapped_growth < (RELEASE_BYTES + INITIAL_BYTES) // 1024
    run.finish()
    data = log_path.read_bytes()
    assert len(data) == frames_end(data)  # no reserved zeros left behind
    records = read_log(run)
    assert isinstance(records[0], RunStart) and isinstance(records[-1], Finish)
    assert [r.step for r in records if isinstance(r, History)] == list(range(rows))


KILLED = """
import os, signal, sys, epochal
run = epochal.init(project="p", mode="offline", dir=sys.argv[1])
for i in range(int(sys.argv[2])):
    run.log({"loss": 1 / (i + 1), "i": i})
print(run.run_folder, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_a_killed_process_keeps_every_returned_row_and_the_reserved_tail_is_cut_later(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", KILLED, str(tmp_path), "5000"], check=False, capture_output=True, text=True, timeout=60,
        env={**os.environ, "EPOCHAL_SILENT": "1", "EPOCHAL_CONFIG_DIR": str(tmp_path / "config")},
    )  # fmt: skip
    assert done.returncode == -signal.SIGKILL, done.stderr
    log_path = Path(done.stdout.strip()) / "run.epochal"
    assert log_path.stat().st_size >= INITIAL_BYTES  # the writer never got to cut its reservation
    rows = live_rows(log_path)
    assert [(r.step, r.row) for r in rows] == [(i, {"loss": 1 / (i + 1), "i": i}) for i in range(5000)]
    cut_unused_tail(log_path)  # what 'epochal sync' does first, holding the folder
    data = log_path.read_bytes()
    assert len(data) == frames_end(data)
    assert len([p for _, p in iter_frames(data)]) == 5001  # RunStart + every row, read strictly
    cut_unused_tail(log_path)
    assert log_path.read_bytes() == data  # cutting again changes nothing


def test_a_full_disk_fails_log_with_enospc_and_keeps_every_earlier_row(
    sdk_offline: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with mounted_tmpfs(tmp_path / "disk", "3m") as disk:
        monkeypatch.setenv("EPOCHAL_DIR", str(disk))
        run = epochal.init(project="p")
        assert run.run_folder is not None and run.run_folder.is_relative_to(disk)
        logged = 0
        with pytest.raises(OSError) as failure:
            while True:
                run.log({"loss": logged / 3, "note": "y" * 2000})
                logged += 1
        assert failure.value.errno == errno.ENOSPC and "run log" in str(failure.value)
        log_path = run.run_folder / "run.epochal"
        assert [r.step for r in live_rows(log_path)] == list(range(logged))
        run.finish()  # the small Finish record still fits in the reserved pages
        data = log_path.read_bytes()
        assert len(data) == frames_end(data)
        records = [decode_record(p) for _, p in iter_frames(data)]
        assert isinstance(records[-1], Finish) and len(records) == logged + 2
