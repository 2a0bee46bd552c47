"""The schema (migrations match the table definitions), durability settings, a full disk."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, text
from tests.contract.contract_helpers import Stream

from epochal.store.base import StorageFull
from epochal.store.factory import open_store
from epochal.store.sql.tables import metadata
from epochal.store.sql_store import SqlStore


def test_migrations_create_exactly_the_defined_tables(store: SqlStore) -> None:
    with store.database.read() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert diff == []


def test_reopening_keeps_data(store: SqlStore, tmp_path: Path) -> None:
    s = Stream()
    s.start(config={"lr": 0.1})
    store.ingest(s.ref, "s1", s.take())
    again = open_store(store.database.engine.url.render_as_string(hide_password=False), tmp_path / "blobs")
    try:
        assert again.get_run(s.ref).config == {"lr": 0.1}
    finally:
        again.close()


def test_sqlite_is_durable_and_creates_its_folder(tmp_path: Path) -> None:
    db = tmp_path / "deep" / "folder" / "epochal.db"
    store = open_store(f"sqlite:///{db}", tmp_path / "blobs")
    assert isinstance(store, SqlStore)
    try:
        with store.database.read() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert db.is_file()
    finally:
        store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[SqlStore]:
    store = open_store(f"sqlite:///{tmp_path / 'epochal.db'}", tmp_path / "blobs")
    assert isinstance(store, SqlStore)
    yield store
    store.close()


def test_full_sqlite_database_raises_storage_full_and_keeps_data(sqlite_store: SqlStore) -> None:
    s = Stream()
    s.start()
    s.log(0, {"loss": 1.0})
    sqlite_store.ingest(s.ref, "s1", s.take())
    with sqlite_store.database.read() as conn:
        pages = conn.exec_driver_sql("PRAGMA page_count").scalar()

    def cap_size(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute(f"PRAGMA max_page_count={pages}")

    engine = sqlite_store.database.engine
    event.listen(engine, "connect", cap_size)
    engine.dispose()  # reconnect: every connection now sees a disk with no room to grow
    for step in range(1, 400):
        s.log(step, {"loss": 1.0 / step, "text": "x" * 2000})
    batch = s.take()
    with pytest.raises(StorageFull):
        sqlite_store.ingest(s.ref, "s1", batch)
    assert sqlite_store.stream_ack(s.ref, "s1") == 2
    assert sqlite_store.get_run(s.ref).history_rows == 1

    event.remove(engine, "connect", cap_size)
    engine.dispose()
    assert sqlite_store.ingest(s.ref, "s1", batch).acked_seq == 401
    assert sqlite_store.get_run(s.ref).history_rows == 400
    with sqlite_store.database.read() as conn:
        assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
