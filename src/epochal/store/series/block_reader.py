"""``read_series_block``: a range of one series at about the detail a chart can show.

Three tiers, coarsest first, and the coarsest one that still gives about ``max_points / 2``
entries is read:

1. the chunks' own statistics (4096 points per entry; no payload is read at all);
2. the chunks' level-of-detail summaries (about 64 points per entry, ``lod.py``);
3. the raw points.

Every entry carries exact min, max, sum and count, and entries never overlap in steps, so
an envelope built from them contains every point and its extremes are real points.
Entries straddling the requested range's edges are replaced by the raw points inside the
range. When a tier cannot guarantee that (steps logged out of order make entries overlap;
chunks written before summaries existed have none) the next finer tier is used.
"""

from __future__ import annotations

import numpy as np
from sqlalchemy import Connection, select

from epochal.store.base import SeriesBlock
from epochal.store.series import lod
from epochal.store.series.reader import raw_block, read_points
from epochal.store.sql.tables import series_chunks, series_lod


def read_block(
    conn: Connection, run_pk: int, key: str, min_step: int | None, max_step: int | None, max_points: int | None
) -> SeriesBlock:
    if max_points is None:
        return raw_block(read_points(conn, run_pk, key, min_step, max_step))
    chunks = _chunk_entries(conn, run_pk, key, min_step, max_step)
    total = int(chunks.count.sum())
    wanted = max(max_points // 2, 1)
    coarse: SeriesBlock | None = None
    if total > max_points:
        if len(chunks.steps) >= wanted:
            coarse = lod.join(chunks)
        if coarse is None and total >= wanted * lod.LOD_POINTS:
            coarse = _summary_entries(conn, run_pk, key, min_step, max_step, expected=len(chunks.steps))
    if coarse is None:
        return raw_block(read_points(conn, run_pk, key, min_step, max_step))
    return _clip(conn, run_pk, key, coarse, min_step, max_step)


def _chunk_entries(conn: Connection, run_pk: int, key: str, min_step: int | None, max_step: int | None) -> SeriesBlock:
    c = series_chunks.c
    query = select(c.step_min, c.step_max, c.vmin, c.vmax, c.vsum, c.count).where(c.run_pk == run_pk, c.key == key)
    if min_step is not None:
        query = query.where(c.step_max >= min_step)
    if max_step is not None:
        query = query.where(c.step_min <= max_step)
    rows = conn.execute(query.order_by(c.step_min, c.chunk_no)).all()
    if not rows:
        return lod.empty_block()
    step_min, step_max, vmin, vmax, vsum, count = zip(*rows, strict=True)
    return SeriesBlock(
        steps=np.array(step_min, dtype=np.int64),
        step_ends=np.array(step_max, dtype=np.int64),
        min=np.array(vmin, dtype=np.float64),  # NULL (stored NaN) becomes NaN
        max=np.array(vmax, dtype=np.float64),
        sum=np.array(vsum, dtype=np.float64),
        count=np.array(count, dtype=np.int64),
    )


def _summary_entries(
    conn: Connection, run_pk: int, key: str, min_step: int | None, max_step: int | None, *, expected: int
) -> SeriesBlock | None:
    t = series_lod.c
    query = select(t.codec, t.entries, t.data).where(t.run_pk == run_pk, t.key == key)
    if min_step is not None:
        query = query.where(t.step_max >= min_step)
    if max_step is not None:
        query = query.where(t.step_min <= max_step)
    rows = conn.execute(query.order_by(t.step_min, t.chunk_no)).all()
    if len(rows) != expected:
        return None  # some chunks predate summaries
    return lod.join(lod.decode_many([(row.codec, row.entries, row.data) for row in rows]))


def _clip(
    conn: Connection, run_pk: int, key: str, block: SeriesBlock, min_step: int | None, max_step: int | None
) -> SeriesBlock:
    """Keep entries inside the range; read the range's raw points where an entry crosses an edge."""
    inside = np.ones(len(block.steps), dtype=np.bool_)
    crosses_low = crosses_high = False
    if min_step is not None:
        inside &= block.steps >= min_step
        crosses_low = bool(np.any((block.steps < min_step) & (block.step_ends >= min_step)))
    if max_step is not None:
        inside &= block.step_ends <= max_step
        crosses_high = bool(np.any((block.step_ends > max_step) & (block.steps <= max_step)))
    if not inside.any():
        return raw_block(read_points(conn, run_pk, key, min_step, max_step))
    kept = lod.take(block, inside)
    parts = [kept]
    if crosses_low:
        parts.insert(0, raw_block(read_points(conn, run_pk, key, min_step, int(kept.steps[0]) - 1)))
    if crosses_high:
        parts.append(raw_block(read_points(conn, run_pk, key, int(kept.step_ends[-1]) + 1, max_step)))
    return lod.concat(parts)
