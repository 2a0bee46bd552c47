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

from collections.abc import Sequence
from itertools import groupby

import numpy as np
from sqlalchemy import ColumnElement, Connection, select

from epochal.store.base import SeriesBlock
from epochal.store.series import lod
from epochal.store.series.reader import raw_block, read_points
from epochal.store.sql.tables import series_chunks, series_lod

RUNS_PER_QUERY = 500
"""Runs per ``IN (...)`` list: far under SQLite's and PostgreSQL's limits on bound parameters."""


def read_block(
    conn: Connection, run_pk: int, key: str, min_step: int | None, max_step: int | None, max_points: int | None
) -> SeriesBlock:
    return read_blocks(conn, [run_pk], key, min_step, max_step, max_points)[0]


def read_blocks(
    conn: Connection,
    run_pks: Sequence[int],
    key: str,
    min_step: int | None,
    max_step: int | None,
    max_points: int | None,
) -> list[SeriesBlock]:
    """``read_block`` of several runs (one per ``run_pks``, in order), with one query per tier for
    all of them: an overlay chart of 100 runs costs two queries, not two hundred."""
    blocks: list[SeriesBlock] = []
    for first in range(0, len(run_pks), RUNS_PER_QUERY):
        part = run_pks[first : first + RUNS_PER_QUERY]
        coarse = _coarse_blocks(conn, part, key, min_step, max_step, max_points) if max_points is not None else {}
        for pk in part:
            found = coarse.get(pk)
            if found is None:
                blocks.append(raw_block(read_points(conn, pk, key, min_step, max_step)))
            else:
                blocks.append(_clip(conn, pk, key, found, min_step, max_step))
    return blocks


def _coarse_blocks(
    conn: Connection, run_pks: Sequence[int], key: str, min_step: int | None, max_step: int | None, max_points: int
) -> dict[int, SeriesBlock]:
    """The coarsest tier with about ``max_points / 2`` entries for each run that has one."""
    wanted = max(max_points // 2, 1)
    chunks = _chunk_entries(conn, run_pks, key, min_step, max_step)
    coarse: dict[int, SeriesBlock] = {}
    summarised: dict[int, int] = {}
    for pk, entries in chunks.items():
        total = int(entries.count.sum())
        if total <= max_points:
            continue
        joined = lod.join(entries) if len(entries.steps) >= wanted else None
        if joined is not None:
            coarse[pk] = joined
        elif total >= wanted * lod.LOD_POINTS:
            summarised[pk] = len(entries.steps)
    if summarised:
        coarse.update(_summary_entries(conn, summarised, key, min_step, max_step))
    return coarse


def _reaching(
    step_min: ColumnElement[int], step_max: ColumnElement[int], lo: int | None, hi: int | None
) -> list[ColumnElement[bool]]:
    """Conditions for rows (chunks or summaries) reaching into ``[lo, hi]``."""
    conditions = []
    if lo is not None:
        conditions.append(step_max >= lo)
    if hi is not None:
        conditions.append(step_min <= hi)
    return conditions


def _chunk_entries(
    conn: Connection, run_pks: Sequence[int], key: str, min_step: int | None, max_step: int | None
) -> dict[int, SeriesBlock]:
    """Each run's chunks as entries (their stored statistics, no payload); runs without any are left out."""
    c = series_chunks.c
    query = select(c.run_pk, c.step_min, c.step_max, c.vmin, c.vmax, c.vsum, c.count).where(
        c.run_pk.in_(run_pks), c.key == key, *_reaching(c.step_min, c.step_max, min_step, max_step)
    )
    rows = conn.execute(query.order_by(c.run_pk, c.step_min, c.chunk_no)).all()
    return {pk: _entries(list(group)) for pk, group in groupby(rows, key=lambda row: int(row.run_pk))}


def _entries(rows: Sequence[Sequence[object]]) -> SeriesBlock:
    _, step_min, step_max, vmin, vmax, vsum, count = zip(*rows, strict=True)
    return SeriesBlock(
        steps=np.array(step_min, dtype=np.int64),
        step_ends=np.array(step_max, dtype=np.int64),
        min=np.array(vmin, dtype=np.float64),  # NULL (stored NaN) becomes NaN
        max=np.array(vmax, dtype=np.float64),
        sum=np.array(vsum, dtype=np.float64),
        count=np.array(count, dtype=np.int64),
    )


def _summary_entries(
    conn: Connection, chunks_of: dict[int, int], key: str, min_step: int | None, max_step: int | None
) -> dict[int, SeriesBlock]:
    """Joined summaries of the runs in ``chunks_of`` (run -> its chunks in range), for each run whose
    every chunk has one and whose entries do not overlap."""
    t = series_lod.c
    query = select(t.run_pk, t.codec, t.entries, t.data).where(
        t.run_pk.in_(list(chunks_of)), t.key == key, *_reaching(t.step_min, t.step_max, min_step, max_step)
    )
    rows = conn.execute(query.order_by(t.run_pk, t.step_min, t.chunk_no)).all()
    found: dict[int, SeriesBlock] = {}
    for pk, group in groupby(rows, key=lambda row: int(row.run_pk)):
        summaries = [(row.codec, row.entries, row.data) for row in group]
        if len(summaries) != chunks_of[pk]:
            continue  # some chunks predate summaries
        joined = lod.join(lod.decode_many(summaries))
        if joined is not None:
            found[pk] = joined
    return found


def _clip(
    conn: Connection, run_pk: int, key: str, block: SeriesBlock, min_step: int | None, max_step: int | None
) -> SeriesBlock:
    """Keep entries inside the range; read the range's raw points where an entry crosses an edge."""
    if min_step is None and max_step is None:
        return block
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
