"""Liveness and identity: ``/health`` and ``/viewer``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.context import Context
from epochal.server.encoding import respond
from epochal.server.openapi import responses
from epochal.wire.api import Health, Viewer

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.get("/health", responses=responses(Health))
async def health(*, request: Request) -> Response:
    """Answers as soon as the server accepts requests (no store access)."""
    return respond(request, Health(status="ok", version=request.app.version))


@router.get("/viewer", responses=responses(Viewer))
async def viewer(*, request: Request, context: Context) -> Response:
    """Until auth is configured every caller is the local user of the default entity."""
    entity = context.settings.default_entity
    return respond(request, Viewer(username=entity, entity=entity))
