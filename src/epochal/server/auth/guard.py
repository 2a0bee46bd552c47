"""The one access check every API route passes through, installed per router in ``app.py``.

``authorize`` reads ``{entity}`` and ``{project}`` from the matched path: GET/HEAD need read
access, other methods write access; ``authorize_write`` (the ingest router) always needs write
access, since even its reads (stream positions, blob probes) belong to writers. Without read
access the answer is 404 whether or not the project exists. ``-`` as entity becomes the
caller's own name before the route sees it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends, Request

from epochal.server.auth.errors import AuthDisabledError, ForbiddenError, UnauthenticatedError
from epochal.server.auth.identify import SAFE_METHODS, identify
from epochal.server.auth.policy import Access, Principal, project_access
from epochal.server.errors import NotFoundError
from epochal.server.settings import ServerSettings
from epochal.store.base import NotFound, Store
from epochal.wire.api import ProjectInfo


def access_to(store: Store, principal: Principal, entity: str, project: str) -> Access:
    quick = project_access(principal, entity=entity, visibility="private")
    if quick is Access.WRITE:
        return quick
    visibility = store.accounts.get_visibility(entity, project)
    owner_teams: frozenset[str] = frozenset()
    if visibility == "team" and principal.teams:
        owner_teams = _user_teams(store, entity)
    return project_access(principal, entity=entity, visibility=visibility, owner_teams=owner_teams)


def _user_teams(store: Store, username: str) -> frozenset[str]:
    try:
        return store.accounts.teams_of(store.accounts.get_user(username).id)
    except NotFound:
        return frozenset()


def visible_projects(store: Store, principal: Principal, projects: Iterable[ProjectInfo]) -> list[ProjectInfo]:
    """The projects ``principal`` may read, for lists (one visibility read for all of them)."""
    if principal.unrestricted:
        return list(projects)
    visibility = store.accounts.list_visibility()
    shown = []
    for project in projects:
        quick = project_access(principal, entity=project.entity, visibility="private")
        vis = visibility.get((project.entity, project.name), "private")
        teams = _user_teams(store, project.entity) if vis == "team" and principal.teams else frozenset()
        if quick is Access.WRITE or project_access(principal, entity=project.entity, visibility=vis, owner_teams=teams):
            shown.append(project)
    return shown


def _authorize(request: Request, *, always_write: bool) -> Principal:
    principal = identify(request)
    params = request.path_params
    entity = params.get("entity")
    if entity is None or principal.via == "local":
        return principal
    write = always_write or request.method not in SAFE_METHODS
    if principal.anonymous and (write or entity == "-"):
        raise UnauthenticatedError("sign in or send an API key (Authorization: Bearer <key>)")
    if entity == "-":
        entity = params["entity"] = str(principal.username)
    project = params.get("project", "")
    access = access_to(request.app.state.context.require_store(), principal, entity, project)
    if access is Access.NONE:
        raise NotFoundError(f"project {entity}/{project} does not exist")
    if write and access is Access.READ:
        raise ForbiddenError(f"you may read {entity}/{project} but not change it")
    return principal


def authorize(request: Request) -> Principal:
    return _authorize(request, always_write=False)


def authorize_write(request: Request) -> Principal:
    return _authorize(request, always_write=True)


def require_user(request: Request) -> Principal:
    """A signed-in caller (accounts routes); 409 in local mode, where there are no accounts."""
    principal = identify(request)
    if principal.via == "local":
        raise AuthDisabledError("accounts are off: this server runs in local mode (start it with --auth)")
    if principal.anonymous or principal.user_id is None:
        raise UnauthenticatedError("sign in or send an API key (Authorization: Bearer <key>)")
    return principal


def require_admin(request: Request) -> Principal:
    principal = require_user(request)
    if not principal.is_admin:
        raise ForbiddenError("only an admin may do this")
    return principal


def settings_of(request: Request) -> ServerSettings:
    settings: ServerSettings = request.app.state.context.settings
    return settings


Caller = Annotated[Principal, Depends(identify)]
SignedIn = Annotated[Principal, Depends(require_user)]
Admin = Annotated[Principal, Depends(require_admin)]
