"""Offline runs and a server that went away: ``sync`` delivers every record exactly once."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import LiveServer

import epochal as wandb
from epochal.sdk.run_folder import RunFolder
from epochal.sdk.settings import Settings
from epochal.sdk.sync import find_run_folders, sync_run_folder


def history_values(server: LiveServer, entity: str, project: str, run_id: str) -> list[tuple[int, object]]:
    stored = wandb.Api(base_url=server.url).run(f"{entity}/{project}/{run_id}")
    return [(row["_step"], row["i"]) for row in stored.scan_history()]


def test_offline_run_syncs_once_even_when_synced_twice(sdk_env: Path, live_server: LiveServer) -> None:
    run = wandb.init(project="offline", mode="offline")
    for i in range(300):
        run.log({"i": i})
    run.summary["done"] = True
    run.finish()
    folder = run.run_folder
    assert folder is not None
    assert [f.path for f in find_run_folders(sdk_env)] == [folder]
    settings = Settings.from_environment()
    progress: list[tuple[int, int]] = []
    first = sync_run_folder(folder, settings=settings, on_progress=lambda a, b: progress.append((a, b)))
    assert first.complete and first.records_sent == 303 and progress[-1][0] == progress[-1][1]
    assert RunFolder(first.path).is_synced
    second = sync_run_folder(folder, settings=settings)
    assert second.records_sent == 0 and second.complete
    (folder / "upload.json").unlink()  # lost progress: the server still stores each record once
    folder_state = sync_run_folder(folder, settings=settings)
    assert folder_state.complete
    entity = wandb.Api(base_url=live_server.url).default_entity
    assert history_values(live_server, entity, "offline", run.id) == [(i, i) for i in range(300)]
    stored = wandb.Api(base_url=live_server.url).run(f"{entity}/offline/{run.id}")
    assert stored.state == "finished" and stored.summary["done"] is True


@pytest.mark.fault
def test_finish_with_the_server_down_returns_and_sync_delivers_later(
    sdk_env: Path, live_server: LiveServer, capsys: pytest.CaptureFixture[str]
) -> None:
    run = wandb.init(project="outage", settings={"finish_timeout": 1.0})
    run.log({"i": 0})
    live_server.stop(kill=True)
    for i in range(1, 200):
        run.log({"i": i})
    run.finish()
    assert "server unreachable" in capsys.readouterr().err
    live_server.start()
    assert run.run_folder is not None
    result = sync_run_folder(run.run_folder, settings=Settings.from_environment())
    assert result.complete
    assert history_values(live_server, run.entity, "outage", run.id) == [(i, i) for i in range(200)]
