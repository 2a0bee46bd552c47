"""``create_app(settings)``: the ASGI application, its routes and its lifespan."""

from __future__ import annotations

import asyncio
import contextlib
import importlib.metadata
import logging
import threading
from collections.abc import AsyncIterator

import anyio.to_thread
from fastapi import Depends, FastAPI

from epochal.server.auth.errors import install_auth_error_handlers
from epochal.server.auth.gate import SignInGateMiddleware
from epochal.server.auth.guard import authorize, authorize_write
from epochal.server.auth.headers import SecurityHeadersMiddleware
from epochal.server.auth.state import AuthState
from epochal.server.context import ServerContext
from epochal.server.crash_sweeper import sweep_forever
from epochal.server.errors import install_error_handlers
from epochal.server.events import InProcessEventBus
from epochal.server.openapi import install_openapi
from epochal.server.request_log import RequestLogMiddleware
from epochal.server.routes import access, account, events, files, health, history, ingest, projects, runs, users
from epochal.server.routes import auth as sign_in
from epochal.server.settings import ServerSettings
from epochal.server.warmup import warm_run_lists
from epochal.server.web_pages import install_webui
from epochal.store.factory import open_store

logger = logging.getLogger(__name__)

VERSION = importlib.metadata.version("epochal")


def create_app(settings: ServerSettings) -> FastAPI:
    """The app for ``settings``; the store opens when the server starts and closes when it stops."""
    context = ServerContext(settings=settings, events=InProcessEventBus())
    auth = AuthState(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        store = await anyio.to_thread.run_sync(open_store, settings.resolved_database_url, settings.resolved_blob_dir)
        context.store = store
        await anyio.to_thread.run_sync(auth.start, store)
        context.events.start(asyncio.get_running_loop())
        sweeper = asyncio.create_task(
            sweep_forever(store, context.events, settings.crash_after_s), name="crash-sweeper"
        )
        stop_warming = threading.Event()
        warming = asyncio.create_task(anyio.to_thread.run_sync(warm_run_lists, store, stop_warming))
        try:
            yield
        finally:
            stop_warming.set()
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            await warming
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
    app.state.auth = auth
    # Every API route passes the one access check (docs/security.md); ingest needs write access.
    for module in (health, projects, access, runs, history, files, events, account, users):
        app.include_router(module.router, dependencies=[Depends(authorize)])
    app.include_router(ingest.router, dependencies=[Depends(authorize_write)])
    app.include_router(sign_in.router)
    install_webui(app)
    install_error_handlers(app)
    install_auth_error_handlers(app)
    install_openapi(app, version=VERSION)
    app.add_middleware(SignInGateMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestLogMiddleware)
    return app
