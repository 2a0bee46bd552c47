"""A run's row, decoded: what ingest mutates and what ``RunInfo`` is built from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec
from sqlalchemy import Connection, insert, select, update

from epochal.store.meta.packing import pack, unpack
from epochal.store.sql.database import AnyRow
from epochal.store.sql.tables import projects, runs
from epochal.wire.api import MetricDefinition, RunInfo, RunState


@dataclass
class RunRow:
    """Every column of ``runs`` with msgpack columns decoded; ``pk`` is None until inserted."""

    pk: int | None
    project_pk: int
    run_id: str
    name: str
    state: RunState
    created_at: float
    updated_at: float
    heartbeat_at: float
    session_started_at: float
    finished_at: float | None = None
    runtime_before_session: float = 0.0
    runtime: float = 0.0
    group: str | None = None
    job_type: str | None = None
    tags: list[str] = field(default_factory=list)
    notes: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)
    explicit_summary: dict[str, Any] = field(default_factory=dict)
    deleted_summary_keys: set[str] = field(default_factory=set)
    history_last: dict[str, Any] = field(default_factory=dict)
    system: dict[str, Any] = field(default_factory=dict)
    metrics: list[MetricDefinition] = field(default_factory=list)
    exit_code: int | None = None
    error: str | None = None
    last_step: int | None = None
    history_rows: int = 0
    rejected_rows: int = 0
    version: int = 0

    @classmethod
    def from_db(cls, row: AnyRow) -> RunRow:
        return cls(
            pk=row.id,
            project_pk=row.project_id,
            run_id=row.run_id,
            name=row.name,
            state=row.state,
            created_at=row.created_at,
            updated_at=row.updated_at,
            heartbeat_at=row.heartbeat_at,
            session_started_at=row.session_started_at,
            finished_at=row.finished_at,
            runtime_before_session=row.runtime_before_session,
            runtime=row.runtime,
            group=row.group_name,
            job_type=row.job_type,
            tags=unpack(row.tags),
            notes=row.notes,
            config=unpack(row.config),
            summary=unpack(row.summary),
            explicit_summary=unpack(row.explicit_summary),
            deleted_summary_keys=set(unpack(row.deleted_summary_keys)),
            history_last=unpack(row.history_last),
            system=unpack(row.system),
            metrics=_metrics_decoder.decode(row.metrics),
            exit_code=row.exit_code,
            error=row.error,
            last_step=row.last_step,
            history_rows=row.history_rows,
            rejected_rows=row.rejected_rows,
            version=row.version,
        )

    def to_db(self) -> dict[str, Any]:
        return {
            "project_id": self.project_pk,
            "run_id": self.run_id,
            "name": self.name,
            "state": self.state,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "heartbeat_at": self.heartbeat_at,
            "session_started_at": self.session_started_at,
            "finished_at": self.finished_at,
            "runtime_before_session": self.runtime_before_session,
            "runtime": self.runtime,
            "group_name": self.group,
            "job_type": self.job_type,
            "tags": pack(self.tags),
            "notes": self.notes,
            "config": pack(self.config),
            "summary": pack(self.summary),
            "explicit_summary": pack(self.explicit_summary),
            "deleted_summary_keys": pack(sorted(self.deleted_summary_keys)),
            "history_last": pack(self.history_last),
            "system": pack(self.system),
            "metrics": pack(self.metrics),
            "exit_code": self.exit_code,
            "error": self.error,
            "last_step": self.last_step,
            "history_rows": self.history_rows,
            "rejected_rows": self.rejected_rows,
            "version": self.version,
        }

    def save(self, conn: Connection) -> None:
        """Insert the row (setting ``pk``) or update it, bumping its version."""
        self.version += 1
        if self.pk is None:
            self.pk = int(conn.execute(insert(runs).values(self.to_db()).returning(runs.c.id)).scalar_one())
        else:
            conn.execute(update(runs).where(runs.c.id == self.pk).values(self.to_db()))


_metrics_decoder = msgspec.msgpack.Decoder(list[MetricDefinition])

INFO_COLUMNS = (
    runs.c.run_id,
    runs.c.name,
    runs.c.state,
    runs.c.created_at,
    runs.c.updated_at,
    runs.c.heartbeat_at,
    runs.c.finished_at,
    runs.c.runtime,
    runs.c.group_name,
    runs.c.job_type,
    runs.c.tags,
    runs.c.notes,
    runs.c.config,
    runs.c.summary,
    runs.c.system,
    runs.c.exit_code,
    runs.c.error,
    runs.c.last_step,
    runs.c.history_rows,
    runs.c.rejected_rows,
    runs.c.metrics,
)
"""The columns ``run_info`` needs (not the ingest-only state such as ``history_last``)."""


_INFO_FIELDS = (
    "entity",
    "project",
    "run_id",
    "name",
    "state",
    "created_at",
    "updated_at",
    "heartbeat_at",
    "finished_at",
    "runtime",
    "group",
    "job_type",
    "tags",
    "notes",
    "config",
    "summary",
    "system",
    "exit_code",
    "error",
    "last_step",
    "history_rows",
    "rejected_rows",
    "metrics",
)
if RunInfo.__struct_fields__ != _INFO_FIELDS:  # run_info passes its fields by position
    raise ImportError(f"RunInfo's fields changed to {RunInfo.__struct_fields__}: update run_rows.run_info")


def run_info(entity: str, project: str, row: AnyRow) -> RunInfo:
    """Build the API struct from a row selected as ``select(*INFO_COLUMNS, ...)``.

    Unpacks and constructs by position (5x cheaper than keywords): it runs for every run
    of a project on a project's first listing.
    """
    (run_id, name, state, created_at, updated_at, heartbeat_at, finished_at, runtime, group, job_type, tags) = row[:11]
    (notes, config, summary, system, exit_code, error, last_step, history_rows, rejected_rows, metrics) = row[11:21]
    return RunInfo(
        entity,
        project,
        run_id,
        name,
        state,
        created_at,
        updated_at,
        heartbeat_at,
        finished_at,
        runtime,
        group,
        job_type,
        unpack(tags),
        notes,
        unpack(config),
        unpack(summary),
        unpack(system),
        exit_code,
        error,
        last_step,
        history_rows,
        rejected_rows,
        _metrics_decoder.decode(metrics),
    )


def find_project_pk(conn: Connection, entity: str, project: str) -> int | None:
    t = projects.c
    pk = conn.execute(select(t.id).where(t.entity == entity, t.name == project)).scalar_one_or_none()
    return None if pk is None else int(pk)


def load_run(conn: Connection, entity: str, project: str, run_id: str, *, for_update: bool = False) -> RunRow | None:
    query = (
        select(runs)
        .join(projects, projects.c.id == runs.c.project_id)
        .where(projects.c.entity == entity, projects.c.name == project, runs.c.run_id == run_id)
    )
    if for_update:
        query = query.with_for_update(of=runs)
    row = conn.execute(query).one_or_none()
    return None if row is None else RunRow.from_db(row)
