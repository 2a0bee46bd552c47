"""The store under test: every contract test runs on SQLite (a real file) and PostgreSQL.

PostgreSQL tests use a throwaway database created for the test session (one per xdist
worker) on 127.0.0.1:5432 and dropped at the end; tables are emptied after each test.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from epochal.store.factory import open_store
from epochal.store.sql.tables import metadata
from epochal.store.sql_store import SqlStore

PG_ADMIN_DSN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    name = f"epochal_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _empty_tables(store: SqlStore) -> None:
    with store.database.write() as conn:
        for table in reversed(metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SqlStore]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'db' / 'epochal.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    opened = open_store(url, tmp_path / "blobs")
    assert isinstance(opened, SqlStore)
    try:
        yield opened
    finally:
        if not opened.database.is_sqlite:
            _empty_tables(opened)
        opened.close()
