"""Applying one batch of a stream's records to a run, exactly once, in one transaction.

The batch is checked and applied to an in-memory copy of the run row first; the
accumulated writes (run row, series points, history objects, files, media, the stream's
ack) follow in a few statements. Any error raises before commit, so a batch is stored
whole or not at all.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import Connection, delete, insert, select, update

from epochal.store.base import BlobStore, Conflict, IngestResult, InvalidRecord, NotFound, RunRef
from epochal.store.history_block import HistoryBlock, IngestItem, last_seq, seq_gap, times
from epochal.store.history_rows import RowRun, RunColumns
from epochal.store.meta.packing import pack
from epochal.store.meta.run_rows import RunRow, find_project_pk, load_run
from epochal.store.meta.summary import effective_summary, matching_definition
from epochal.store.series.writer import Column, KeyStats, PendingPoints, append_columns, stats_from_row
from epochal.store.sql.tables import files, history_objects, media_refs, projects, series_keys, stream_acks
from epochal.store.validation import (
    INT64_MAX,
    check_names,
    check_notes,
    check_path,
    check_run_name,
    check_sha256,
    check_step,
    check_stream_id,
    check_tags,
    flatten_checked,
    is_scalar,
)
from epochal.wire.api import MetricDefinition
from epochal.wire.keys import RESERVED_KEYS, RUNTIME_KEY, TIMESTAMP_KEY
from epochal.wire.records import (
    ConfigUpdate,
    FileSaved,
    Finish,
    History,
    MediaSaved,
    MetricDefined,
    Record,
    RowsRejected,
    RunStart,
    RunUpdate,
    SummaryUpdate,
)

logger = logging.getLogger(__name__)


@dataclass
class _Writes:
    """What the batch will write besides the run row."""

    points: PendingPoints = field(default_factory=PendingPoints)
    objects: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    summary_dirty: bool = False


def acked_seq(conn: Connection, run_pk: int, stream_id: str) -> int:
    t = stream_acks.c
    seq = conn.execute(select(t.acked_seq).where(t.run_pk == run_pk, t.stream_id == stream_id)).scalar_one_or_none()
    return 0 if seq is None else int(seq)


def new_records(records: Sequence[IngestItem], acked: int) -> Sequence[IngestItem]:
    """The records above ``acked``; they must continue it without gaps."""
    if records and records[0].seq > acked and seq_gap(records) is None:  # the usual batch: no copy
        if records[0].seq != acked + 1:
            raise Conflict(f"the stream is stored up to seq {acked}; got seq {records[0].seq} next", acked_seq=acked)
        return records
    fresh = [_above(r, acked) for r in records if last_seq(r) > acked]
    if not fresh:
        return []
    if fresh[0].seq != acked + 1:
        raise Conflict(f"the stream is stored up to seq {acked}; got seq {fresh[0].seq} next", acked_seq=acked)
    gap = seq_gap(fresh)
    if gap is not None:
        raise InvalidRecord(f"records must have consecutive seq numbers; {gap[1]} follows {gap[0]}")
    return fresh


def _above(item: IngestItem, acked: int) -> IngestItem:
    """A block's rows above ``acked`` (a retried batch stores its new part only)."""
    return item.tail(acked + 1 - item.seq) if isinstance(item, HistoryBlock) and item.seq <= acked else item


