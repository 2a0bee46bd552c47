"""Appending points to a run's series: chunk rollover and per-key statistics.

Each (run, key) is a sequence of chunks numbered from 0. The last one stays *open* until
it holds ``CHUNK_POINTS`` points and is rewritten in place as points arrive, so live
batches of a few points never fragment storage. All keys of a batch are handled with a
handful of statements (one read of stats and open chunks, one executemany per write).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, and_, bindparam, delete, insert, select, update

from epochal.store.series import codec, lod
from epochal.store.series.codec import Kind, Values
from epochal.store.series.stats import PointStats, from_db, to_db
from epochal.store.sql.database import AnyRow
from epochal.store.sql.tables import series_chunks, series_keys, series_lod

CHUNK_POINTS: Final = 4096

Scalar = bool | int | float


@dataclass(frozen=True)
class KeyStats:
    """Running statistics of one (run, key), as kept in ``series_keys``."""

    kind: Kind
    stats: PointStats
    chunks: int


@dataclass
class _OpenChunk:
    chunk_no: int
    kind: Kind
    steps: npt.NDArray[np.int64]
    values: Values


def kind_of(values: Sequence[Scalar]) -> Kind:
    """bool when every value is a bool, int when every value is an int, else float."""
    if all(type(v) is bool for v in values):
        return "b"
    if all(type(v) is int for v in values):
        return "i"
    return "f"


def combine_kinds(a: Kind, b: Kind) -> Kind:
    return a if a == b else "f"


def as_array(values: Sequence[Scalar], kind: Kind) -> Values:
    dtype = {"b": np.bool_, "i": np.int64, "f": np.float64}[kind]
    return np.asarray(values, dtype=dtype)


@dataclass(frozen=True)
class Column:
    """Points of one key in arrival order; ``kind`` is :func:`kind_of` of the values."""

    steps: npt.NDArray[np.int64]
    values: Values
    kind: Kind

    @classmethod
    def of_lists(cls, steps: Sequence[int], values: Sequence[Scalar]) -> Column:
        kind = kind_of(values)
        return cls(np.asarray(steps, dtype=np.int64), as_array(values, kind), kind)

    @classmethod
    def concat(cls, parts: Sequence[Column]) -> Column:
        """The parts one after another; the kinds combine as :func:`kind_of` would."""
        if len(parts) == 1:
            return parts[0]
        kind = parts[0].kind
        for part in parts[1:]:
            kind = combine_kinds(kind, part.kind)
        steps = np.concatenate([p.steps for p in parts])
        return cls(steps, np.concatenate([p.values.astype(_DTYPES[kind], copy=False) for p in parts]), kind)


class PendingPoints:
    """A batch's points per key, gathered as whole columns or one point at a time, in order."""

    def __init__(self) -> None:
        self._parts: dict[str, list[Column | tuple[list[int], list[Scalar]]]] = {}

    def __iter__(self) -> Iterator[str]:
        return iter(self._parts)

    def add(self, key: str, step: int, value: Scalar) -> None:
        parts = self._parts.setdefault(key, [])
        last = parts[-1] if parts else None
        if not isinstance(last, tuple):
            last = ([], [])
            parts.append(last)
        last[0].append(step)
        last[1].append(value)

    def add_column(self, key: str, column: Column) -> None:
        self._parts.setdefault(key, []).append(column)

    def columns(self) -> dict[str, Column]:
        return {
            key: Column.concat([p if isinstance(p, Column) else Column.of_lists(*p) for p in parts])
            for key, parts in self._parts.items()
        }


def append_points(
    conn: Connection, run_pk: int, points: Mapping[str, tuple[list[int], list[Scalar]]]
) -> dict[str, KeyStats]:
    """Append ``{key: (steps, values)}`` to the run's series; return the keys' new stats."""
    return append_columns(conn, run_pk, {key: Column.of_lists(*p) for key, p in points.items()})


