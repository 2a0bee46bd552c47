"""The initial schema: projects, runs, stream acks, files, media refs, series, history objects.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("last_activity", sa.Double, nullable=False),
        sa.UniqueConstraint("entity", "name", name="uq_projects_entity_name"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("project_id", sa.Integer, sa.ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
        sa.Column("run_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(256), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Double, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
        sa.Column("heartbeat_at", sa.Double, nullable=False),
        sa.Column("finished_at", sa.Double, nullable=True),
        sa.Column("session_started_at", sa.Double, nullable=False),
        sa.Column("runtime_before_session", sa.Double, nullable=False),
        sa.Column("runtime", sa.Double, nullable=False),
        sa.Column("group_name", sa.String(256), nullable=True),
        sa.Column("job_type", sa.String(256), nullable=True),
        sa.Column("tags", sa.LargeBinary, nullable=False),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("config", sa.LargeBinary, nullable=False),
        sa.Column("summary", sa.LargeBinary, nullable=False),
        sa.Column("explicit_summary", sa.LargeBinary, nullable=False),
        sa.Column("deleted_summary_keys", sa.LargeBinary, nullable=False),
        sa.Column("history_last", sa.LargeBinary, nullable=False),
        sa.Column("system", sa.LargeBinary, nullable=False),
        sa.Column("metrics", sa.LargeBinary, nullable=False),
        sa.Column("exit_code", sa.Integer, nullable=True),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("last_step", sa.BigInteger, nullable=True),
        sa.Column("history_rows", sa.BigInteger, nullable=False),
        sa.Column("rejected_rows", sa.BigInteger, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("project_id", "run_id", name="uq_runs_project_run_id"),
    )
    op.create_index("ix_runs_state_heartbeat", "runs", ["state", "heartbeat_at"])
    op.create_table(
        "stream_acks",
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("stream_id", sa.String(64), primary_key=True),
        sa.Column("acked_seq", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "files",
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("path", sa.String(1024), primary_key=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("updated_at", sa.Double, nullable=False),
    )
    op.create_table(
        "media_refs",
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("path", sa.String(1024), nullable=False),
        sa.Column("media_type", sa.String(128), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "series_keys",
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("count", sa.BigInteger, nullable=False),
        sa.Column("first_step", sa.BigInteger, nullable=False),
        sa.Column("last_step", sa.BigInteger, nullable=False),
        sa.Column("vmin", sa.Double, nullable=True),
        sa.Column("vmax", sa.Double, nullable=True),
        sa.Column("vsum", sa.Double, nullable=True),
        sa.Column("vlast", sa.Double, nullable=True),
        sa.Column("chunks", sa.Integer, nullable=False),
    )
    op.create_table(
        "series_chunks",
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("key", sa.Text, primary_key=True),
        sa.Column("chunk_no", sa.Integer, primary_key=True),
        sa.Column("codec", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(1), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("step_min", sa.BigInteger, nullable=False),
        sa.Column("step_max", sa.BigInteger, nullable=False),
        sa.Column("vmin", sa.Double, nullable=True),
        sa.Column("vmax", sa.Double, nullable=True),
        sa.Column("vsum", sa.Double, nullable=True),
        sa.Column("vlast", sa.Double, nullable=True),
        sa.Column("steps", sa.LargeBinary, nullable=False),
        sa.Column("vals", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_series_chunks_range", "series_chunks", ["run_pk", "key", "step_min"])
    op.create_table(
        "history_objects",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("run_pk", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("step", sa.BigInteger, nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_history_objects_run_step", "history_objects", ["run_pk", "step"])


def downgrade() -> None:
    for table in ("history_objects", "series_chunks", "series_keys", "media_refs", "files", "stream_acks", "runs"):
        op.drop_table(table)
    op.drop_table("projects")
