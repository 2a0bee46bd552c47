"""wandb 0.31 in offline mode: writes its run folder under ./wandb, uploads nothing.

wandb has no local query API for offline runs (reading needs a wandb server), so only the
write-side figures are measured for it.
"""

from __future__ import annotations

import time
from pathlib import Path

from bench.workers.common import CONFIG, dir_size, emit, params, peak_rss_mb, time_log_loop, timed_import


def main() -> None:
    name, args = params()
    import_s = timed_import("wandb")
    import wandb

    if name == "import":
        emit({"import_s": import_s})
        return
    start = time.perf_counter()
    run = wandb.init(project="bench", config=CONFIG, mode="offline", dir=str(Path.cwd()))
    init_s = time.perf_counter() - start
    if name == "init":
        run.finish()
        emit({"init_s": init_s})
        return
    if name != "train":
        raise SystemExit(f"wandb has no {name!r} measurement (offline mode has no query API)")
    store = Path.cwd() / "wandb"
    size_before = dir_size(store)
    steps, keys = args["steps"], args["keys"]
    first_log = time.perf_counter()
    log_us, _ = time_log_loop(lambda row, _step: run.log(row), steps, keys)
    start = time.perf_counter()
    run.finish()
    end = time.perf_counter()
    emit(
        {
            "log_us": log_us,
            "finish_s": end - start,
            "end_to_end_s": end - first_log,
            "points": steps * keys,
            "stored_points": None,
            "store_bytes": dir_size(store) - size_before,
            "peak_rss_mb": peak_rss_mb(),
        }
    )


if __name__ == "__main__":
    main()
