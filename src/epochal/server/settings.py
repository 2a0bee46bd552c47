"""The server's settings: one object, built by the CLI, passed explicitly."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


def default_data_dir() -> Path:
    """``~/.epochal/server``: the embedded store's home when ``--data-dir`` is not given."""
    return Path.home() / ".epochal" / "server"


@dataclass(frozen=True)
class ServerSettings:
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8765
    database_url: str | None = None
    """SQLAlchemy URL of the metadata+series database; default: SQLite in ``data_dir``."""
    blob_dir: Path | None = None
    """Folder of content-addressed blobs; default ``data_dir / "blobs"``."""
    default_entity: str = "local"
    crash_after_s: float = 300.0
    """A running run with no heartbeat or record for this long is marked crashed."""
    log_level: str = "info"
    sse_keepalive_s: float = 15.0
    """Seconds between keep-alive comments on an idle event stream (proxies close silent ones)."""
    auth: bool = False
    """Require sign-in or an API key (also on whenever an account exists); see docs/security.md."""

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'epochal.db'}"

    @property
    def resolved_blob_dir(self) -> Path:
        return self.blob_dir or self.data_dir / "blobs"

    @property
    def public_url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
        return f"http://{host}:{self.port}"
