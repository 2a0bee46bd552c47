"""``serve(settings)``: logging, the startup line, and uvicorn in this one process."""

from __future__ import annotations

import logging
import socket
import sys
from types import FrameType

import uvicorn

from epochal.server.app import create_app
from epochal.server.auth.binding import check_bind
from epochal.server.context import ServerContext
from epochal.server.request_log import RequestIdFilter
from epochal.server.settings import ServerSettings

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"

GRACEFUL_SHUTDOWN_S = 5


def configure_logging(level: str) -> None:
    """One line per record, each with the request id (``-`` outside requests)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


class _Server(uvicorn.Server):
    """Announces the URL once listening, and ends event streams when asked to stop.

    Open SSE responses never finish by themselves; without closing them uvicorn would
    wait for them until the graceful-shutdown timeout.
    """

    def __init__(self, config: uvicorn.Config, context: ServerContext) -> None:
        super().__init__(config)
        self._context = context

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            settings = self._context.settings
            print(f"Epochal server running at {settings.public_url} (data: {settings.data_dir})", flush=True)

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self._context.events.close()
        super().handle_exit(sig, frame)


def serve(settings: ServerSettings) -> None:
    """Run until interrupted (Ctrl-C or SIGTERM); UnsafeBindError before listening without auth off loopback."""
    check_bind(settings)
    configure_logging(settings.log_level)
    app = create_app(settings)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="on",
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        server_header=False,
    )
    _Server(config, app.state.context).run()
