"""Durability and process rules: kill -9 keeps every logged row; a forked child may not log."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import epochal
from epochal.wire.framing import iter_frames
from epochal.wire.records import History, RunStart, decode_record

CHILD = """
import os, sys, epochal
run = epochal.init(project="crash")
for i in range(int(sys.argv[1])):
    run.log({"i": i, "half": i / 2})
print(run.run_folder, flush=True)
sys.stdin.readline()  # wait to be killed
"""


def test_kill_9_after_n_logs_leaves_n_rows(sdk_offline: Path) -> None:
    count = 2500
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(count)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    folder = Path(child.stdout.readline().strip())
    child.send_signal(signal.SIGKILL)
    child.wait()
    records = [decode_record(p) for _, p in iter_frames((folder / "run.epochal").read_bytes(), strict=False)]
    assert isinstance(records[0], RunStart)
    rows = [r for r in records if isinstance(r, History)]
    assert [r.row["i"] for r in rows] == list(range(count))
    assert [r.seq for r in records] == list(range(1, len(records) + 1))


def test_forked_child_may_not_log_to_the_parents_run(sdk_offline: Path) -> None:
    run = epochal.init(project="fork")
    run.log({"parent": 1})
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: report what happened, never return into pytest
        outcome = b"accepted"
        try:
            epochal.log({"child": 1})
        except epochal.UsageError as exc:
            outcome = b"refused" if b"forked child" in str(exc).encode() else b"other"
        os.write(write, outcome)
        os._exit(0)
    os.close(write)
    _, status = os.waitpid(pid, 0)
    assert os.read(read, 100) == b"refused" and status == 0
    os.close(read)
    run.log({"parent": 2})
    assert run.step == 2
