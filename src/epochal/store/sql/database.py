"""The engine and its transactions: SQLite tuned for durability, PostgreSQL as is.

SQLite runs in WAL mode with ``synchronous=FULL``: a committed transaction is fsynced
before ``commit`` returns, so an acknowledged batch survives kill -9 and power loss.
Write transactions start with ``BEGIN IMMEDIATE`` (the write lock is taken up front,
so a transaction never fails half-way on a lock upgrade) and are serialised in-process
by a lock; ``busy_timeout`` covers writers in other processes. Readers never block
writers in WAL mode.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Row, create_engine, event, make_url
from sqlalchemy.exc import DBAPIError, OperationalError

from epochal.store.base import StorageFull

logger = logging.getLogger(__name__)

AnyRow = Row[*tuple[Any, ...]]
"""A result row of any shape (for helpers that read rows by column name)."""

_WRITE_OPTION = "epochal_write"
SQLITE_BUSY_TIMEOUT_MS = 30_000
_SQLITE_FULL = 13
_PG_DISK_FULL = "53100"


class Database:
    """An engine plus the two ways to use it: ``read()`` and ``write()`` transactions."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
            _tune_sqlite(self.engine)
        else:
            self.engine = create_engine(parsed, pool_pre_ping=True)
        self._write_lock = threading.Lock()

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read transaction that sees one consistent snapshot on both engines."""
        with self.engine.connect() as conn:
            if not self.is_sqlite:
                conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A write transaction: all or nothing; a full disk raises StorageFull after rollback."""
        lock = self._write_lock if self.is_sqlite else nullcontext()
        with lock:
            try:
                with self.engine.connect().execution_options(**{_WRITE_OPTION: True}) as conn, conn.begin():
                    yield conn
            except DBAPIError as exc:
                if is_storage_full(exc):
                    logger.error("database storage is full: %s", exc.orig)
                    raise StorageFull(f"the database has no space left: {exc.orig}") from exc
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def is_storage_full(exc: DBAPIError) -> bool:
    """True for SQLite's SQLITE_FULL and PostgreSQL's disk_full (SQLSTATE 53100)."""
    orig: Any = exc.orig
    if getattr(orig, "sqlite_errorcode", None) == _SQLITE_FULL:
        return True
    if getattr(orig, "sqlstate", None) == _PG_DISK_FULL:
        return True
    return isinstance(exc, OperationalError) and "database or disk is full" in str(orig)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Manage transactions ourselves so that BEGIN IMMEDIATE is possible.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        immediate = conn.get_execution_options().get(_WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
