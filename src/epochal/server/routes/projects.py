"""Projects: created by the first run that logs to them."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.auth.guard import Caller, visible_projects
from epochal.server.context import Context, StoreDep
from epochal.server.encoding import respond
from epochal.server.openapi import responses
from epochal.wire.api import ProjectInfo

router = APIRouter(prefix="/api/v1", tags=["projects"])


@router.get("/projects", responses=responses(list[ProjectInfo]))
def list_projects(*, request: Request, store: StoreDep, caller: Caller) -> Response:
    """The projects the caller may read."""
    return respond(request, visible_projects(store, caller, store.list_projects()))


@router.get("/projects/{entity}/{project}", responses=responses(ProjectInfo, errors=(404,)))
def get_project(*, request: Request, store: StoreDep, context: Context, entity: str, project: str) -> Response:
    return respond(request, store.get_project(context.entity(entity), project))
