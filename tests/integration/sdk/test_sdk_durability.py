"""Durability rules against a real server: refused records, exit states, background sync, the CLI, fork."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import msgspec
import pytest
from tests.conftest import LiveServer

import epochal as wandb
from epochal.sdk.run_folder import RunFolder
from epochal.sdk.settings import Settings
from epochal.sdk.sync import FolderInUseError, sync_run_folder
from epochal.wire import limits

REPO_SRC = str(Path(__file__).parents[3] / "src")


def stored_run(server: LiveServer, entity: str, project: str, run_id: str) -> wandb.sdk.api_run.ApiRun:
    return wandb.Api(base_url=server.url).run(f"{entity}/{project}/{run_id}")


def test_a_record_the_server_refuses_does_not_block_the_rest(sdk_env: Path, live_server: LiveServer) -> None:
    too_long = "x" * (limits.MAX_STRING_VALUE_BYTES + 1)
    run = wandb.init(project="refused", config={"notes": too_long})
    for i in range(300):
        run.log({"i": i, "text": too_long if i == 137 else "ok"})
    run.summary["after"] = "still arrives"
    run.finish()
    assert run.run_folder is not None and RunFolder(run.run_folder).is_synced
    stored = stored_run(live_server, run.entity, "refused", run.id)
    assert [row["_step"] for row in stored.scan_history(keys=["i"])] == [s for s in range(300) if s != 137]
    assert stored.rejected_rows == 1 and stored.state == "finished"
    assert stored.summary["after"] == "still arrives"
    assert stored.name == run.name and stored.config == {}  # the RunStart went without its config
    start, row = RunFolder(run.run_folder).read_refusals()
    assert (start.seq, start.status, start.code) == (1, 422, "invalid_record") and "notes" in start.reason
    assert (row.status, row.code) == (422, "invalid_record") and "text" in row.reason


def test_nested_dicts_are_checked_where_they_are_flattened(
    sdk_env: Path, live_server: LiveServer, caplog: pytest.LogCaptureFixture
) -> None:
    """log() does not walk nested dicts: integer keys are kept (``per_class.0``), and a row whose
    nested key breaks the rules is refused by the server alone, with a warning naming the key."""
    run = wandb.init(project="nested")
    for i in range(200):
        row: dict[str, object] = {"i": i, "per_class": {0: i / 200, 1: 1 - i / 200}}
        if i == 77:
            row["bad"] = {"": 1.0}
        run.log(row)
    run.finish()
    stored = stored_run(live_server, run.entity, "nested", run.id)
    history = list(stored.scan_history(keys=["i", "per_class.0", "per_class.1"]))
    assert [r["i"] for r in history] == [i for i in range(200) if i != 77]
    assert all(r["per_class.0"] == r["i"] / 200 and r["per_class.1"] == 1 - r["i"] / 200 for r in history)
    assert stored.rejected_rows == 1
    assert run.run_folder is not None
    (refusal,) = RunFolder(run.run_folder).read_refusals()
    assert refusal.code == "invalid_record" and "keys must not be empty" in refusal.reason
    assert any("cannot be stored" in r.getMessage() and "empty" in r.getMessage() for r in caplog.records)


EXITING = """
import sys, epochal
run = epochal.init(project="states", settings={"quiet": True})
run.log({"a": 1})
print(run.id, flush=True)
if sys.argv[1] == "raise":
    1 / 0
