"""Fresh processes: run one worker measurement, and start/stop the servers the tools need.

Every measurement is a new interpreter, so imports, caches and allocator state never leak from
one repetition to the next. While a worker runs, its descendants (e.g. wandb's ``wandb-core``
service) are polled with psutil so their peak memory is reported beside the worker's own.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench.workers.common import RESULT_PREFIX

REPO_ROOT = Path(__file__).resolve().parent.parent
POLL_INTERVAL_S = 0.02


@dataclass
class WorkerOutcome:
    """What one worker run gave: its result dict, or why there is none."""

    result: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    helper_peak_rss_mb: float = 0.0
    log_path: Path | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def bench_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "PYTHONUNBUFFERED": "1"}
    env.update(extra or {})
    return env


def run_worker(
    python: Path,
    tool_module: str,
    measurement: str,
    params: dict[str, Any],
    *,
    workdir: Path,
    timeout_s: float,
    env: dict[str, str] | None = None,
) -> WorkerOutcome:
    """Run ``python -m bench.workers.<tool_module> <measurement> <params>`` in ``workdir``."""
    workdir.mkdir(parents=True, exist_ok=True)
    log_path = workdir / f"{tool_module}-{measurement}-{time.time_ns()}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(python), "-m", f"bench.workers.{tool_module}", measurement, json.dumps(params)],
            cwd=workdir,
            env=bench_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        helper_peak = _wait_polling_helpers(proc, timeout_s)
    outcome = WorkerOutcome(helper_peak_rss_mb=helper_peak or 0.0, log_path=log_path)
    if helper_peak is None:
        outcome.error = f"timeout (>{timeout_s:.0f}s)"
        return outcome
    text = log_path.read_text(errors="replace")
    for line in reversed(text.splitlines()):
        if line.startswith(RESULT_PREFIX):
            outcome.result = json.loads(line[len(RESULT_PREFIX) :])
            return outcome
    tail = " | ".join(text.strip().splitlines()[-3:])[-300:]
    outcome.error = f"failed (exit {proc.returncode}): {tail}"
    return outcome


def _wait_polling_helpers(proc: subprocess.Popen[bytes], timeout_s: float) -> float | None:
    """Wait for ``proc``; return the peak summed RSS (MB) of its descendants, None on timeout."""
    deadline = time.monotonic() + timeout_s
    peak = 0.0
    try:
        parent = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        parent = None
    while proc.poll() is None:
        if time.monotonic() > deadline:
            _kill_group(proc)
            return None
        if parent is not None:
            peak = max(peak, _children_rss_mb(parent))
        time.sleep(POLL_INTERVAL_S)
    _kill_group(proc)  # helpers a tool left behind must not outlive the measurement
    return peak


def _children_rss_mb(parent: psutil.Process) -> float:
    total = 0
    try:
        children = parent.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0.0
    for child in children:
        try:
            total += child.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / (1024 * 1024)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


class ServerProcess:
    """A server started in its own session, waited for by polling ``health_url``."""

    def __init__(self, argv: list[str], health_url: str, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.argv = argv
        self.health_url = health_url
        self.log_path = log_path
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60.0) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=self.log_path.parent,
                env=bench_env(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                if httpx.get(self.health_url, timeout=1.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not answer {self.health_url} within {timeout_s:.0f}s; see {self.log_path}")

    def stop(self) -> None:
        """Stop gracefully (so SQLite checkpoints its WAL), then make sure the group is gone."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        except ProcessLookupError:
            pass
        _kill_group(self.proc)
        self.proc = None

    def __enter__(self) -> ServerProcess:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
