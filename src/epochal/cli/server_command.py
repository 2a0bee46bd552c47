"""``epochal server``: run the API and web UI on the embedded store."""

from __future__ import annotations

from pathlib import Path

import click

from epochal.server.settings import ServerSettings, default_data_dir


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Folder of the embedded store (SQLite database and blobs). [default: {default_data_dir()}]",
)
@click.option("--database-url", default=None, help="SQLAlchemy URL, e.g. postgresql+psycopg://host/db; default SQLite.")
@click.option(
    "--crash-after",
    default=300.0,
    show_default=True,
    type=float,
    help="Seconds without a heartbeat after which a running run is marked crashed.",
)
@click.option("--log-level", default="info", show_default=True, type=click.Choice(["debug", "info", "warning"]))
@click.option(
    "--auth",
    is_flag=True,
    help="Require sign-in or an API key (needed off loopback; on anyway once an account exists).",
)
def server(
    host: str,
    port: int,
    data_dir: Path | None,
    database_url: str | None,
    crash_after: float,
    log_level: str,
    auth: bool,
) -> None:
    """Start the Epochal server (API + web UI) and print its URL."""
    from epochal.server.auth.binding import UnsafeBindError
    from epochal.server.runner import serve

    settings = ServerSettings(
        data_dir=(data_dir or default_data_dir()).expanduser().resolve(),
        host=host,
        port=port,
        database_url=database_url,
        crash_after_s=crash_after,
        log_level=log_level,
        auth=auth,
    )
    try:
        serve(settings)
    except UnsafeBindError as error:
        raise click.ClickException(str(error)) from error
