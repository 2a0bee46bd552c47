"""Decodes the runs of the most recently active projects when the server starts.

A project's first runs listing decodes every run's msgpack columns (10k runs: ~0.4 s on
two cores); later listings reuse them (``store/meta/run_cache.py``). Paying that in a
background thread at startup makes the first runs-table request as fast as the next.
The server answers requests meanwhile; one arriving before its project is warm decodes
what it needs itself.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from epochal.store.base import RunQuery, Store

logger = logging.getLogger(__name__)

MAX_WARM_RUNS = 50_000
"""Runs decoded at startup at most (about 10 KB of memory each with 70 config and summary keys)."""


def warm_run_lists(store: Store, stop: threading.Event, max_runs: int = MAX_WARM_RUNS) -> None:
    """List each project's runs once, most recently active first, until ``max_runs`` or ``stop``."""
    started = time.perf_counter()
    left = max_runs
    try:
        for project in store.list_projects():
            if stop.is_set() or project.run_count > left:
                break
            store.list_runs(project.entity, project.name, RunQuery(limit=0))
            left -= project.run_count
    except Exception:  # a warm-up failure must not stop the server; the requests decode as before
        logger.exception("warming the runs lists failed")
        return
    # The decoded runs live as long as the server: leave them out of the cyclic GC's full passes,
    # which otherwise walk them all (a ~150 ms pause for 10k runs, landing in some request).
    gc.freeze()
    logger.info("runs lists warm: %d runs in %.2f s", max_runs - left, time.perf_counter() - started)
