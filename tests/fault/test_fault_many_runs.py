"""50 training processes log to one server at once for 60 s: every point of every run, once."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import LiveServer
from tests.fault.harness import ENTITY, Trainer, read_stored

import epochal

pytestmark = [pytest.mark.fault, pytest.mark.slow]

PROCESSES = 50
STEPS = 600
RATE = 10  # rows per second each: 60 s of logging, 500 rows/s for the server in all


def test_50_concurrent_runs_from_50_processes_for_60_s(live_server: LiveServer, tmp_path: Path) -> None:
    args = ("--steps", str(STEPS), "--rate", str(RATE), "--poll-interval", "1", "--group", "fifty")
    trainers = [
        Trainer.start(tmp_path / f"rank{rank}", live_server.url, *args, "--finish-timeout", "120")
        for rank in range(PROCESSES)
    ]
    try:
        for trainer in trainers:
            trainer.wait_exit(timeout=240)
    finally:
        for trainer in trainers:
            trainer.kill()
    stored_total = 0
    for trainer in trainers:
        assert trainer.returned_steps() == list(range(STEPS))
        stored = read_stored(live_server.url, trainer.run_id)
        assert stored.pairs == [(s, s) for s in range(STEPS)], f"run {trainer.run_id}: {len(stored.pairs)} rows"
        assert stored.series_count == STEPS and stored.history_rows == STEPS and stored.state == "finished"
        stored_total += stored.series_count
    line = f"{PROCESSES} processes x {STEPS} rows: points expected {PROCESSES * STEPS}, stored {stored_total}"
    print(f"\nFAULT-RESULT {line}")
    assert stored_total == PROCESSES * STEPS, line
    grouped = epochal.Api(base_url=live_server.url).runs(f"{ENTITY}/fault", filters={"group": "fifty"})
    assert sorted(run.id for run in grouped) == sorted(trainer.run_id for trainer in trainers)  # one run per rank
