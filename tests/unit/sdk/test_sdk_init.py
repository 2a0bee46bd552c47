"""``init``: defaults, the run folder, modes, reinit, settings precedence and ``login``."""

from __future__ import annotations

import platform
import re
import socket
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import epochal
from epochal.sdk.settings import Settings
from epochal.wire.records import Finish, Record, RunStart

ReadLog = Callable[[epochal.Run], list[Record]]


def _git(workdir: Path, *args: str) -> str:
    command = ["git", "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, cwd=workdir, check=True, capture_output=True, text=True).stdout.strip()


def test_system_records_the_git_commit_origin_and_dirtiness(sdk_offline: Path, read_log: ReadLog) -> None:
    _git(sdk_offline, "init", "-q")
    (sdk_offline / "train.py").write_text("print(1)\n")
    _git(sdk_offline, "add", "train.py")
    _git(sdk_offline, "commit", "-q", "-m", "first")
    _git(sdk_offline, "remote", "add", "origin", "https://example.com/repo.git")
    clean = epochal.init()
    clean.finish()
    (sdk_offline / "train.py").write_text("print(2)\n")
    dirty = epochal.init()
    dirty.finish()

    starts = [read_log(run)[0] for run in (clean, dirty)]
    assert all(isinstance(start, RunStart) for start in starts)
    commit = _git(sdk_offline, "rev-parse", "HEAD")
    assert [start.system["git"] for start in starts if isinstance(start, RunStart)] == [
        {"commit": commit, "remote": "https://example.com/repo.git", "dirty": False},
        {"commit": commit, "remote": "https://example.com/repo.git", "dirty": True},
    ]


def test_defaults_and_run_folder(sdk_offline: Path, read_log: ReadLog) -> None:
    run = epochal.init(config={"a": 1}, tags=["x"], group="g", job_type="train", notes="hi")
    assert epochal.run is run
    assert run.project == "uncategorized" and run.entity == "-"
    assert re.fullmatch(r"[a-z0-9]{8}", run.id)
    assert re.fullmatch(r"[a-z]+-[a-z]+-\d+", run.name)
    assert run.run_folder is not None
    assert run.run_folder.parent == sdk_offline / "epochal"
    assert re.fullmatch(rf"run-\d{{8}}_\d{{6}}-{run.id}", run.run_folder.name)
    assert Path(run.dir) == run.run_folder / "files" and Path(run.dir).is_dir()
    run.finish()
    assert epochal.run is None
    with pytest.raises(epochal.UsageError):
        epochal.config.update({"b": 2})
    start = read_log(run)[0]
    assert isinstance(start, RunStart)
    assert (start.project, start.run_id, start.name, start.tags, start.group) == (
        "uncategorized", run.id, run.name, ["x"], "g"
    )  # fmt: skip
    assert start.system["python"] and start.system["hostname"] and "sdk_version" in start.system
    assert start.system["os"].startswith(f"{platform.system()}-{platform.release()}-")  # as platform.platform()
    assert (run.run_folder / "debug.log").exists()


def test_second_init_finishes_the_first(sdk_offline: Path, read_log: ReadLog) -> None:
    first = epochal.init(project="p", name="one", id="firstrun")
    first.log({"a": 1})
    second = epochal.init(project="p", name="two")
    assert epochal.run is second and second.id != first.id
    records = read_log(first)
    assert isinstance(records[-1], Finish) and records[-1].exit_code == 0
    with pytest.raises(epochal.UsageError):
        first.log({"a": 2})
    assert epochal.init(project="p", reinit="return_previous") is second


def test_project_from_environment_and_bad_names(sdk_offline: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WANDB_PROJECT", "from-wandb-env")
    assert epochal.init().project == "from-wandb-env"
    monkeypatch.setenv("EPOCHAL_PROJECT", "from-env")
    assert epochal.init().project == "from-env"
    with pytest.raises(epochal.UsageError, match="project"):
        epochal.init(project="bad name/with slash")
    with pytest.raises(epochal.UsageError, match="run id"):
        epochal.init(project="p", id="../x")


def test_disabled_mode_writes_nothing(sdk_offline: Path) -> None:
    run = epochal.init(project="p", mode="disabled")
    run.log({"a": 1})
    run.summary["x"] = 1
    run.finish()
    assert run.run_folder is None and not (sdk_offline / "epochal").exists()


def test_unreachable_server_never_stops_training(
    sdk_offline: Path, read_log: ReadLog, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setenv("EPOCHAL_MODE", "online")
    monkeypatch.setenv("EPOCHAL_SILENT", "0")
    monkeypatch.setenv("EPOCHAL_BASE_URL", f"http://127.0.0.1:{port}")
    run = epochal.init(project="p", settings={"finish_timeout": 0.5, "viewer_timeout": 0.5})
    assert run.entity == "-"
    for i in range(100):
        run.log({"i": i})
    run.finish()
    err = capsys.readouterr().err
    assert f"epochal: run {run.name} at http://127.0.0.1:{port}/-/p/runs/{run.id}" in err
    assert f"server unreachable, 102 records kept in {run.run_folder}; run 'epochal sync {run.run_folder}'" in err
    assert len(read_log(run)) == 102


def test_settings_precedence(tmp_path: Path) -> None:
    env = {"EPOCHAL_CONFIG_DIR": str(tmp_path), "WANDB_MODE": "dryrun", "WANDB_BASE_URL": "http://w:1"}
    assert Settings.from_environment(environ=env).mode == "offline"
    assert Settings.from_environment(environ=env).base_url == "http://w:1"
    env["EPOCHAL_BASE_URL"] = "http://e:2/"
    assert Settings.from_environment(environ=env).base_url == "http://e:2"
    explicit = Settings.from_environment(Settings(finish_timeout=1.0, mode="disabled"), environ=env)
    assert (explicit.finish_timeout, explicit.mode, explicit.base_url) == (1.0, "disabled", "http://e:2")
    with pytest.raises(epochal.UsageError, match="unknown settings"):
        Settings.from_environment({"nope": 1}, environ=env)
    with pytest.raises(epochal.UsageError, match="WANDB_MODE"):
        Settings.from_environment(environ={**env, "WANDB_MODE": "sometimes"})


def test_login_stores_the_key_for_the_owner_only(sdk_offline: Path, tmp_path: Path) -> None:
    assert epochal.login(key="secret-key", host="http://example:9/")
    path = tmp_path / "config" / "settings.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    settings = Settings.from_environment()
    assert (settings.api_key, settings.base_url) == ("secret-key", "http://example:9")
