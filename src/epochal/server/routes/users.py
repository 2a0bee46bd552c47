"""Users and teams. Admins create and manage them; members see themselves and their teams."""

from __future__ import annotations

import time

from fastapi import APIRouter, Request
from starlette.responses import Response

from epochal.server.auth.errors import NameTakenError
from epochal.server.auth.guard import Admin, SignedIn
from epochal.server.auth.passwords import WeakPasswordError, hash_password
from epochal.server.context import StoreDep
from epochal.server.encoding import decode_json_body, respond
from epochal.server.errors import UnprocessableError
from epochal.server.openapi import json_body, no_content, responses
from epochal.server.request_body import read_body
from epochal.server.routes.account import MAX_ACCOUNT_BODY_BYTES, created
from epochal.store.accounts import User
from epochal.store.base import Conflict, Store
from epochal.wire import limits
from epochal.wire.accounts import NewTeam, NewUser, TeamInfo, UserInfo
from epochal.wire.keys import InvalidKeyError, check_name

router = APIRouter(prefix="/api/v1", tags=["users"])

_ADMIN_ERRORS = (401, 403, 409)


def check_account_name(name: str, what: str) -> str:
    try:
        return check_name(name, what, limits.MAX_USERNAME_LENGTH)
    except InvalidKeyError as exc:
        raise UnprocessableError(str(exc), code="invalid_name") from exc


def user_info(store: Store, user: User) -> UserInfo:
    return UserInfo(
        username=user.username,
        role=user.role,
        created_at=user.created_at,
        teams=sorted(store.accounts.teams_of(user.id)),
    )


def _body(request: Request) -> bytes:
    return read_body(request, max_bytes=MAX_ACCOUNT_BODY_BYTES, what="the body")


@router.get("/users", responses=responses(list[UserInfo], errors=_ADMIN_ERRORS))
def list_users(*, request: Request, store: StoreDep, caller: Admin) -> Response:
    return respond(request, [user_info(store, user) for user in store.accounts.list_users()])


@router.post(
    "/users",
    status_code=201,
    responses=created(UserInfo, errors=(400, *_ADMIN_ERRORS)),
    openapi_extra=json_body(NewUser),
)
def create_user(*, request: Request, store: StoreDep, caller: Admin) -> Response:
    body = decode_json_body(_body(request), NewUser)
    username = check_account_name(body.username, "username")
    try:
        password_hash = hash_password(body.password) if body.password is not None else None
    except WeakPasswordError as exc:
        raise UnprocessableError(str(exc), code="weak_password") from exc
    try:
        user = store.accounts.create_user(username, role=body.role, password_hash=password_hash, now=time.time())
    except Conflict as exc:
        raise NameTakenError(str(exc)) from exc
    return respond(request, user_info(store, user), status_code=201)


@router.get("/users/me", responses=responses(UserInfo, errors=(401, 409)))
def me(*, request: Request, store: StoreDep, caller: SignedIn) -> Response:
    assert caller.username is not None
    return respond(request, user_info(store, store.accounts.get_user(caller.username)))


@router.get("/teams", responses=responses(list[TeamInfo], errors=(401, 409)))
def list_teams(*, request: Request, store: StoreDep, caller: SignedIn) -> Response:
    """Admins see every team, members the teams they belong to."""
    names = store.accounts.list_teams() if caller.is_admin else sorted(caller.teams)
    return respond(request, [TeamInfo(name=name, members=store.accounts.team_members(name)) for name in names])


@router.post(
    "/teams",
    status_code=201,
    responses=created(TeamInfo, errors=(400, *_ADMIN_ERRORS)),
    openapi_extra=json_body(NewTeam),
)
def create_team(*, request: Request, store: StoreDep, caller: Admin) -> Response:
    name = check_account_name(decode_json_body(_body(request), NewTeam).name, "team name")
    try:
        store.accounts.create_team(name, now=time.time())
    except Conflict as exc:
        raise NameTakenError(str(exc)) from exc
    return respond(request, TeamInfo(name=name, members=[]), status_code=201)


@router.put("/teams/{team}/members/{username}", status_code=204, responses=no_content(errors=(404, *_ADMIN_ERRORS)))
def add_member(*, store: StoreDep, caller: Admin, team: str, username: str) -> Response:
    store.accounts.add_team_member(team, username)
    return Response(status_code=204)


@router.delete("/teams/{team}/members/{username}", status_code=204, responses=no_content(errors=(404, *_ADMIN_ERRORS)))
def remove_member(*, store: StoreDep, caller: Admin, team: str, username: str) -> Response:
    store.accounts.remove_team_member(team, username)
    return Response(status_code=204)
