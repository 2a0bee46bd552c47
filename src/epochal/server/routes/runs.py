"""Runs: list (filter, search, order, page), read, edit, delete."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from epochal.server.context import Context, StoreDep
from epochal.server.encoding import JSON, decode_json_body, respond, wants_msgpack
from epochal.server.errors import UnprocessableError
from epochal.server.events import run_event
from epochal.server.openapi import json_body, no_content, responses
from epochal.server.request_body import read_body
from epochal.server.run_query import build_query
from epochal.wire import limits
from epochal.wire.api import RunInfo, RunPage, RunPatch

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}/runs", tags=["runs"])

MAX_PATCH_BYTES = 1024 * 1024


@router.get("", responses=responses(RunPage, errors=(404,)))
def list_runs(
    *,
    request: Request,
    store: StoreDep,
    context: Context,
    entity: str,
    project: str,
    filter: Annotated[list[str] | None, Query(description="<field><op><value>, repeatable")] = None,
    search: Annotated[str | None, Query(max_length=1000)] = None,
    order: Annotated[str, Query(max_length=300)] = "-created_at",
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    query = build_query(filter or [], search, order, limit, offset)
    page = store.list_runs(context.entity(entity), project, query)
    if wants_msgpack(request):
        return respond(request, page)
    return Response(context.run_json.page(page), media_type=JSON)


@router.get("/{run_id}", responses=responses(RunInfo, errors=(404,)))
def get_run(*, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str) -> Response:
    return respond(request, store.get_run(context.run_ref(entity, project, run_id)))


def check_patch(patch: RunPatch) -> RunPatch:
    """The same limits the SDK enforces at ``init``."""
    problems = []
    if patch.name is not None and len(patch.name) > limits.MAX_RUN_NAME_LENGTH:
        problems.append(f"name is longer than {limits.MAX_RUN_NAME_LENGTH} characters")
    if patch.notes is not None and len(patch.notes.encode()) > limits.MAX_NOTES_BYTES:
        problems.append(f"notes are larger than {limits.MAX_NOTES_BYTES} bytes")
    if patch.tags is not None:
        if len(patch.tags) > limits.MAX_TAGS:
            problems.append(f"more than {limits.MAX_TAGS} tags")
        if any(not tag or len(tag) > limits.MAX_TAG_LENGTH for tag in patch.tags):
            problems.append(f"tags must be 1-{limits.MAX_TAG_LENGTH} characters")
    if problems:
        raise UnprocessableError("; ".join(problems), code="invalid_patch")
    return patch


@router.patch("/{run_id}", responses=responses(RunInfo, errors=(400, 404)), openapi_extra=json_body(RunPatch))
def update_run(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str
) -> Response:
    ref = context.run_ref(entity, project, run_id)
    patch = check_patch(decode_json_body(read_body(request, max_bytes=MAX_PATCH_BYTES, what="the patch"), RunPatch))
    run = store.update_run(ref, patch)
    context.events.publish((ref.entity, ref.project), run_event(context.run_json.fragment(run)))
    return respond(request, run)


@router.delete("/{run_id}", status_code=204, responses=no_content(errors=(404,)))
def delete_run(*, store: StoreDep, context: Context, entity: str, project: str, run_id: str) -> Response:
    store.delete_run(context.run_ref(entity, project, run_id))
    return Response(status_code=204)
