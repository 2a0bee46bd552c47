"""What every worker shares: the synthetic data, the timed loops and the result line.

A worker prints exactly one line starting with ``RESULT_PREFIX`` followed by a JSON object;
the harness parses it. Everything else a tool prints (banners, warnings) is ignored.
"""

from __future__ import annotations

import json
import math
import random
import resource
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

RESULT_PREFIX = "BENCH_RESULT "
SPIKE_VALUE = 1e6
CONFIG = {
    "learning_rate": 1e-3,
    "net": "CNN3 (skip-connection, sum)",
    "params": 1_234_567,
    "batch_size": 128,
    "optimizer": "adam",
}


def emit(result: dict[str, Any]) -> None:
    """Print the one result line the harness reads."""
    sys.stdout.write(RESULT_PREFIX + json.dumps(result) + "\n")
    sys.stdout.flush()


def peak_rss_mb() -> float:
    """This process's peak resident set size since it started (``VmHWM``).

    Not ``ru_maxrss``: Linux carries it over ``exec`` from the forked parent, so every worker
    reported at least the harness's own RSS (~34 MB), whatever it used itself.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_import(module: str) -> float:
    start = time.perf_counter()
    __import__(module)
    return time.perf_counter() - start


def value_pool(size: int = 10_007) -> list[float]:
    """Float values shaped like a loss curve, rounded to float32 as ``loss.item()`` gives them."""
    rng = random.Random(1234)
    pool = []
    for i in range(size):
        value = 2.0 * math.exp(-3.0 * i / size) + 0.05 * math.sin(i / 37) + rng.gauss(0, 0.01)
        pool.append(float(_as_float32(value)))
    return pool


def _as_float32(value: float) -> float:
    import struct

    return float(struct.unpack("<f", struct.pack("<f", value))[0])


def rows(steps: int, keys: int) -> Iterator[dict[str, float]]:
    """Yield one fresh dict per step, built outside the timed ``log()`` call."""
    names = [f"metric_{k:04d}" for k in range(keys)]
    pool = value_pool()
    width = len(pool) - keys
    for step in range(steps):
        offset = (step * 7) % width
        yield dict(zip(names, pool[offset : offset + keys], strict=True))


def time_log_loop(log: Callable[[dict[str, float], int], object], steps: int, keys: int) -> tuple[float, float]:
    """Call ``log(row, step)`` per step; return (µs per call measured around the call only, loop wall s).

    Each call is bracketed by ``perf_counter_ns``; the bracket's own cost (~0.05 µs) is included,
    which is why the 'floor' tool (a list append) is shown beside the others.
    """
    clock = time.perf_counter_ns
    spent = 0
    loop_start = time.perf_counter()
    for step, row in enumerate(rows(steps, keys)):
        before = clock()
        log(row, step)
        spent += clock() - before
    return spent / steps / 1000, time.perf_counter() - loop_start


def series_values(points: int, spike_step: int, seed: int = 7) -> Any:
    """A numpy float64 array of a float32-rounded noisy training curve with one spike planted."""
    import numpy as np

    rng = np.random.default_rng(seed)
    x = np.arange(points, dtype=np.float64)
    curve = 2.0 * np.exp(-3.0 * x / points) + 0.05 * np.sin(x / 37) + rng.normal(0, 0.01, points)
    values = curve.astype(np.float32).astype(np.float64)
    if 0 <= spike_step < points:
        values[spike_step] = SPIKE_VALUE
    return values


def spike_step_for(points: int) -> int:
    """Where the spike goes: an arbitrary step that no regular sampling grid hits."""
    return (points * 7) // 9 + 3


def dir_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


QUERY_MEASUREMENTS = (
    "init",
    "train",
    "fill_series",
    "read_full",
    "chart",
    "fill_overlay",
    "overlay",
    "fill_table",
    "table",
)
"""What a tool with a query API measures; its worker defines ``_<name>(args)`` for each."""


def run_measurement(
    module: str, namespace: dict[str, Any], setup: Callable[[dict[str, Any]], None] | None = None
) -> None:
    """A worker's ``main``: time the tool's import, then run ``_<measurement>(args)`` from ``namespace``.

    ``setup`` runs after the import for every measurement but ``import`` (e.g. MLflow's tracking URI).
    """
    name, args = params()
    import_s = timed_import(module)
    if name == "import":
        emit({"import_s": import_s})
        return
    if name not in QUERY_MEASUREMENTS:
        raise SystemExit(f"{module} has no {name!r} measurement")
    if setup is not None:
        setup(args)
    emit(namespace[f"_{name}"](args))


def params() -> tuple[str, dict[str, Any]]:
    """The measurement name and its JSON parameters from the command line."""
    name = sys.argv[1]
    args = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    return name, args
