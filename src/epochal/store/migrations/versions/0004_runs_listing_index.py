"""Runs listing: a covering index for a project's ``(id, version)`` newest first.

Every runs-table request reads the version of each run of the project to reuse cached
decoded runs. Without this index SQLite scans the whole ``runs`` table, msgpack
columns included (~1.3 KB a row: 30 ms for 10k runs); with it, only the index.

Revision ID: 0004
Revises: 0003
Create Date: 2025-01-04
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_runs_project_listing", "runs", ["project_id", "created_at", "id", "version"])


def downgrade() -> None:
    op.drop_index("ix_runs_project_listing", table_name="runs")