def append_columns(conn: Connection, run_pk: int, columns: Mapping[str, Column]) -> dict[str, KeyStats]:
    """Append each key's column to the run's series; return the keys' new stats."""
    if not columns:
        return {}
    keys = list(columns)
    known = _load_stats(conn, run_pk, keys)
    open_chunks = _load_open_chunks(conn, run_pk, [k for k, s in known.items() if s.stats.count % CHUNK_POINTS])
    new_stats: dict[str, KeyStats] = {}
    chunk_inserts: list[dict[str, Any]] = []
    chunk_updates: list[dict[str, Any]] = []
    lod_rows: list[dict[str, Any]] = []
    for key, column in columns.items():
        kind, steps, values = column.kind, column.steps, column.values
        old = known.get(key)
        key_kind = kind if old is None else combine_kinds(old.kind, kind)
        next_chunk_no = 0 if old is None else old.chunks
        open_chunk = open_chunks.get(key)
        if open_chunk is not None:
            chunk_kind = combine_kinds(open_chunk.kind, kind)
            steps_all = np.concatenate([open_chunk.steps, steps])
            values_all = np.concatenate(
                [open_chunk.values.astype(_DTYPES[chunk_kind]), values.astype(_DTYPES[chunk_kind], copy=False)]
            )
            first_no = open_chunk.chunk_no
        else:
            chunk_kind, steps_all, values_all, first_no = kind, steps, values, next_chunk_no
        chunk_stats: PointStats | None = None
        for offset in range(0, len(steps_all), CHUNK_POINTS):
            chunk_steps = steps_all[offset : offset + CHUNK_POINTS]
            chunk_values = values_all[offset : offset + CHUNK_POINTS]
            chunk_stats = PointStats.of(chunk_steps, chunk_values)
            row = _chunk_row(
                run_pk, key, first_no, kind=chunk_kind, stats=chunk_stats, steps=chunk_steps, values=chunk_values
            )
            lod_rows.append(_lod_row(run_pk, key, first_no, chunk_steps, chunk_values))
            if open_chunk is not None and first_no == open_chunk.chunk_no:
                chunk_updates.append({f"b_{k}": v for k, v in row.items()})
            else:
                chunk_inserts.append(row)
            first_no += 1
        only_chunk = open_chunk is None and len(steps) <= CHUNK_POINTS  # the new points are that chunk
        added = chunk_stats if only_chunk and chunk_stats is not None else PointStats.of(steps, values)
        stats = added if old is None else old.stats.merge(added)
        new_stats[key] = KeyStats(kind=key_kind, stats=stats, chunks=first_no)
    if chunk_updates:
        conn.execute(_UPDATE_CHUNK, chunk_updates)
        conn.execute(_DELETE_LOD, [{k: row[k] for k in ("b_run_pk", "b_key", "b_chunk_no")} for row in chunk_updates])
    if chunk_inserts:
        conn.execute(insert(series_chunks), chunk_inserts)
    if lod_rows:
        conn.execute(insert(series_lod), lod_rows)
    _save_stats(conn, run_pk, known, new_stats)
    return new_stats


_DTYPES: Final = {"b": np.bool_, "i": np.int64, "f": np.float64}

_UPDATE_CHUNK = (
    update(series_chunks)
    .where(
        and_(
            series_chunks.c.run_pk == bindparam("b_run_pk"),
            series_chunks.c.key == bindparam("b_key"),
            series_chunks.c.chunk_no == bindparam("b_chunk_no"),
        )
    )
    .values(
        {
            name: bindparam(f"b_{name}")
            for name in (
                "codec",
                "kind",
                "count",
                "step_min",
                "step_max",
                "vmin",
                "vmax",
                "vsum",
                "vlast",
                "steps",
                "vals",
            )
        }
    )
)


_DELETE_LOD = delete(series_lod).where(
    and_(
        series_lod.c.run_pk == bindparam("b_run_pk"),
        series_lod.c.key == bindparam("b_key"),
        series_lod.c.chunk_no == bindparam("b_chunk_no"),
    )
)


def _lod_row(run_pk: int, key: str, chunk_no: int, steps: npt.NDArray[np.int64], values: Values) -> dict[str, Any]:
    summary = lod.summarise(steps, values)
    return {
        "run_pk": run_pk,
        "key": key,
        "chunk_no": chunk_no,
        "codec": codec.CURRENT_CODEC,
        "entries": len(summary.steps),
        "step_min": int(summary.steps[0]),
        "step_max": int(summary.step_ends[-1]),
        "data": lod.encode(summary),
    }


