"""Shapes of the accounts API (``/api/v1/keys``, ``/users``, ``/teams``, project access).

Secrets travel only once: ``ApiKeyCreated.key`` is the sole time a key is ever shown.
"""

from __future__ import annotations

from typing import Literal

import msgspec

RoleName = Literal["admin", "member"]
VisibilityName = Literal["private", "team", "public"]


class UserInfo(msgspec.Struct, frozen=True):
    username: str
    role: RoleName
    created_at: float
    teams: list[str] = []


class NewUser(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: str
    password: str | None = None
    """At least 12 characters; omit for an account that signs in with API keys only."""
    role: RoleName = "member"


class TeamInfo(msgspec.Struct, frozen=True):
    name: str
    members: list[str]


class NewTeam(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str


class ApiKeyInfo(msgspec.Struct, frozen=True):
    id: int
    name: str
    prefix: str
    """The first characters of the key, to recognise it; the key itself is never shown again."""
    created_at: float
    last_used_at: float | None
    revoked: bool


class NewApiKey(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: str


class ApiKeyCreated(msgspec.Struct, frozen=True):
    key: str
    info: ApiKeyInfo


class ProjectAccess(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    visibility: VisibilityName


class SessionsEnded(msgspec.Struct, frozen=True):
    ended: int
