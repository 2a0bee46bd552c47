"""``--data-dir`` / ``--database-url`` for commands that work on the server's store directly.

Account commands run on the server machine (or anywhere the database is reachable): creating
the first admin cannot go through an API that needs an admin.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from epochal.server.settings import ServerSettings, default_data_dir
from epochal.store.base import Store

F = TypeVar("F", bound=Callable[..., Any])


def store_options(command: F) -> F:
    command = click.option(
        "--database-url", default=None, help="SQLAlchemy URL of the server's database; default SQLite in --data-dir."
    )(command)
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help=f"The server's data folder. [default: {default_data_dir()}]",
    )(command)


def open_cli_store(data_dir: Path | None, database_url: str | None) -> Store:
    from epochal.store.factory import open_store

    settings = ServerSettings(
        data_dir=(data_dir or default_data_dir()).expanduser().resolve(), database_url=database_url
    )
    return open_store(settings.resolved_database_url, settings.resolved_blob_dir)
