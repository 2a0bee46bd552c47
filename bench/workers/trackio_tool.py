"""trackio 0.43, local: a SQLite database per project under ``$TRACKIO_DIR``.

Reads use ``SQLiteStorage``, the layer trackio's own dashboard server calls: ``get_logs`` with
``max_points=3000`` for charts (what its server passes), ``get_metric_values`` for a full read.
trackio has no run summary, so the runs-table fill logs the 20 summary values as one row.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from bench.workers.common import (
    CONFIG,
    SPIKE_VALUE,
    dir_size,
    peak_rss_mb,
    run_measurement,
    series_values,
    spike_step_for,
    time_log_loop,
)

DASHBOARD_MAX_POINTS = 3000
FILL_CHUNK = 100_000


def main() -> None:
    run_measurement("trackio", globals())


def _storage() -> Any:
    from trackio.sqlite_storage import SQLiteStorage

    return SQLiteStorage


def _init(args: dict[str, Any]) -> dict[str, Any]:
    import trackio

    start = time.perf_counter()
    trackio.init(project="bench", config=CONFIG)
    init_s = time.perf_counter() - start
    trackio.finish()
    return {"init_s": init_s}


def _train(args: dict[str, Any]) -> dict[str, Any]:
    import trackio

    store = Path(os.environ["TRACKIO_DIR"])
    run = trackio.init(project="bench", config=CONFIG)
    size_before = dir_size(store)
    steps, keys = args["steps"], args["keys"]
    first_log = time.perf_counter()
    log_us, _ = time_log_loop(lambda row, _step: trackio.log(row), steps, keys)
    start = time.perf_counter()
    trackio.finish()
    end = time.perf_counter()
    stored = _storage().get_log_count("bench", run.name) * keys
    return {
        "log_us": log_us,
        "finish_s": end - start,
        "end_to_end_s": end - first_log,
        "points": steps * keys,
        "stored_points": stored,
        "store_bytes": dir_size(store) - size_before,
        "peak_rss_mb": peak_rss_mb(),
    }


def _bulk_series(project: str, run: str, values: Any) -> None:
    for offset in range(0, len(values), FILL_CHUNK):
        chunk = values[offset : offset + FILL_CHUNK].tolist()
        _storage().bulk_log(project, run, [{"loss": v} for v in chunk], steps=list(range(offset, offset + len(chunk))))


def _fill_series(args: dict[str, Any]) -> dict[str, Any]:
    points = args["points"]
    _bulk_series("series", "run-0", series_values(points, spike_step_for(points)))
    return {"run": "run-0"}


def _read_full(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    values = _storage().get_metric_values("series", "run-0", "loss")
    return {"seconds": time.perf_counter() - start, "returned": len(values)}


def _chart(args: dict[str, Any]) -> dict[str, Any]:
    start = time.perf_counter()
    logs = _storage().get_logs("series", "run-0", max_points=DASHBOARD_MAX_POINTS)
    seconds = time.perf_counter() - start
    spike = any(row.get("loss", 0.0) >= SPIKE_VALUE for row in logs)
    return {"seconds": seconds, "returned": len(logs), "spike": spike}


def _fill_overlay(args: dict[str, Any]) -> dict[str, Any]:
    for index in range(args["runs"]):
        _bulk_series("overlay", f"run-{index}", series_values(args["steps"], -1, seed=index))
    return {"runs": args["runs"]}


def _overlay(args: dict[str, Any]) -> dict[str, Any]:
    runs = [{"run": f"run-{index}"} for index in range(args["runs"])]
    start = time.perf_counter()
    batch = _storage().get_logs_batch("overlay", runs, max_points=DASHBOARD_MAX_POINTS)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "returned": sum(len(entry["logs"]) for entry in batch)}


def _fill_table(args: dict[str, Any]) -> dict[str, Any]:
    for index in range(args["runs"]):
        config = {f"c{k:02d}": (index * 31 + k) % 97 for k in range(args["config_keys"])}
        summary = {f"s{k:02d}": ((index * 7919 + k) % 10007) / 10007 for k in range(args["summary_keys"])}
        _storage().bulk_log("table", f"run-{index}", [summary], steps=[0], config=config)
    return {"runs": args["runs"]}


def _table(args: dict[str, Any]) -> dict[str, Any]:
    """Runs, their configs and their last values, sorted by s00: trackio has no server-side sort."""
    storage = _storage()
    start = time.perf_counter()
    records = storage.get_run_records("table")
    configs = storage.get_all_run_configs("table")
    logs = storage.get_logs_batch("table", [{"run": r["name"]} for r in records], max_points=None)
    last = {entry["run"]: (entry["logs"][-1] if entry["logs"] else {}) for entry in logs}
    rows = [{"run": r["name"], "config": configs.get(r["name"], {}), **last.get(r["name"], {})} for r in records]
    rows.sort(key=lambda row: row.get("s00", float("-inf")), reverse=True)
    return {"seconds": time.perf_counter() - start, "returned": len(rows)}


if __name__ == "__main__":
    main()
