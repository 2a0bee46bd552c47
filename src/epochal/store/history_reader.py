"""Reading history rows back: series points and history objects merged by step.

Every History record stores a ``_timestamp`` point, so the ``_timestamp`` series lists
the steps that have rows; a page reads only the chunks it needs. Two records logged at
the same step make one row (the later value of a key wins), as wandb shows them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select

from epochal.store.meta.packing import unpack
from epochal.store.series.reader import iter_chunk_ranges, read_chunk_steps, read_points
from epochal.store.sql.tables import history_objects, series_keys
from epochal.wire.api import HistoryPage
from epochal.wire.keys import RUNTIME_KEY, STEP_KEY, TIMESTAMP_KEY


def page_steps(conn: Connection, run_pk: int, min_step: int | None, limit: int) -> tuple[list[int], int | None]:
    """The first ``limit`` distinct row steps at or above ``min_step``, and the next one."""
    found: npt.NDArray[np.int64] = np.empty(0, np.int64)
    for chunk in iter_chunk_ranges(conn, run_pk, TIMESTAMP_KEY, min_step):
        if len(found) > limit and chunk.step_min > found[limit]:
            break
        steps = read_chunk_steps(conn, run_pk, TIMESTAMP_KEY, chunk.chunk_no)
        if min_step is not None:
            steps = steps[steps >= min_step]
        found = np.unique(np.concatenate([found, steps]))
    page = [int(s) for s in found[:limit]]
    return page, (int(found[limit]) if len(found) > limit else None)


def read_rows(
    conn: Connection, run_pk: int, keys: Sequence[str] | None, min_step: int | None, limit: int
) -> HistoryPage:
    steps, next_step = page_steps(conn, run_pk, min_step, max(limit, 1))
    if not steps:
        return HistoryPage(rows=[], next_step=None)
    lo, hi = steps[0], steps[-1]
    rows: dict[int, dict[str, Any]] = {step: {STEP_KEY: step} for step in steps}
    if keys is None:
        scalar_keys = list(conn.execute(select(series_keys.c.key).where(series_keys.c.run_pk == run_pk)).scalars())
    else:
        scalar_keys = list(dict.fromkeys([TIMESTAMP_KEY, RUNTIME_KEY, *keys]))
    for key in scalar_keys:
        series = read_points(conn, run_pk, key, lo, hi)
        for step, value in zip(series.steps.tolist(), series.values.tolist(), strict=True):
            rows[step][key] = value
    t = history_objects.c
    query = select(t.step, t.key, t.value).where(t.run_pk == run_pk, t.step >= lo, t.step <= hi)
    if keys is not None:
        query = query.where(t.key.in_(list(keys)))
    for step, key, value in conn.execute(query.order_by(t.id)):
        rows[step][key] = unpack(value)
    return HistoryPage(rows=[rows[step] for step in steps], next_step=next_step)
