"""Reading a run's series back: exact points in a step range, and per-key statistics."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, select

from epochal.store.base import Series, SeriesBlock
from epochal.store.series import codec
from epochal.store.series.codec import Values
from epochal.store.series.writer import stats_from_row
from epochal.store.sql.tables import series_chunks, series_keys
from epochal.wire.api import SeriesKey


@dataclass(frozen=True)
class ChunkRange:
    """Where a chunk lies, read before its (larger) payload."""

    chunk_no: int
    step_min: int
    step_max: int


def list_keys(conn: Connection, run_pk: int) -> list[SeriesKey]:
    rows = conn.execute(select(series_keys).where(series_keys.c.run_pk == run_pk).order_by(series_keys.c.key))
    out = []
    for row in rows:
        s = stats_from_row(row).stats
        out.append(
            SeriesKey(
                key=row.key,
                count=s.count,
                first_step=s.step_min,
                last_step=s.step_max,
                min=s.vmin,
                max=s.vmax,
                last=s.vlast,
            )
        )
    return out


def read_points(conn: Connection, run_pk: int, key: str, min_step: int | None, max_step: int | None) -> Series:
    """Every point of ``key`` with ``min_step <= step <= max_step``, step-sorted (stable)."""
    c = series_chunks.c
    query = select(c.codec, c.kind, c.count.label("npoints"), c.steps, c.vals).where(c.run_pk == run_pk, c.key == key)
    if min_step is not None:
        query = query.where(c.step_max >= min_step)
    if max_step is not None:
        query = query.where(c.step_min <= max_step)
    step_parts: list[npt.NDArray[np.int64]] = []
    value_parts: list[Values] = []
    kinds = set()
    for row in conn.execute(query.order_by(c.chunk_no)):
        step_parts.append(codec.decode_steps(row.steps, row.npoints, row.codec))
        value_parts.append(codec.decode_values(row.vals, row.kind, row.npoints, row.codec))
        kinds.add(row.kind)
    if not step_parts:
        return Series(steps=np.empty(0, np.int64), values=np.empty(0, np.float64))
    steps = np.concatenate(step_parts)
    values = cast(Values, np.concatenate(value_parts)) if len(kinds) == 1 else _as_float(value_parts)
    return _sorted_range(steps, values, min_step, max_step)


def _as_float(parts: list[Values]) -> npt.NDArray[np.float64]:
    return np.concatenate([part.astype(np.float64) for part in parts])


def _sorted_range(steps: npt.NDArray[np.int64], values: Values, min_step: int | None, max_step: int | None) -> Series:
    mask = np.ones(len(steps), dtype=np.bool_)
    if min_step is not None:
        mask &= steps >= min_step
    if max_step is not None:
        mask &= steps <= max_step
    if not mask.all():
        steps, values = steps[mask], values[mask]
    if len(steps) > 1 and bool(np.any(steps[1:] < steps[:-1])):
        order = np.argsort(steps, kind="stable")
        steps, values = steps[order], values[order]
    return Series(steps=steps, values=values)


def raw_block(series: Series) -> SeriesBlock:
    """Points as a block of one-point entries (``count == 1``)."""
    as_float = series.values.astype(np.float64)
    return SeriesBlock(
        steps=series.steps,
        step_ends=series.steps.copy(),
        min=as_float,
        max=as_float.copy(),
        sum=as_float.copy(),
        count=np.ones(len(series.steps), dtype=np.int64),
    )


def iter_chunk_ranges(conn: Connection, run_pk: int, key: str, min_step: int | None) -> Iterator[ChunkRange]:
    """Chunks of ``key`` reaching ``min_step`` or above, by lowest step (for paging)."""
    c = series_chunks.c
    query = select(c.chunk_no, c.step_min, c.step_max).where(c.run_pk == run_pk, c.key == key)
    if min_step is not None:
        query = query.where(c.step_max >= min_step)
    for row in conn.execute(query.order_by(c.step_min, c.chunk_no)).all():
        yield ChunkRange(row.chunk_no, row.step_min, row.step_max)


def read_chunk_steps(conn: Connection, run_pk: int, key: str, chunk_no: int) -> npt.NDArray[np.int64]:
    c = series_chunks.c
    row = conn.execute(
        select(c.codec, c.count.label("npoints"), c.steps).where(
            c.run_pk == run_pk, c.key == key, c.chunk_no == chunk_no
        )
    ).one()
    return codec.decode_steps(row.steps, row.npoints, row.codec)
