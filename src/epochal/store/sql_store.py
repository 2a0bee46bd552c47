"""The Store on SQL (SQLite or PostgreSQL via SQLAlchemy Core) plus a BlobStore.

Each method is one transaction. Writes go through ``Database.write`` (serialised for
SQLite, row-locked per run for PostgreSQL); reads see a consistent snapshot.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from epochal.store.accounts import AccountStore
from epochal.store.base import (
    BlobStore,
    IngestResult,
    NotFound,
    RunQuery,
    RunRef,
    Series,
    SeriesBlock,
)
from epochal.store.history_block import IngestItem
from epochal.store.history_reader import read_rows
from epochal.store.ingest import BatchApplier, acked_seq
from epochal.store.meta.accounts import SqlAccounts
from epochal.store.meta.run_cache import RunInfoCache
from epochal.store.meta.run_query import apply_query
from epochal.store.meta.run_rows import INFO_COLUMNS, find_project_pk, load_run, run_info
from epochal.store.series.block_reader import RUNS_PER_QUERY, read_block, read_blocks
from epochal.store.series.reader import list_keys, read_points
from epochal.store.sql.database import AnyRow, Database
from epochal.store.sql.tables import (
    files,
    history_objects,
    media_refs,
    projects,
    runs,
    series_chunks,
    series_keys,
    series_lod,
    stream_acks,
)
from epochal.store.validation import check_notes, check_run_name, check_tags
from epochal.wire.api import FileInfo, HistoryPage, ProjectInfo, RunInfo, RunPage, RunPatch, SeriesKey

logger = logging.getLogger(__name__)

_RUN_CHILDREN = (series_chunks, series_lod, series_keys, history_objects, files, media_refs, stream_acks)


class SqlStore:
    def __init__(self, database: Database, blobs: BlobStore) -> None:
        self.database = database
        self.blobs = blobs
        self.accounts: AccountStore = SqlAccounts(database)
        self._run_cache = RunInfoCache()

    def close(self) -> None:
        self.database.dispose()

    # --- projects and runs ------------------------------------------------------------------

    def list_projects(self) -> list[ProjectInfo]:
        with self.database.read() as conn:
            return self._projects(conn)

    def get_project(self, entity: str, project: str) -> ProjectInfo:
        with self.database.read() as conn:
            found = self._projects(conn, entity, project)
        if not found:
            raise NotFound(f"project {entity}/{project} does not exist")
        return found[0]

    @staticmethod
    def _projects(conn: Connection, entity: str | None = None, name: str | None = None) -> list[ProjectInfo]:
        p = projects.c
        run_count = select(func.count()).where(runs.c.project_id == p.id).scalar_subquery()
        query = select(p.entity, p.name, p.created_at, p.last_activity, run_count.label("run_count"))
        if entity is not None:
            query = query.where(p.entity == entity, p.name == name)
        rows = conn.execute(query.order_by(p.last_activity.desc(), p.id)).all()
        return [
            ProjectInfo(
                entity=r.entity,
                name=r.name,
                run_count=r.run_count,
                created_at=r.created_at,
                last_activity=r.last_activity,
            )
            for r in rows
        ]

    def list_runs(self, entity: str, project: str, query: RunQuery) -> RunPage:
        with self.database.read() as conn:
            project_pk = self._project_pk(conn, entity, project)
            project_runs = self._run_cache.project_runs(conn, project_pk, entity, project)
        return apply_query(project_runs, query)

    def get_run(self, ref: RunRef) -> RunInfo:
        """The run, decoded once per version (the ingest route reads it after every batch)."""
        with self.database.read() as conn:  # committed rows only: a cached version is final
            return self._run_cache.info(self._run_row(conn, ref), ref.entity, ref.project)

    @staticmethod
    def _run_info(conn: Connection, ref: RunRef) -> RunInfo:
        return run_info(ref.entity, ref.project, SqlStore._run_row(conn, ref))

    @staticmethod
    def _run_row(conn: Connection, ref: RunRef) -> AnyRow:
        query = (
            select(*INFO_COLUMNS, runs.c.id, runs.c.version)
            .join(projects, projects.c.id == runs.c.project_id)
            .where(projects.c.entity == ref.entity, projects.c.name == ref.project, runs.c.run_id == ref.run_id)
        )
        row = conn.execute(query).one_or_none()
        if row is None:
            raise NotFound(f"run {ref.entity}/{ref.project}/{ref.run_id} does not exist")
        return row

    def update_run(self, ref: RunRef, patch: RunPatch) -> RunInfo:
        with self.database.write() as conn:
            run = load_run(conn, *ref, for_update=True)
            if run is None:
                raise NotFound(f"run {ref.entity}/{ref.project}/{ref.run_id} does not exist")
            if patch.name is not None:
                run.name = check_run_name(patch.name)
            if patch.notes is not None:
                run.notes = check_notes(patch.notes)
            if patch.tags is not None:
                run.tags = check_tags(patch.tags)
            if patch.group is not None:
                run.group = patch.group[:256]
            run.save(conn)
            return self._run_info(conn, ref)

    def delete_run(self, ref: RunRef) -> None:
        with self.database.write() as conn:
            pk = self._run_pk(conn, ref)
            for table in _RUN_CHILDREN:
                conn.execute(delete(table).where(table.c.run_pk == pk))
            conn.execute(delete(runs).where(runs.c.id == pk))
        self._run_cache.forget(pk)
        logger.info("deleted run %s/%s/%s", *ref)

    # --- ingest -----------------------------------------------------------------------------

    def ingest(self, ref: RunRef, stream_id: str, records: Sequence[IngestItem]) -> IngestResult:
        try:
            with self.database.write() as conn:
                return BatchApplier(conn, self.blobs, ref).apply(stream_id, records)
        except IntegrityError:
            # Another server process created the same project or run concurrently
            # (PostgreSQL); the retry sees it and continues it.
            logger.info("concurrent creation of %s/%s/%s; retrying the batch", *ref)
            with self.database.write() as conn:
                return BatchApplier(conn, self.blobs, ref).apply(stream_id, records)

    def stream_ack(self, ref: RunRef, stream_id: str) -> int:
        with self.database.read() as conn:
            run = self._find_run_pk(conn, ref)
            return 0 if run is None else acked_seq(conn, run, stream_id)

    def heartbeat(self, ref: RunRef, t: float) -> None:
        with self.database.write() as conn:
            run = load_run(conn, *ref, for_update=True)
            if run is None:
                raise NotFound(f"run {ref.entity}/{ref.project}/{ref.run_id} does not exist")
            if t > run.heartbeat_at:
                values: dict[str, Any] = {"heartbeat_at": t, "version": runs.c.version + 1}
                if run.state == "running":
                    values["runtime"] = max(run.runtime, run.runtime_before_session + t - run.session_started_at)
                conn.execute(update(runs).where(runs.c.id == run.pk).values(values))

    def mark_crashed(self, *, silent_since: float) -> list[RunRef]:
        with self.database.write() as conn:
            query = (
                select(runs.c.id, projects.c.entity, projects.c.name, runs.c.run_id)
                .join(projects, projects.c.id == runs.c.project_id)
                .where(runs.c.state == "running", runs.c.heartbeat_at < silent_since)
            )
            silent = conn.execute(query).all()
            if silent:
                conn.execute(
                    update(runs)
                    .where(runs.c.id.in_([r.id for r in silent]))
                    .values(state="crashed", version=runs.c.version + 1)
                )
        refs = [RunRef(r.entity, r.name, r.run_id) for r in silent]
        for ref in refs:
            logger.warning("run %s/%s/%s went silent; marked crashed", *ref)
        return refs

    # --- history ----------------------------------------------------------------------------

    def list_series_keys(self, ref: RunRef) -> list[SeriesKey]:
        with self.database.read() as conn:
            return list_keys(conn, self._run_pk(conn, ref))

    def list_project_series_keys(self, entity: str, project: str) -> list[str]:
        query = select(series_keys.c.key).distinct().join(runs, runs.c.id == series_keys.c.run_pk)
        with self.database.read() as conn:
            project_pk = self._project_pk(conn, entity, project)
            keys = conn.execute(query.where(runs.c.project_id == project_pk)).scalars()
            # Sorted here, not by SQL: PostgreSQL's collation would order "a/b" and "a.b" differently.
            return sorted(keys)

    def read_series(self, ref: RunRef, key: str, *, min_step: int | None = None, max_step: int | None = None) -> Series:
        with self.database.read() as conn:
            return read_points(conn, self._run_pk(conn, ref), key, min_step, max_step)

    def read_series_block(
        self,
        ref: RunRef,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> SeriesBlock:
        with self.database.read() as conn:
            return read_block(conn, self._run_pk(conn, ref), key, min_step, max_step, max_points)

    def read_series_blocks(
        self,
        entity: str,
        project: str,
        run_ids: Sequence[str],
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> list[SeriesBlock]:
        with self.database.read() as conn:
            project_pk = self._project_pk(conn, entity, project)
            pks: dict[str, int] = {}
            for first in range(0, len(run_ids), RUNS_PER_QUERY):
                wanted = run_ids[first : first + RUNS_PER_QUERY]
                query = select(runs.c.run_id, runs.c.id).where(
                    runs.c.project_id == project_pk, runs.c.run_id.in_(wanted)
                )
                pks.update((row.run_id, int(row.id)) for row in conn.execute(query))
            for run_id in run_ids:
                if run_id not in pks:
                    raise NotFound(f"run {entity}/{project}/{run_id} does not exist")
            return read_blocks(conn, [pks[run_id] for run_id in run_ids], key, min_step, max_step, max_points)

    def read_history(
        self, ref: RunRef, *, keys: Sequence[str] | None = None, min_step: int | None = None, limit: int = 1000
    ) -> HistoryPage:
        with self.database.read() as conn:
            return read_rows(conn, self._run_pk(conn, ref), keys, min_step, limit)

    # --- files ------------------------------------------------------------------------------

    def list_files(self, ref: RunRef) -> list[FileInfo]:
        with self.database.read() as conn:
            pk = self._run_pk(conn, ref)
            rows = conn.execute(select(files).where(files.c.run_pk == pk).order_by(files.c.path)).all()
        return [FileInfo(path=r.path, size=r.size, sha256=r.sha256, updated_at=r.updated_at) for r in rows]

    def get_file(self, ref: RunRef, path: str) -> FileInfo:
        with self.database.read() as conn:
            pk = self._run_pk(conn, ref)
            row = conn.execute(select(files).where(files.c.run_pk == pk, files.c.path == path)).one_or_none()
        if row is None:
            raise NotFound(f"run {ref.run_id} has no file {path!r}")
        return FileInfo(path=row.path, size=row.size, sha256=row.sha256, updated_at=row.updated_at)

    def run_references_blob(self, ref: RunRef, sha256: str) -> bool:
        with self.database.read() as conn:
            pk = self._find_run_pk(conn, ref)
            if pk is None:
                return False
            for table in (files, media_refs):
                hit = conn.execute(
                    select(table.c.run_pk).where(table.c.run_pk == pk, table.c.sha256 == sha256).limit(1)
                )
                if hit.first() is not None:
                    return True
        return False

    # --- lookups ----------------------------------------------------------------------------

    @staticmethod
    def _project_pk(conn: Connection, entity: str, project: str) -> int:
        pk = find_project_pk(conn, entity, project)
        if pk is None:
            raise NotFound(f"project {entity}/{project} does not exist")
        return pk

    @staticmethod
    def _find_run_pk(conn: Connection, ref: RunRef) -> int | None:
        query = (
            select(runs.c.id)
            .join(projects, projects.c.id == runs.c.project_id)
            .where(projects.c.entity == ref.entity, projects.c.name == ref.project, runs.c.run_id == ref.run_id)
        )
        pk = conn.execute(query).scalar_one_or_none()
        return None if pk is None else int(pk)

    def _run_pk(self, conn: Connection, ref: RunRef) -> int:
        pk = self._find_run_pk(conn, ref)
        if pk is None:
            raise NotFound(f"run {ref.entity}/{ref.project}/{ref.run_id} does not exist")
        return pk
