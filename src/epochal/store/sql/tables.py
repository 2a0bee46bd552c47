"""Every table of the SQL store, defined once with SQLAlchemy Core.

Types stay portable (SQLite and PostgreSQL): structured values (config, summaries, history
objects) are msgpack in binary columns, because JSON cannot hold NaN/Inf and values must
read back exactly as logged. Timestamps are Unix seconds as doubles.

``versions/0001_initial.py`` creates the same schema; ``tests/contract`` checks that the two
agree, so a change here needs a new migration.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

projects = Table(
    "projects",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("entity", String(128), nullable=False),
    Column("name", String(128), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_activity", Double, nullable=False),
    UniqueConstraint("entity", "name", name="uq_projects_entity_name"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("project_id", Integer, ForeignKey("projects.id", ondelete="CASCADE"), nullable=False),
    Column("run_id", String(64), nullable=False),
    Column("name", String(256), nullable=False),
    Column("state", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    Column("heartbeat_at", Double, nullable=False),
    Column("finished_at", Double, nullable=True),
    Column("session_started_at", Double, nullable=False),
    Column("runtime_before_session", Double, nullable=False),
    Column("runtime", Double, nullable=False),
    Column("group_name", String(256), nullable=True),
    Column("job_type", String(256), nullable=True),
    Column("tags", LargeBinary, nullable=False),
    Column("notes", Text, nullable=True),
    Column("config", LargeBinary, nullable=False),
    Column("summary", LargeBinary, nullable=False),
    Column("explicit_summary", LargeBinary, nullable=False),
    Column("deleted_summary_keys", LargeBinary, nullable=False),
    Column("history_last", LargeBinary, nullable=False),
    Column("system", LargeBinary, nullable=False),
    Column("metrics", LargeBinary, nullable=False),
    Column("exit_code", Integer, nullable=True),
    Column("error", Text, nullable=True),
    Column("last_step", BigInteger, nullable=True),
    Column("history_rows", BigInteger, nullable=False),
    Column("rejected_rows", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
    UniqueConstraint("project_id", "run_id", name="uq_runs_project_run_id"),
    Index("ix_runs_state_heartbeat", "state", "heartbeat_at"),
    Index("ix_runs_project_listing", "project_id", "created_at", "id", "version"),
)
"""``version`` goes up with every change of the row, so readers can cache decoded runs."""

stream_acks = Table(
    "stream_acks",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("stream_id", String(64), primary_key=True),
    Column("acked_seq", BigInteger, nullable=False),
)

files = Table(
    "files",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(1024), primary_key=True),
    Column("sha256", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("updated_at", Double, nullable=False),
)

media_refs = Table(
    "media_refs",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("sha256", String(64), primary_key=True),
    Column("path", String(1024), nullable=False),
    Column("media_type", String(128), nullable=False),
    Column("size", BigInteger, nullable=False),
)

series_keys = Table(
    "series_keys",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("kind", String(1), nullable=False),
    Column("count", BigInteger, nullable=False),
    Column("first_step", BigInteger, nullable=False),
    Column("last_step", BigInteger, nullable=False),
    Column("vmin", Double, nullable=True),
    Column("vmax", Double, nullable=True),
    Column("vsum", Double, nullable=True),
    Column("vlast", Double, nullable=True),
    Column("chunks", Integer, nullable=False),
)
"""Running statistics per (run, key). NULL stands for NaN: SQLite stores NaN as NULL."""

series_chunks = Table(
    "series_chunks",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("codec", Integer, nullable=False),
    Column("kind", String(1), nullable=False),
    Column("count", Integer, nullable=False),
    Column("step_min", BigInteger, nullable=False),
    Column("step_max", BigInteger, nullable=False),
    Column("vmin", Double, nullable=True),
    Column("vmax", Double, nullable=True),
    Column("vsum", Double, nullable=True),
    Column("vlast", Double, nullable=True),
    Column("steps", LargeBinary, nullable=False),
    Column("vals", LargeBinary, nullable=False),
    Index("ix_series_chunks_range", "run_pk", "key", "step_min"),
)
"""Up to ``CHUNK_POINTS`` points of one (run, key); the last chunk stays open until full."""

series_lod = Table(
    "series_lod",
    metadata,
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True),
    Column("key", Text, primary_key=True),
    Column("chunk_no", Integer, primary_key=True),
    Column("codec", Integer, nullable=False),
    Column("entries", Integer, nullable=False),
    Column("step_min", BigInteger, nullable=False),
    Column("step_max", BigInteger, nullable=False),
    Column("data", LargeBinary, nullable=False),
)
"""A coarser level of detail of one chunk: exact min, max, sum and count per ~64 points
(``series/lod.py``), so a chart of a long range reads 1/64 of the data."""

history_objects = Table(
    "history_objects",
    metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("run_pk", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("step", BigInteger, nullable=False),
    Column("key", Text, nullable=False),
    Column("value", LargeBinary, nullable=False),
    Index("ix_history_objects_run_step", "run_pk", "step"),
)
"""Non-scalar history values (strings, None, lists, media reference dicts) as msgpack."""


# --- accounts (migration 0003) ---------------------------------------------------------------

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("password_hash", Text, nullable=True),
    Column("role", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
)
"""A username is also the user's entity; ``password_hash`` is NULL for key-only accounts."""

teams = Table(
    "teams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("created_at", Double, nullable=False),
)
"""A team is an entity whose projects its members share; names never collide with usernames."""

team_members = Table(
    "team_members",
    metadata,
    Column("team_id", Integer, ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("name", String(128), nullable=False),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("prefix", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("last_used_at", Double, nullable=True),
    Column("revoked", Boolean, nullable=False),
)
"""Only the sha256 of a key is kept; ``prefix`` lets its owner recognise it in a list."""

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("csrf_token", String(64), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("expires_at", Double, nullable=False),
    Index("ix_sessions_user", "user_id"),
)
"""Browser sign-ins; the cookie holds the token, the table only its sha256."""

project_visibility = Table(
    "project_visibility",
    metadata,
    Column("entity", String(128), primary_key=True),
    Column("project", String(128), primary_key=True),
    Column("visibility", String(16), nullable=False),
)
"""Set apart from ``projects`` so a visibility can be chosen before the first run logs; no row means private."""
