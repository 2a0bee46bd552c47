"""``open_store``: the one way the server (and tests) get a Store."""

from __future__ import annotations

import logging
from pathlib import Path

from epochal.store.base import Store
from epochal.store.blobs.local import LocalBlobStore
from epochal.store.sql.database import Database
from epochal.store.sql.migrate import upgrade_to_head
from epochal.store.sql_store import SqlStore

logger = logging.getLogger(__name__)


def open_store(database_url: str, blob_dir: Path) -> Store:
    """Open (creating and migrating as needed) the SQL store at ``database_url``.

    ``sqlite:///path/to/epochal.db`` (the folder is created) or
    ``postgresql+psycopg://user@host/db``; blobs go to ``blob_dir``.
    """
    database = Database(database_url)
    try:
        upgrade_to_head(database)
    except BaseException:
        database.dispose()
        raise
    logger.info("store open: %s, blobs in %s", database.engine.url.render_as_string(hide_password=True), blob_dir)
    return SqlStore(database, LocalBlobStore(blob_dir))
