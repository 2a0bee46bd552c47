"""Chunk rollover: the open chunk is rewritten in place until full; statistics stay exact."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from epochal.store.meta.run_rows import RunRow
from epochal.store.series.reader import read_points
from epochal.store.series.writer import CHUNK_POINTS, append_points
from epochal.store.sql.database import Database
from epochal.store.sql.migrate import upgrade_to_head
from epochal.store.sql.tables import projects, series_chunks

RUN_PK = 1


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = Database(f"sqlite:///{tmp_path / 'series.db'}")
    upgrade_to_head(db)
    with db.write() as conn:
        conn.execute(projects.insert().values(id=1, entity="e", name="p", created_at=0.0, last_activity=0.0))
        run = RunRow(
            pk=None,
            project_pk=1,
            run_id="r",
            name="r",
            state="running",
            created_at=0.0,
            updated_at=0.0,
            heartbeat_at=0.0,
            session_started_at=0.0,
        )
        run.save(conn)
        assert run.pk == RUN_PK
    yield db
    db.dispose()


def _chunk_counts(db: Database, key: str) -> list[int]:
    c = series_chunks.c
    with db.read() as conn:
        rows = conn.execute(select(c.count).where(c.run_pk == RUN_PK, c.key == key).order_by(c.chunk_no))
        return [int(n) for n in rows.scalars()]


def test_small_batches_fill_one_chunk_before_the_next(database: Database) -> None:
    step = 0
    for _ in range(CHUNK_POINTS // 8 + 3):
        with database.write() as conn:
            append_points(conn, RUN_PK, {"x": (list(range(step, step + 8)), [float(s) for s in range(step, step + 8)])})
        step += 8
    assert _chunk_counts(database, "x") == [CHUNK_POINTS, 24]
    with database.read() as conn:
        series = read_points(conn, RUN_PK, "x", None, None)
    assert series.steps.tolist() == list(range(step))
    assert series.values.tolist() == [float(s) for s in range(step)]


def test_one_big_batch_splits_into_full_chunks(database: Database) -> None:
    n = 3 * CHUNK_POINTS + 1
    with database.write() as conn:
        stats = append_points(conn, RUN_PK, {"y": (list(range(n)), list(range(n)))})
    assert _chunk_counts(database, "y") == [CHUNK_POINTS, CHUNK_POINTS, CHUNK_POINTS, 1]
    key = stats["y"]
    assert (key.kind, key.chunks, key.stats.count) == ("i", 4, n)
    assert (key.stats.vmin, key.stats.vmax, key.stats.vsum, key.stats.vlast) == (0, n - 1, n * (n - 1) / 2, n - 1)


def test_statistics_ignore_nan_for_extremes(database: Database) -> None:
    with database.write() as conn:
        append_points(conn, RUN_PK, {"z": ([0, 1], [math.nan, 2.0])})
    with database.write() as conn:
        stats = append_points(conn, RUN_PK, {"z": ([2, 3], [-1.0, math.nan])})["z"].stats
    assert (stats.vmin, stats.vmax, stats.count) == (-1.0, 2.0, 4)
    assert math.isnan(stats.vsum) and math.isnan(stats.vlast)


def test_kind_change_promotes_the_open_chunk_to_float(database: Database) -> None:
    with database.write() as conn:
        append_points(conn, RUN_PK, {"k": ([0, 1], [True, False])})
    with database.write() as conn:
        append_points(conn, RUN_PK, {"k": ([2], [7])})
    with database.read() as conn:
        series = read_points(conn, RUN_PK, "k", None, None)
    assert series.values.dtype == np.float64
    assert series.values.tolist() == [1.0, 0.0, 7.0]
    assert _chunk_counts(database, "k") == [3]
