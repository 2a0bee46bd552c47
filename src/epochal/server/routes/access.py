"""A project's visibility: ``private`` (owners), ``team`` (the owner's teams read) or ``public``.

The router-wide access check already ran: GET needs read access, PUT write access (owners).
A visibility may be set before the project's first run, so a new project starts public.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.context import Context, StoreDep
from epochal.server.encoding import decode_json_body, respond
from epochal.server.openapi import json_body, responses
from epochal.server.request_body import read_body
from epochal.server.routes.account import MAX_ACCOUNT_BODY_BYTES
from epochal.wire.accounts import ProjectAccess

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}", tags=["projects"])


@router.get("/access", responses=responses(ProjectAccess, errors=(404,)))
def get_access(*, request: Request, store: StoreDep, context: Context, entity: str, project: str) -> Response:
    return respond(request, ProjectAccess(visibility=store.accounts.get_visibility(context.entity(entity), project)))


@router.put(
    "/access", responses=responses(ProjectAccess, errors=(400, 401, 403, 404)), openapi_extra=json_body(ProjectAccess)
)
def set_access(*, request: Request, store: StoreDep, context: Context, entity: str, project: str) -> Response:
    body = decode_json_body(read_body(request, max_bytes=MAX_ACCOUNT_BODY_BYTES, what="the body"), ProjectAccess)
    store.accounts.set_visibility(context.entity(entity), project, body.visibility)
    return respond(request, body)
