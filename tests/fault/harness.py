"""What every fault test needs: trainer processes, their side files, and the stored points.

Exactly-once is checked three ways on the server: the history rows (step and value of
``i`` pairwise), the point count of the series ``i`` (a duplicate would add a point even
where history rows merge by step), and the run's ``history_rows`` counter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import httpx

import epochal

SCRIPT = Path(__file__).with_name("trainer_script.py")
ENTITY = "local"
REPO_ROOT = Path(__file__).parents[2]
T = TypeVar("T")


@dataclass
class Trainer:
    """One ``trainer_script.py`` process and its side file."""

    side_file: Path
    process: subprocess.Popen[bytes]
    stderr_path: Path

    @classmethod
    def start(cls, workdir: Path, base_url: str, *args: str) -> Trainer:
        workdir.mkdir(parents=True, exist_ok=True)
        side = workdir / "returned.txt"
        env = {
            **os.environ,
            "EPOCHAL_BASE_URL": base_url,
            "EPOCHAL_ENTITY": ENTITY,
            "EPOCHAL_DIR": str(workdir),
            "EPOCHAL_CONFIG_DIR": str(workdir / "config"),
            "PYTHONPATH": str(REPO_ROOT / "src"),
        }
        for name in ("EPOCHAL_MODE", "WANDB_MODE", "EPOCHAL_API_KEY", "EPOCHAL_PROJECT"):
            env.pop(name, None)
        stderr_path = workdir / "stderr.txt"
        with stderr_path.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, str(SCRIPT), str(side), *args], cwd=workdir, env=env, stderr=stderr
            )
        return cls(side, process, stderr_path)

    def lines(self) -> list[str]:
        try:
            return self.side_file.read_text().splitlines()
        except FileNotFoundError:
            return []

    def returned_steps(self) -> list[int]:
        """Steps whose ``log()`` returned (complete lines only)."""
        text = self.side_file.read_text() if self.side_file.exists() else ""
        complete = text[: text.rfind("\n") + 1]
        return [int(line) for line in complete.splitlines() if line.isdigit()]

    def milestone(self, name: str) -> list[str] | None:
        """The words after ``name`` on its side-file line, or None before it is written."""
        for line in self.lines():
            if line.startswith(f"{name} "):
                return line.split()[1:]
        return None

    @property
    def run_id(self) -> str:
        started = self.wait_for(lambda: self.milestone("started"), "the run to start")
        return started[0]

    @property
    def run_folder(self) -> Path:
        started = self.wait_for(lambda: self.milestone("started"), "the run to start")
        return Path(started[1])

    def wait_for(self, probe: Callable[[], T | None], what: str, timeout: float = 120.0) -> T:
        """Poll ``probe`` until it returns a value; fail (with the trainer's stderr) if the trainer dies first."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = probe()
            if value is not None and value is not False:
                return value
            if self.process.poll() is not None:
                value = probe()
                if value is not None and value is not False:
                    return value
                raise AssertionError(f"trainer exited {self.process.returncode} before {what}: {self.stderr()}")
            time.sleep(0.05)
        raise AssertionError(f"gave up waiting {timeout:.0f} s for {what}")

    def wait_exit(self, timeout: float = 180.0) -> int:
        code = self.process.wait(timeout=timeout)
        assert code == 0, f"trainer exited {code}: {self.stderr()}"
        return code

    def stderr(self) -> str:
        return self.stderr_path.read_text(errors="replace")[-3000:]

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Stored:
    """What the server holds for one run."""

    pairs: list[tuple[int, object]]
    series_count: int
    history_rows: int
    state: str
    info: dict[str, object] = field(default_factory=dict)

    def check_exactly(self, steps: Sequence[int], label: str) -> str:
        """Assert the server holds ``i == step`` once for each of ``steps``; return the table line."""
        expected = [(s, s) for s in steps]
        line = f"{label}: points expected {len(expected)}, stored {self.series_count}"
        line += f" (history rows {self.history_rows})"
        print(f"\nFAULT-RESULT {line}")
        assert self.pairs == expected, f"{line}; first difference at {_first_difference(self.pairs, expected)}"
        assert self.series_count == len(expected), line
        assert self.history_rows == len(expected), line
        return line


def _first_difference(got: Sequence[tuple[int, object]], want: Sequence[tuple[int, object]]) -> str:
    for index, (a, b) in enumerate(zip(got, want, strict=False)):
        if a != b:
            return f"index {index}: stored {a}, expected {b}"
    return f"lengths {len(got)} vs {len(want)}"


def read_stored(base_url: str, run_id: str, project: str = "fault") -> Stored:
    api = epochal.Api(base_url=base_url)
    run = api.run(f"{ENTITY}/{project}/{run_id}")
    pairs = [(row["_step"], row.get("i")) for row in run.scan_history(keys=["i"], page_size=10_000)]
    keys = httpx.get(f"{base_url}/api/v1/projects/{ENTITY}/{project}/runs/{run_id}/keys", timeout=30).json()
    count = next((k["count"] for k in keys if k["key"] == "i"), 0)
    return Stored(pairs=pairs, series_count=count, history_rows=run.info.history_rows, state=run.state)


def wait_for_state(base_url: str, run_id: str, state: str, timeout: float = 60.0, project: str = "fault") -> str:
    deadline = time.monotonic() + timeout
    seen = ""
    while time.monotonic() < deadline:
        seen = epochal.Api(base_url=base_url).run(f"{ENTITY}/{project}/{run_id}").state
        if seen == state:
            return seen
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} stayed {seen!r}, expected {state!r}")


def run_cli(*args: str, env_extra: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src"), **(env_extra or {})}
    return subprocess.run(
        [sys.executable, "-m", "epochal", *args], capture_output=True, text=True, env=env, timeout=180, check=False
    )
