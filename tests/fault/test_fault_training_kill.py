"""The training process is SIGKILLed at a random moment: ``epochal sync`` delivers every returned log()."""

from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from tests.conftest import LiveServer
from tests.fault.harness import Trainer, read_stored, run_cli, wait_for_state

pytestmark = [pytest.mark.fault, pytest.mark.slow]


@pytest.mark.parametrize("seed", [3])
def test_training_killed_at_a_random_moment_then_epochal_sync(
    impatient_server: LiveServer, tmp_path: Path, seed: int
) -> None:
    server = impatient_server
    trainer = Trainer.start(
        tmp_path / "train", server.url, "--steps", "1000000", "--rate", "2000", "--fsync-every", "1"
    )
    try:
        trainer.wait_for(lambda: len(trainer.returned_steps()) >= 100 or None, "the first rows")
        time.sleep(random.Random(seed).uniform(0.5, 3.0))
    finally:
        trainer.kill()
    returned = trainer.returned_steps()
    folder = trainer.run_folder

    first = run_cli("sync", str(folder), "--base-url", server.url)
    assert first.returncode == 0, first.stderr
    assert "sent (run not finished)" in first.stdout, first.stdout
    again = run_cli("sync", str(folder), "--base-url", server.url, "--include-synced")
    assert again.returncode == 0 and ": 0 record(s)" in again.stdout, again.stdout + again.stderr

    stored = read_stored(server.url, trainer.run_id)
    # the kill may land after log() returned and before the side file was written: one row more, never less
    steps = range(len(stored.pairs)) if len(stored.pairs) == len(returned) + 1 else range(len(returned))
    sent_by_sync = first.stdout.split(": ", 1)[1].split(" record(s)")[0]
    label = f"training SIGKILLed after {len(returned)} returned log() calls, {sent_by_sync} records sent by sync"
    stored.check_exactly(steps, label)
    assert wait_for_state(server.url, trainer.run_id, "crashed") == "crashed"
    assert read_stored(server.url, trainer.run_id).pairs == stored.pairs  # crashed keeps everything
