"""Liveness and identity: ``/health`` and ``/viewer``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.auth.errors import UnauthenticatedError
from epochal.server.auth.guard import Caller
from epochal.server.encoding import respond
from epochal.server.openapi import responses
from epochal.wire.api import Health, Viewer

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/health", responses=responses(Health))
async def health(*, request: Request) -> Response:
    """Answers as soon as the server accepts requests (no store access)."""
    return respond(request, Health(status="ok", version=request.app.version))


@router.get("/viewer", responses=responses(Viewer, errors=(401,)))
async def viewer(*, request: Request, caller: Caller) -> Response:
    """The caller; in local mode the local user of the default entity. 401 when not signed in
    (the web UI's cue to send the browser to ``/login``)."""
    if caller.username is None:
        raise UnauthenticatedError("sign in or send an API key (Authorization: Bearer <key>)")
    return respond(request, Viewer(username=caller.username, entity=caller.username))
