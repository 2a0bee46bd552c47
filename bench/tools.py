"""The tools under test: how to launch each one's worker, and the servers some of them need.

A ``Session`` owns the scratch folder and the long-lived servers (one MLflow server, one
Epochal server for init and query figures), and stops them all at the end.
"""

from __future__ import annotations

import compileall
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.anchors import ANCHOR_PYTHON
from bench.procs import REPO_ROOT, ServerProcess, WorkerOutcome, free_port, run_worker

PROJECT_PYTHON = Path(sys.executable)
ANCHORS = ("wandb", "mlflow-sqlite", "mlflow-server", "trackio")
TOOLS = ("epochal", *ANCHORS, "floor")


@dataclass(frozen=True)
class Tool:
    name: str
    python: Path
    module: str
    env: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)


def epochal_missing() -> str | None:
    """Why Epochal cannot be measured yet (its SDK or server is still being written), or None."""
    if not (REPO_ROOT / "src" / "epochal" / "server" / "runner.py").exists():
        return "server not written yet (src/epochal/server/runner.py missing)"
    probe = "import epochal; [getattr(epochal, n) for n in ('init', 'log', 'finish')]"
    done = subprocess.run([str(PROJECT_PYTHON), "-c", probe], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"SDK not usable yet ({last[:120]})"
    return None


def compile_epochal() -> None:
    """Write Epochal's bytecode, as ``pip install`` does, so its imports are timed like the anchors'.

    The anchors' venv got its ``.pyc`` files from pip; a working tree gets them on first import,
    unless ``PYTHONDONTWRITEBYTECODE`` is set, when every worker would compile the SDK again
    (~40 ms of ``init`` here).
    """
    compileall.compile_dir(REPO_ROOT / "src" / "epochal", quiet=1)


def epochal_server(data_dir: Path) -> ServerProcess:
    port = free_port()
    return ServerProcess(
        [
            str(PROJECT_PYTHON),
            "-m",
            "epochal",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--log-level",
            "warning",
        ],
        health_url=f"http://127.0.0.1:{port}/api/v1/health",
        log_path=data_dir.parent / f"{data_dir.name}-server.log",
    )


def mlflow_server(backend_db: Path) -> ServerProcess:
    port = free_port()
    backend_db.parent.mkdir(parents=True, exist_ok=True)
    return ServerProcess(
        [
            str(ANCHOR_PYTHON),
            "-m",
            "mlflow",
            "server",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--backend-store-uri",
            f"sqlite:///{backend_db}",
            "--default-artifact-root",
            str(backend_db.parent / "artifacts"),
            "--workers",
            "1",
        ],
        health_url=f"http://127.0.0.1:{port}/health",
        log_path=backend_db.parent / "mlflow-server.log",
    )


def server_url(server: ServerProcess) -> str:
    return server.health_url.split("/api/v1/")[0].removesuffix("/health")


class Session:
    """Scratch space and shared servers for one benchmark invocation."""

    def __init__(self, scratch: Path, timeout_s: float) -> None:
        self.scratch = scratch
        self.timeout_s = timeout_s
        self._servers: dict[str, ServerProcess] = {}
        self._counter = 0

    def fresh_dir(self, label: str) -> Path:
        self._counter += 1
        path = self.scratch / f"{self._counter:04d}-{label}"
        path.mkdir(parents=True)
        return path

    def shared_server(self, name: str, factory: Any) -> ServerProcess:
        """Start a named long-lived server on first use; ``factory`` builds it."""
        if name not in self._servers:
            server: ServerProcess = factory()
            server.start(timeout_s=120.0)
            self._servers[name] = server
        return self._servers[name]

    def stop_server(self, name: str) -> None:
        server = self._servers.pop(name, None)
        if server is not None:
            server.stop()

    def close(self, keep: bool) -> None:
        for name in list(self._servers):
            self.stop_server(name)
        if not keep:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def tool(
        self,
        name: str,
        workdir: Path,
        *,
        mlflow_db: Path | None = None,
        epochal_url: str | None = None,
        trackio_dir: Path | None = None,
    ) -> Tool:
        """How to run ``name``'s worker with its store in (or under) ``workdir``."""
        if name == "epochal":
            return Tool(
                name,
                PROJECT_PYTHON,
                "epochal_tool",
                env={"EPOCHAL_BASE_URL": epochal_url or "", "EPOCHAL_SILENT": "true"},
            )
        if name == "floor":
            return Tool(name, PROJECT_PYTHON, "floor")
        if name == "wandb":
            return Tool(
                name,
                ANCHOR_PYTHON,
                "wandb_tool",
                env={"WANDB_MODE": "offline", "WANDB_SILENT": "true", "WANDB_DIR": str(workdir)},
            )
        if name == "trackio":
            return Tool(
                name, ANCHOR_PYTHON, "trackio_tool", env={"TRACKIO_DIR": str(trackio_dir or workdir / "trackio")}
            )
        if name == "mlflow-sqlite":
            return Tool(
                name, ANCHOR_PYTHON, "mlflow_tool", params={"uri": f"sqlite:///{mlflow_db or workdir / 'mlflow.db'}"}
            )
        if name == "mlflow-server":
            server = self.shared_server(
                f"mlflow:{mlflow_db}", lambda: mlflow_server(mlflow_db or self.scratch / "mlflow-server" / "mlflow.db")
            )
            return Tool(name, ANCHOR_PYTHON, "mlflow_tool", params={"uri": server_url(server)})
        raise ValueError(f"unknown tool {name!r}")

    def run(
        self, tool: Tool, measurement: str, params: dict[str, Any], workdir: Path, timeout_s: float | None = None
    ) -> WorkerOutcome:
        return run_worker(
            tool.python,
            tool.module,
            measurement,
            {**tool.params, **params},
            workdir=workdir,
            timeout_s=timeout_s or self.timeout_s,
            env=tool.env,
        )
