"""Decoded runs kept between requests, reused while a run's row ``version`` is unchanged.

Listing a project decodes every run's msgpack columns; with 10k runs that is most of
the cost of the runs table. Each list reads only ``(id, version)`` of every run and
decodes just the rows that changed since the last list. The versions come from the
database, so runs changed by other server processes are refreshed as well.

The versions come from the covering index ``ix_runs_project_listing`` (no table scan).
When most of a project's runs are unknown (the first listing after the server starts)
they are read in one query over the project instead of ``IN`` lists: SQLAlchemy
compiling 20 lists of 500 parameters cost as much as reading the rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Final

from sqlalchemy import Connection, select

from epochal.store.meta.run_rows import INFO_COLUMNS, run_info
from epochal.store.sql.database import AnyRow
from epochal.store.sql.tables import runs
from epochal.wire.api import RunInfo

_FETCH_CHUNK: Final = 500


class RunInfoCache:
    def __init__(self, max_runs: int = 200_000) -> None:
        self._max_runs = max_runs
        self._runs: dict[int, tuple[int, RunInfo]] = {}
        self._lock = threading.Lock()
        self._project_locks: dict[int, threading.Lock] = {}

    def project_runs(self, conn: Connection, project_pk: int, entity: str, project: str) -> list[RunInfo]:
        """Every run of the project, newest first.

        One caller at a time per project: a request arriving while another (or the startup
        warm-up) decodes the project waits for it and reuses its runs instead of decoding
        them a second time on the same cores.
        """
        with self._lock:
            project_lock = self._project_locks.setdefault(project_pk, threading.Lock())
        with project_lock:
            return self._project_runs(conn, project_pk, entity, project)

    def _project_runs(self, conn: Connection, project_pk: int, entity: str, project: str) -> list[RunInfo]:
        order = (
            select(runs.c.id, runs.c.version)
            .where(runs.c.project_id == project_pk)
            .order_by(runs.c.created_at.desc(), runs.c.id.desc())
        )
        versions = [(int(pk), int(version)) for pk, version in conn.execute(order).all()]
        with self._lock:
            cached = {pk: entry for pk, version in versions if (entry := self._runs.get(pk)) and entry[0] == version}
        stale = [pk for pk, _ in versions if pk not in cached]
        if len(stale) > len(versions) // 2:
            query = select(*INFO_COLUMNS, runs.c.id, runs.c.version).where(runs.c.project_id == project_pk)
            self._decode(conn.execute(query), entity, project, cached)
        else:
            for start in range(0, len(stale), _FETCH_CHUNK):
                ids = stale[start : start + _FETCH_CHUNK]
                query = select(*INFO_COLUMNS, runs.c.id, runs.c.version).where(runs.c.id.in_(ids))
                self._decode(conn.execute(query), entity, project, cached)
        with self._lock:
            if len(self._runs) + len(stale) > self._max_runs:
                self._runs.clear()
            self._runs.update((pk, cached[pk]) for pk in stale)
        return [cached[pk][1] for pk, _ in versions]

    @staticmethod
    def _decode(rows: Iterable[AnyRow], entity: str, project: str, into: dict[int, tuple[int, RunInfo]]) -> None:
        """Decode the rows not already in ``into`` (the project-wide query returns every run)."""
        for row in rows:
            if row.id not in into:
                into[row.id] = (row.version, run_info(entity, project, row))

    def info(self, row: AnyRow, entity: str, project: str) -> RunInfo:
        """The run of ``row`` (selected with ``id`` and ``version``, from a read connection)."""
        with self._lock:
            entry = self._runs.get(row.id)
        if entry is not None and entry[0] == row.version:
            return entry[1]
        decoded = run_info(entity, project, row)
        with self._lock:
            if len(self._runs) >= self._max_runs:
                self._runs.clear()
            self._runs[row.id] = (row.version, decoded)
        return decoded

    def forget(self, run_pk: int) -> None:
        with self._lock:
            self._runs.pop(run_pk, None)
