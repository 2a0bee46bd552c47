"""Serving the browser side: the built SPA when present, else the server-rendered overview.

The overview is also always at ``/plain``, for browsers without JavaScript and for curl.

The web UI is built by Vite into ``server/webui/`` (shipped in the wheel). Its client-side
routes are real URLs, so any GET outside ``/api`` that is not a file answers ``index.html``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from starlette.responses import FileResponse, HTMLResponse, Response

from epochal.server.auth.guard import Caller, visible_projects
from epochal.server.auth.headers import HTML_SECURITY_HEADERS
from epochal.server.context import StoreDep
from epochal.server.errors import NotFoundError
from epochal.server.overview_page import render_overview
from epochal.store.base import RunQuery

WEBUI_DIR = Path(__file__).parent / "webui"
OVERVIEW_RUNS_PER_PROJECT = 200


PLAIN_PAGE_PATH = "/plain"
"""The server-rendered overview stays reachable (no JavaScript needed) when the SPA is built."""


def install_webui(app: FastAPI, webui_dir: Path = WEBUI_DIR) -> None:
    """Register ``/`` (and the SPA fallback); call after every API route is registered."""
    app.add_api_route(PLAIN_PAGE_PATH, _overview, methods=["GET"], include_in_schema=False)
    if (webui_dir / "index.html").is_file():
        _install_spa(app, webui_dir.resolve())
    else:
        app.add_api_route("/", _overview, methods=["GET"], include_in_schema=False)


def _install_spa(app: FastAPI, root: Path) -> None:
    index = root / "index.html"

    async def spa(request: Request, path: str) -> Response:
        if path == "api" or path.startswith("api/"):
            raise NotFoundError(f"no route for {request.method} /{path}")
        candidate = (root / path).resolve()
        if path and candidate.is_relative_to(root) and candidate.is_file():
            # Vite names assets by content hash, so they can be cached for good.
            cache = "public, max-age=31536000, immutable" if path.startswith("assets/") else "no-cache"
            return FileResponse(candidate, headers={"Cache-Control": cache, "X-Content-Type-Options": "nosniff"})
        return FileResponse(index, headers={**HTML_SECURITY_HEADERS, "Cache-Control": "no-cache"})

    app.add_api_route("/{path:path}", spa, methods=["GET"], include_in_schema=False)


def _overview(request: Request, store: StoreDep, caller: Caller) -> Response:
    sections = [
        (project, store.list_runs(project.entity, project.name, RunQuery(limit=OVERVIEW_RUNS_PER_PROJECT)).runs)
        for project in visible_projects(store, caller, store.list_projects())
    ]
    page = render_overview(sections, version=request.app.version)
    return HTMLResponse(page, headers=HTML_SECURITY_HEADERS)
