"""``create_app(settings)``: the ASGI application, its routes and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import FastAPI

from epochal.server.context import ServerContext
from epochal.server.crash_sweeper import sweep_forever
from epochal.server.errors import install_error_handlers
from epochal.server.events import InProcessEventBus
from epochal.server.openapi import install_openapi
from epochal.server.request_log import RequestLogMiddleware
from epochal.server.routes import events, files, health, history, ingest, projects, runs
from epochal.server.settings import ServerSettings
from epochal.server.web_pages import install_webui
from epochal.store.factory import open_store

logger = logging.getLogger(__name__)

VERSION = importlib.metadata.version("epochal")


def create_app(settings: ServerSettings) -> FastAPI:
    """The app for ``settings``; the store opens when the server starts and closes when it stops."""
    context = ServerContext(settings=settings, events=InProcessEventBus())

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await anyio.to_thread.run_sync(open_store, settings.resolved_database_url, settings.resolved_blob_dir)
        context.store = store
        context.events.start(asyncio.get_running_loop())
        sweeper = asyncio.create_task(
            sweep_forever(store, context.events, settings.crash_after_s), name="crash-sweeper"
        )
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            context.events.close()
            context.store = None
            await anyio.to_thread.run_sync(store.close)
            logger.info("store closed")

    app = FastAPI(
        title="Epochal",
        version=VERSION,
        lifespan=lifespan,
        docs_url="/api/v1/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.context = context
    for module in (health, projects, runs, ingest, history, files, events):
        app.include_router(module.router)
    install_webui(app)
    install_error_handlers(app)
    install_openapi(app, version=VERSION)
    app.add_middleware(RequestLogMiddleware)
    return app