sys.exit(int(sys.argv[1]))
"""


@pytest.mark.parametrize(
    ("how", "state", "exit_code"), [("0", "finished", 0), ("3", "failed", 3), ("raise", "failed", 1)]
)
def test_exit_code_and_uncaught_exception_set_the_run_state(
    sdk_env: Path, live_server: LiveServer, how: str, state: str, exit_code: int
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", EXITING, how], check=False, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": REPO_SRC, "EPOCHAL_ENTITY": "local"},
    )  # fmt: skip
    assert done.returncode == exit_code, done.stderr
    stored = stored_run(live_server, "local", "states", done.stdout.strip())
    assert (stored.state, stored.info.exit_code) == (state, exit_code)
    if how == "raise":
        assert stored.info.error is not None and stored.info.error.endswith("ZeroDivisionError: division by zero")


def test_next_online_init_syncs_earlier_runs_in_the_background(sdk_env: Path, live_server: LiveServer) -> None:
    offline = wandb.init(project="later", mode="offline")
    for i in range(50):
        offline.log({"i": i})
    offline.finish()
    assert offline.run_folder is not None and not RunFolder(offline.run_folder).is_synced
    online = wandb.init(project="later")  # returns at once; the old folder goes in a daemon thread
    deadline = time.monotonic() + 60
    while not RunFolder(offline.run_folder).is_synced and time.monotonic() < deadline:
        time.sleep(0.1)
    online.finish()
    stored = stored_run(live_server, online.entity, "later", offline.id)
    assert [(row["_step"], row["i"]) for row in stored.scan_history()] == [(i, i) for i in range(50)]
    assert stored.state == "finished"


def test_a_folder_in_use_is_never_synced_by_someone_else(sdk_env: Path, live_server: LiveServer) -> None:
    run = wandb.init(project="busy", mode="offline")
    run.log({"i": 0})
    assert run.run_folder is not None
    with pytest.raises(FolderInUseError, match="in use"):
        sync_run_folder(run.run_folder, settings=Settings.from_environment())
    run.finish()
    assert sync_run_folder(run.run_folder, settings=Settings.from_environment()).complete


def epochal_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "epochal", *args], check=False, capture_output=True, text=True, timeout=120, cwd=cwd,
        env={**os.environ, "PYTHONPATH": REPO_SRC},
    )  # fmt: skip


def test_epochal_sync_cli_is_idempotent_and_cleans_synced_folders(sdk_env: Path, live_server: LiveServer) -> None:
    runs = []
    for n in range(2):
        run = wandb.init(project="cli", mode="offline")
        for i in range(20):
            run.log({"i": i * n})
        run.finish()
        runs.append(run)
    first = epochal_cli("sync", cwd=sdk_env)
    assert first.returncode == 0 and first.stdout.count("22 record(s) complete") == 2, first.stdout + first.stderr
    assert epochal_cli("sync", cwd=sdk_env).stdout.strip() == "nothing to sync"
    again = epochal_cli("sync", "--include-synced", cwd=sdk_env)
    assert again.stdout.count("0 record(s) complete") == 2, again.stdout + again.stderr
    unfinished = wandb.init(project="cli", mode="offline")
    unfinished.log({"i": 1})
    cleaned = epochal_cli("sync", "--clean", cwd=sdk_env)
    assert "removed 2 synced run folder(s); kept 1" in cleaned.stdout
    assert unfinished.run_folder is not None and unfinished.run_folder.is_dir()
    unfinished.finish(quiet=True)
    assert not any(run.run_folder is not None and run.run_folder.exists() for run in runs)
    for n, run in enumerate(runs):
        stored = stored_run(live_server, wandb.Api(base_url=live_server.url).default_entity, "cli", run.id)
        assert [(row["_step"], row["i"]) for row in stored.scan_history()] == [(i, i * n) for i in range(20)]


FORKING = """
import json, os, sys, time, epochal
run = epochal.init(project="fork", settings={"quiet": True})
for i in range(100):
    run.log({"i": i})
pid = os.fork()
if pid == 0:
    try:
        epochal.log({"i": -1})
        outcome = "accepted"
    except epochal.UsageError:
        outcome = "refused"
    sys.stdout.write(outcome + "\\n")
    sys.stdout.flush()
    sys.exit(0)  # atexit runs in the child: it must not finish the parent's run
os.waitpid(pid, 0)
time.sleep(1.0)
state = epochal.Api().run(f"{run.entity}/fork/{run.id}").state
for i in range(100, 200):
    run.log({"i": i})
run.finish()
print(json.dumps({"run_id": run.id, "state_after_child_exit": state}), flush=True)
"""


def test_a_forked_child_cannot_log_to_or_finish_the_parents_run(sdk_env: Path, live_server: LiveServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", FORKING], check=False, capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": REPO_SRC, "EPOCHAL_ENTITY": "local"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    child, parent = done.stdout.splitlines()
    report = msgspec.json.decode(parent)
    assert child == "refused" and report["state_after_child_exit"] == "running"
    stored = stored_run(live_server, "local", "fork", report["run_id"])
    assert [(row["_step"], row["i"]) for row in stored.scan_history()] == [(i, i) for i in range(200)]
    assert stored.info.history_rows == 200 and stored.state == "finished"