class BatchApplier:
    """Applies one batch to one run inside the caller's write transaction."""

    def __init__(self, conn: Connection, blobs: BlobStore, ref: RunRef) -> None:
        self._conn = conn
        self._blobs = blobs
        self._ref = ref
        self._writes = _Writes()
        self._run: RunRow | None = None
        self._rows: RowRun | None = None  # History rows gathered by column, not yet applied

    def apply(self, stream_id: str, records: Sequence[IngestItem]) -> IngestResult:
        check_stream_id(stream_id)
        self._run = load_run(self._conn, *self._ref, for_update=True)
        acked = 0 if self._run is None or self._run.pk is None else acked_seq(self._conn, self._run.pk, stream_id)
        fresh = new_records(records, acked)
        if not fresh:
            return IngestResult(acked_seq=acked)
        if self._run is None and not isinstance(fresh[0], RunStart):
            raise NotFound(
                f"run {self._ref.run_id!r} does not exist; a stream that creates it must begin with RunStart"
            )
        i = 0
        while i < len(fresh):
            record = fresh[i]
            if isinstance(record, HistoryBlock):
                self._apply_rows()
                self._apply_block(record)
                i += 1
                continue
            if isinstance(record, History) and self._gather(record):
                assert self._rows is not None
                i = self._rows.take(fresh, i + 1)  # the rows after it with the same keys
                continue
            self._apply_rows()
            self._apply(record)
            i += 1
        self._apply_rows()
        run = self._run
        assert run is not None  # the first record created it
        run.heartbeat_at = max(run.heartbeat_at, *times(fresh))
        run.updated_at = time.time()
        self._flush(run)
        self._save_ack(stream_id, acked, last_seq(fresh[-1]))
        return IngestResult(acked_seq=last_seq(fresh[-1]), touched_keys=list(self._writes.points))

    # --- records -------------------------------------------------------------------------

    def _apply(self, record: Record) -> None:
        if isinstance(record, RunStart):
            self._start(record)
            return
        run = self._run
        assert run is not None
        match record:
            case History():
                self._history(run, record)
            case ConfigUpdate():
                flatten_checked(record.values, "config")
                run.config.update(record.values)
            case SummaryUpdate():
                self._summary_update(run, record)
            case RunUpdate():
                self._run_update(run, record)
            case RowsRejected():
                run.rejected_rows += max(record.count, 0)
            case MetricDefined():
                self._define_metric(run, record)
            case FileSaved():
                size = self._blob_size(record.sha256, check_path(record.path))
                self._writes.files[record.path] = {"sha256": record.sha256, "size": size, "updated_at": record.t}
            case MediaSaved():
                size = self._blob_size(record.sha256, check_path(record.path))
                self._writes.media[record.sha256] = {
                    "path": record.path,
                    "media_type": record.media_type[:128],
                    "size": size,
                }
            case Finish():
                run.state = "finished" if record.exit_code == 0 else "failed"
                run.exit_code = record.exit_code
                run.error = record.error
                run.finished_at = record.t
                self._advance_runtime(run, record.t)

    def _start(self, record: RunStart) -> None:
        entity, project, run_id = self._ref
        if record.project != project or record.run_id != run_id:
            raise InvalidRecord(
                f"RunStart names {record.project}/{record.run_id} but the stream is for {project}/{run_id}"
            )
        flatten_checked(record.config, "config")
        run = self._run
        if run is None:
            check_names(entity, project, run_id)
            run = RunRow(
                pk=None,
                project_pk=self._project_pk(record.t),
                run_id=run_id,
                name=run_id,
                state="running",
                created_at=record.t,
                updated_at=record.t,
                heartbeat_at=record.t,
                session_started_at=record.t,
            )
            self._run = run
        else:
            logger.info("run %s/%s/%s continues (resume=%s)", entity, project, run_id, record.resume)
            run.runtime_before_session = run.runtime
            run.session_started_at = record.t
            run.finished_at = run.exit_code = run.error = None
        run.state = "running"
        run.config.update(record.config)
        if record.system:
            run.system = dict(record.system)
        self._set_descriptive(
            run,
            name=record.name,
            notes=record.notes,
            tags=record.tags or None,
            group=record.group,
            job_type=record.job_type,
        )

    def _history(self, run: RunRow, record: History) -> None:
        """One row at a time: the reference semantics, for rows that do not fit a run."""
        step = check_step(record.step)
        flat = flatten_checked(record.row, f"history row at step {step}")
        runtime = self._advance_runtime(run, record.t)
        self._writes.points.add(TIMESTAMP_KEY, step, record.t)
        self._writes.points.add(RUNTIME_KEY, step, runtime)
        for key, value in flat.items():
            if key in RESERVED_KEYS:
                continue  # the record's step and t are authoritative
            self._history_value(step, key, value)
            run.history_last[key] = value
            run.deleted_summary_keys.discard(key)
        run.history_rows += 1
        run.last_step = step if run.last_step is None else max(run.last_step, step)
        self._writes.summary_dirty = True

    def _history_value(self, step: int, key: str, value: Any) -> None:
        if is_scalar(value):
            self._writes.points.add(key, step, value)
        else:
            self._writes.objects.append({"step": step, "key": key, "value": pack(value)})

    def _gather(self, record: History) -> bool:
        """Add the row to the current run of same-keyed rows (or start one); False when it
        must go the row-at-a-time way (bad step, reserved or too many keys, first record)."""
        if self._run is None or not 0 <= record.step <= INT64_MAX:
            return False
        rows = self._rows
        if rows is not None and rows.add(record, record.row):
            return True
        flat = flatten_checked(record.row, f"history row at step {record.step}")
        if not flat or RESERVED_KEYS.intersection(flat):
            return False
        if rows is not None and rows.add(record, flat):
            return True
        self._apply_rows()
        self._rows = RowRun(tuple(flat))
        return self._rows.add(record, flat)

    def _apply_rows(self) -> None:
        """Apply the gathered run of rows to the run row and the pending writes."""
        rows, self._rows, run = self._rows, None, self._run
        if rows is None or run is None:
            return
        table = rows.columns(f"history rows at steps {rows.records[0].step}..{rows.records[-1].step}")
        if table is None:
            for record in rows.records:
                self._history(run, record)
            return
        self._apply_columns(run, table)

    def _apply_block(self, block: HistoryBlock) -> None:
        """Rows that arrived by column: checked as one row, then applied like a gathered run."""
        run = self._run
        assert run is not None  # a stream that creates its run starts with RunStart
        steps = block.steps.tolist()
        flat = flatten_checked(block.row(0), f"history row at step {steps[0]}")  # the keys, once
        if RESERVED_KEYS.intersection(flat):
            for record in block.records():  # the reference path skips them row by row
                self._history(run, record)
            return
        table = RunColumns(
            steps=steps,
            times=block.times.tolist(),
            keys=block.keys,
            columns=list(block.columns),
            last=tuple(block.row(len(steps) - 1).values()),
        )
        self._apply_columns(run, table)

    def _apply_columns(self, run: RunRow, table: RunColumns) -> None:
        steps, points = table.steps, self._writes.points
        # _advance_runtime for every row at once (the same float operations, so the same bits)
        elapsed = np.maximum(np.asarray(table.times, dtype=np.float64) - run.session_started_at, 0.0)
        runtimes = (run.runtime_before_session + elapsed).tolist()
        run.runtime = max(run.runtime, *runtimes)
        points.add_column(TIMESTAMP_KEY, table.column(table.times))
        points.add_column(RUNTIME_KEY, table.column(runtimes))
        per_point: list[tuple[str, tuple[Any, ...]]] = []
        for key, column, last in zip(table.keys, table.columns, table.last, strict=True):
            if isinstance(column, Column):
                points.add_column(key, column)
            else:
                per_point.append((key, column))
            run.history_last[key] = last
        for i, step in enumerate(steps):  # row by row, as the row path stores objects
            for key, values in per_point:
                self._history_value(step, key, values[i])
        run.deleted_summary_keys.difference_update(table.keys)
        run.history_rows += len(steps)
        run.last_step = max(steps) if run.last_step is None else max(run.last_step, *steps)
        self._writes.summary_dirty = True

    def _summary_update(self, run: RunRow, record: SummaryUpdate) -> None:
        for key, value in flatten_checked(record.set, "summary").items():
            run.explicit_summary[key] = value
            run.deleted_summary_keys.discard(key)
        for key in record.delete:
            for existing in [
                k for k in (*run.explicit_summary, *run.history_last) if k == key or k.startswith(f"{key}.")
            ]:
                run.explicit_summary.pop(existing, None)
                run.deleted_summary_keys.add(existing)
        self._writes.summary_dirty = True

    def _run_update(self, run: RunRow, record: RunUpdate) -> None:
        self._set_descriptive(
            run, name=record.name, notes=record.notes, tags=record.tags, group=record.group, job_type=record.job_type
        )

    @staticmethod
    def _set_descriptive(
        run: RunRow,
        *,
        name: str | None,
        notes: str | None,
        tags: list[str] | None,
        group: str | None,
        job_type: str | None,
    ) -> None:
        if name is not None:
            run.name = check_run_name(name)
        if notes is not None:
            run.notes = check_notes(notes)
        if tags is not None:
            run.tags = check_tags(tags)
        if group is not None:
            run.group = group[:256]
        if job_type is not None:
            run.job_type = job_type[:256]

    def _define_metric(self, run: RunRow, record: MetricDefined) -> None:
        if not record.name:
            raise InvalidRecord("define_metric needs a non-empty name")
        metric = MetricDefinition(
            name=record.name,
            step_metric=record.step_metric,
            summary=record.summary,
            goal=record.goal,
            hidden=record.hidden,
        )
        run.metrics = [m for m in run.metrics if m.name != record.name] + [metric]
        self._writes.summary_dirty = True

    def _blob_size(self, sha256: str, path: str) -> int:
        check_sha256(sha256)
        if not self._blobs.has(sha256):
            raise InvalidRecord(f"blob_missing: upload blob {sha256} (for {path!r}) before the record naming it")
        return self._blobs.size(sha256)

    @staticmethod
    def _advance_runtime(run: RunRow, t: float) -> float:
        """Seconds of the run so far at time ``t``, summed over every session (resumes)."""
        runtime = run.runtime_before_session + max(t - run.session_started_at, 0.0)
        run.runtime = max(run.runtime, runtime)
        return runtime

    # --- writes --------------------------------------------------------------------------

    def _project_pk(self, t: float) -> int:
        entity, project, _ = self._ref
        pk = find_project_pk(self._conn, entity, project)
        if pk is not None:
            return pk
        row = {"entity": entity, "name": project, "created_at": t, "last_activity": t}
        return int(self._conn.execute(insert(projects).values(row).returning(projects.c.id)).scalar_one())

    @staticmethod
    def _pk(run: RunRow) -> int:
        assert run.pk is not None
        return run.pk

    def _summary(self, run: RunRow, stats: dict[str, KeyStats]) -> dict[str, Any]:
        needed = [k for k in run.history_last if k not in stats and matching_definition(k, run.metrics)]
        if needed and run.pk is not None:
            t = series_keys.c
            rows = self._conn.execute(select(series_keys).where(t.run_pk == run.pk, t.key.in_(needed)))
            stats = {**stats, **{row.key: stats_from_row(row) for row in rows}}
        return effective_summary(run.history_last, run.explicit_summary, run.deleted_summary_keys, run.metrics, stats)

    def _flush(self, run: RunRow) -> None:
        conn, w = self._conn, self._writes
        if run.pk is None:
            run.save(conn)  # insert first: the run's children need its primary key
        pk = self._pk(run)
        stats = append_columns(conn, pk, w.points.columns())
        if w.summary_dirty:
            run.summary = self._summary(run, stats)
        run.save(conn)
        if w.objects:
            conn.execute(insert(history_objects), [{"run_pk": pk, **o} for o in w.objects])
        if w.files:
            conn.execute(delete(files).where(files.c.run_pk == pk, files.c.path.in_(list(w.files))))
            conn.execute(insert(files), [{"run_pk": pk, "path": p, **f} for p, f in w.files.items()])
        if w.media:
            conn.execute(delete(media_refs).where(media_refs.c.run_pk == pk, media_refs.c.sha256.in_(list(w.media))))
            conn.execute(insert(media_refs), [{"run_pk": pk, "sha256": s, **m} for s, m in w.media.items()])
        conn.execute(
            update(projects)
            .where(projects.c.id == run.project_pk)
            .values(last_activity=max(run.updated_at, run.heartbeat_at))
        )

    def _save_ack(self, stream_id: str, old: int, new: int) -> None:
        pk = self._pk(self._run) if self._run else 0
        t = stream_acks.c
        if old:
            self._conn.execute(
                update(stream_acks).where(t.run_pk == pk, t.stream_id == stream_id).values(acked_seq=new)
            )
        else:
            self._conn.execute(insert(stream_acks).values(run_pk=pk, stream_id=stream_id, acked_seq=new))
