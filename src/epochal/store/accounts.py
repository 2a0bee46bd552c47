"""The accounts contract: users, teams, API keys, browser sessions and project visibility.

The store keeps only hashes of secrets (keys, session tokens, passwords); hashing and every
access decision belong to the server (``epochal.server.auth``). Usernames and team names
share one namespace, the entities that own projects.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol

Role = Literal["admin", "member"]
Visibility = Literal["private", "team", "public"]

ROLES: tuple[Role, ...] = ("admin", "member")
VISIBILITIES: tuple[Visibility, ...] = ("private", "team", "public")


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: Role
    password_hash: str | None
    created_at: float

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


@dataclass(frozen=True)
class ApiKey:
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: float
    last_used_at: float | None
    revoked: bool


@dataclass(frozen=True)
class Session:
    user_id: int
    csrf_token: str
    expires_at: float


class AccountStore(Protocol):
    # users and teams
    def count_users(self) -> int: ...

    def create_user(self, username: str, *, role: Role, password_hash: str | None, now: float) -> User:
        """Raises Conflict when the name is taken by a user or a team."""
        ...

    def get_user(self, username: str) -> User:
        """Raises NotFound."""
        ...

    def get_user_by_id(self, user_id: int) -> User:
        """Raises NotFound."""
        ...

    def list_users(self) -> list[User]: ...

    def set_password(self, username: str, password_hash: str) -> None: ...

    def create_team(self, name: str, *, now: float) -> None:
        """Raises Conflict when the name is taken by a user or a team."""
        ...

    def list_teams(self) -> list[str]: ...

    def is_team(self, name: str) -> bool: ...

    def team_members(self, team: str) -> list[str]:
        """Usernames, sorted; raises NotFound for an unknown team."""
        ...

    def add_team_member(self, team: str, username: str) -> None: ...

    def remove_team_member(self, team: str, username: str) -> None: ...

    def teams_of(self, user_id: int) -> frozenset[str]: ...

    # API keys
    def create_api_key(self, user_id: int, *, name: str, key_hash: str, prefix: str, now: float) -> ApiKey: ...

    def list_api_keys(self, user_id: int) -> list[ApiKey]: ...

    def revoke_api_key(self, user_id: int, key_id: int) -> None:
        """Raises NotFound when the user has no such key."""
        ...

    def find_api_key(self, key_hash: str) -> tuple[ApiKey, User] | None:
        """The live (not revoked) key with this hash and its owner."""
        ...

    def touch_api_key(self, key_id: int, now: float) -> None: ...

    # sessions
    def create_session(
        self, token_hash: str, *, user_id: int, csrf_token: str, now: float, expires_at: float
    ) -> None: ...

    def find_session(self, token_hash: str, *, now: float) -> tuple[Session, User] | None: ...

    def delete_session(self, token_hash: str) -> None: ...

    def delete_user_sessions(self, user_id: int) -> int:
        """Sign out everywhere; returns how many sessions ended."""
        ...

    # project visibility
    def get_visibility(self, entity: str, project: str) -> Visibility: ...

    def set_visibility(self, entity: str, project: str, visibility: Visibility) -> None: ...

    def list_visibility(self) -> dict[tuple[str, str], Visibility]:
        """Every project with a visibility other than the default (private)."""
        ...
