"""Marks runs whose process went silent as crashed, and tells live viewers."""

from __future__ import annotations

import asyncio
import logging
import time

import anyio.to_thread

from epochal.server.encoding import encode_json
from epochal.server.events import EventBus, run_event
from epochal.store.base import NotFound, Store

logger = logging.getLogger(__name__)


def sweep_period(crash_after_s: float) -> float:
    """Often enough that a run is marked within a third of the allowed silence."""
    return max(min(30.0, crash_after_s / 3), 0.05)


def sweep_once(store: Store, events: EventBus, crash_after_s: float) -> None:
    """One pass (runs in a worker thread: it queries the store)."""
    for ref in store.mark_crashed(silent_since=time.time() - crash_after_s):
        logger.info("run %s/%s/%s went silent for %.0fs: marked crashed", *ref, crash_after_s)
        try:
            events.publish((ref.entity, ref.project), run_event(encode_json(store.get_run(ref))))
        except NotFound:
            continue


async def sweep_forever(store: Store, events: EventBus, crash_after_s: float) -> None:
    """Until cancelled at shutdown; a failing pass is logged and retried next period."""
    period = sweep_period(crash_after_s)
    while True:
        await asyncio.sleep(period)
        try:
            await anyio.to_thread.run_sync(sweep_once, store, events, crash_after_s)
        except Exception:
            logger.exception("crash sweep failed; retrying in %.0fs", period)
