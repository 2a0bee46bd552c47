"""The caller's own credentials: API keys (shown once, stored hashed) and signing out everywhere."""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.auth.guard import SignedIn
from epochal.server.auth.tokens import new_api_key
from epochal.server.context import StoreDep
from epochal.server.encoding import decode_json_body, respond
from epochal.server.errors import UnprocessableError
from epochal.server.openapi import json_body, no_content, responses
from epochal.server.request_body import read_body
from epochal.store.accounts import ApiKey
from epochal.wire import limits
from epochal.wire.accounts import ApiKeyCreated, ApiKeyInfo, NewApiKey, SessionsEnded

router = APIRouter(prefix="/api/v1", tags=["account"])

MAX_ACCOUNT_BODY_BYTES = 16 * 1024
_AUTH_ERRORS = (401, 409)


def created(type_: Any, *, errors: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route answering 201 with ``type_``."""
    documented = responses(type_, errors=errors)
    documented[201] = documented.pop(200)
    return documented


def key_info(key: ApiKey) -> ApiKeyInfo:
    return ApiKeyInfo(
        id=key.id,
        name=key.name,
        prefix=key.prefix,
        created_at=key.created_at,
        last_used_at=key.last_used_at,
        revoked=key.revoked,
    )


def check_key_name(name: str) -> str:
    if not name.strip() or len(name) > limits.MAX_API_KEY_NAME_LENGTH:
        raise UnprocessableError(
            f"a key name needs 1-{limits.MAX_API_KEY_NAME_LENGTH} characters", code="invalid_parameter"
        )
    return name


@router.get("/keys", responses=responses(list[ApiKeyInfo], errors=_AUTH_ERRORS))
def list_keys(*, request: Request, store: StoreDep, caller: SignedIn) -> Response:
    assert caller.user_id is not None
    return respond(request, [key_info(key) for key in store.accounts.list_api_keys(caller.user_id)])


@router.post(
    "/keys",
    status_code=201,
    responses=created(ApiKeyCreated, errors=(400, *_AUTH_ERRORS)),
    openapi_extra=json_body(NewApiKey),
)
def create_key(*, request: Request, store: StoreDep, caller: SignedIn) -> Response:
    """The answer holds the key itself; it is never shown again."""
    assert caller.user_id is not None
    body = decode_json_body(read_body(request, max_bytes=MAX_ACCOUNT_BODY_BYTES, what="the body"), NewApiKey)
    new = new_api_key()
    stored = store.accounts.create_api_key(
        caller.user_id, name=check_key_name(body.name), key_hash=new.key_hash, prefix=new.prefix, now=time.time()
    )
    return respond(request, ApiKeyCreated(key=new.key, info=key_info(stored)), status_code=201)


@router.delete("/keys/{key_id}", status_code=204, responses=no_content(errors=(404, *_AUTH_ERRORS)))
def revoke_key(*, store: StoreDep, caller: SignedIn, key_id: int) -> Response:
    """Takes effect on the next request that presents the key."""
    assert caller.user_id is not None
    store.accounts.revoke_api_key(caller.user_id, key_id)
    return Response(status_code=204)


@router.delete("/sessions", responses=responses(SessionsEnded, errors=_AUTH_ERRORS))
def end_sessions(*, request: Request, store: StoreDep, caller: SignedIn) -> Response:
    """Sign out everywhere: every browser session of the caller ends (API keys stay)."""
    assert caller.user_id is not None
    return respond(request, SessionsEnded(ended=store.accounts.delete_user_sessions(caller.user_id)))
