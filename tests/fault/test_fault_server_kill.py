"""The server dies under a live run: SIGKILL and restart, or a 30 s outage; nothing is lost or doubled."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from tests.conftest import LiveServer
from tests.fault.harness import Trainer, read_stored

pytestmark = [pytest.mark.fault, pytest.mark.slow]


def test_server_sigkilled_twice_mid_run_and_restarted_after_5_s(live_server: LiveServer, tmp_path: Path) -> None:
    steps = 8000
    trainer = Trainer.start(tmp_path / "train", live_server.url, "--steps", str(steps), "--rate", "400")
    try:
        for kill_after in (1500, 5000):
            trainer.wait_for(lambda: len(trainer.returned_steps()) >= kill_after or None, f"{kill_after} rows")  # noqa: B023
            live_server.stop(kill=True)
            time.sleep(5)
            live_server.start()
        trainer.wait_exit()
    finally:
        trainer.kill()
    assert trainer.returned_steps() == list(range(steps))
    stored = read_stored(live_server.url, trainer.run_id)
    stored.check_exactly(range(steps), "server SIGKILLed twice, restarted after 5 s")
    assert stored.state == "finished"


def test_server_down_30_s_while_training_logs_at_full_speed(live_server: LiveServer, tmp_path: Path) -> None:
    steps = 30_000
    go = tmp_path / "go"
    trainer = Trainer.start(
        tmp_path / "train", live_server.url, "--steps", str(steps), "--go-file", str(go), "--finish-timeout", "120"
    )
    try:
        trainer.wait_for(lambda: trainer.returned_steps() == [0] or None, "the first row")
        live_server.stop(kill=False)
        stopped_at = time.time()
        go.touch()
        burst = trainer.wait_for(lambda: trainer.milestone("logged"), "the burst to be logged")
        time.sleep(max(0.0, stopped_at + 30 - time.time()))
        restarted_at = time.time()
        live_server.start()
        trainer.wait_exit()
    finally:
        trainer.kill()
    began, ended = float(burst[0]), float(burst[1])
    assert stopped_at < began and ended < restarted_at, (
        f"log() calls ran {began - stopped_at:.1f}..{ended - stopped_at:.1f} s into an outage of "
        f"{restarted_at - stopped_at:.1f} s: they must all have returned while the server was down"
    )
    assert trainer.returned_steps() == list(range(steps))
    stored = read_stored(live_server.url, trainer.run_id)
    line = stored.check_exactly(range(steps), "server stopped 30 s during a full-speed burst")
    print(f"FAULT-RESULT   burst of {steps - 1} log() calls took {ended - began:.2f} s, all while the server was down")
    assert stored.state == "finished", line