def _chunk_row(
    run_pk: int,
    key: str,
    chunk_no: int,
    *,
    kind: Kind,
    stats: PointStats,
    steps: npt.NDArray[np.int64],
    values: Values,
) -> dict[str, Any]:
    return {
        "run_pk": run_pk,
        "key": key,
        "chunk_no": chunk_no,
        "codec": codec.CURRENT_CODEC,
        "kind": kind,
        "count": stats.count,
        "step_min": stats.step_min,
        "step_max": stats.step_max,
        "vmin": to_db(stats.vmin),
        "vmax": to_db(stats.vmax),
        "vsum": to_db(stats.vsum),
        "vlast": to_db(stats.vlast),
        "steps": codec.encode_steps(steps),
        "vals": codec.encode_values(values, kind),
    }


def _load_stats(conn: Connection, run_pk: int, keys: list[str]) -> dict[str, KeyStats]:
    t = series_keys.c
    rows = conn.execute(select(series_keys).where(t.run_pk == run_pk, t.key.in_(keys))).all()
    return {row.key: stats_from_row(row) for row in rows}


def stats_from_row(row: AnyRow) -> KeyStats:
    """Read a ``series_keys`` row (``Row.count`` is tuple's method, hence the mapping)."""
    m = row._mapping
    return KeyStats(
        kind=m["kind"],
        chunks=m["chunks"],
        stats=PointStats(
            count=m["count"],
            step_min=m["first_step"],
            step_max=m["last_step"],
            vmin=from_db(m["vmin"]),
            vmax=from_db(m["vmax"]),
            vsum=from_db(m["vsum"]),
            vlast=from_db(m["vlast"]),
        ),
    )


def _load_open_chunks(conn: Connection, run_pk: int, keys: list[str]) -> dict[str, _OpenChunk]:
    if not keys:
        return {}
    c, k = series_chunks.c, series_keys.c
    query = (
        select(c.key, c.chunk_no, c.codec, c.kind, c.count.label("npoints"), c.steps, c.vals)
        .join(series_keys, and_(k.run_pk == c.run_pk, k.key == c.key, k.chunks == c.chunk_no + 1))
        .where(c.run_pk == run_pk, c.key.in_(keys), c.count < CHUNK_POINTS)
    )
    return {
        row.key: _OpenChunk(
            chunk_no=row.chunk_no,
            kind=row.kind,
            steps=codec.decode_steps(row.steps, row.npoints, row.codec),
            values=codec.decode_values(row.vals, row.kind, row.npoints, row.codec),
        )
        for row in conn.execute(query)
    }


def _save_stats(conn: Connection, run_pk: int, known: Mapping[str, KeyStats], new: Mapping[str, KeyStats]) -> None:
    def row(key: str, s: KeyStats) -> dict[str, Any]:
        return {
            "run_pk": run_pk,
            "key": key,
            "kind": s.kind,
            "count": s.stats.count,
            "first_step": s.stats.step_min,
            "last_step": s.stats.step_max,
            "vmin": to_db(s.stats.vmin),
            "vmax": to_db(s.stats.vmax),
            "vsum": to_db(s.stats.vsum),
            "vlast": to_db(s.stats.vlast),
            "chunks": s.chunks,
        }

    inserts = [row(key, s) for key, s in new.items() if key not in known]
    updates = [{f"b_{n}": v for n, v in row(key, s).items()} for key, s in new.items() if key in known]
    if inserts:
        conn.execute(insert(series_keys), inserts)
    if updates:
        t = series_keys.c
        stmt = (
            update(series_keys)
            .where(and_(t.run_pk == bindparam("b_run_pk"), t.key == bindparam("b_key")))
            .values(
                {
                    n: bindparam(f"b_{n}")
                    for n in ("kind", "count", "first_step", "last_step", "vmin", "vmax", "vsum", "vlast", "chunks")
                }
            )
        )
        conn.execute(stmt, updates)
