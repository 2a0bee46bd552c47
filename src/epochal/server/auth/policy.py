"""Who may read and write a project: pure rules, the same for every route.

- The local user (auth off) and admins may do everything.
- A project belongs to its entity: the user of that name, or every member of that team.
  Owners read and write.
- ``public`` projects are readable by anyone, signed in or not.
- ``team`` projects of a user are readable by the members of any team the owner is in
  (a team's own projects are its members' already).
- ``private`` (the default) means owners only.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from epochal.store.accounts import Visibility


class Access(enum.IntEnum):
    NONE = 0
    READ = 1
    WRITE = 2


@dataclass(frozen=True)
class Principal:
    """The caller. ``username`` is None for an anonymous caller."""

    username: str | None
    user_id: int | None = None
    is_admin: bool = False
    teams: frozenset[str] = field(default_factory=frozenset)
    via: str = "anonymous"
    """``local``, ``key``, ``session`` or ``anonymous``."""
    csrf_token: str | None = None
    key_id: int | None = None

    @property
    def anonymous(self) -> bool:
        return self.username is None

    @property
    def unrestricted(self) -> bool:
        return self.via == "local" or self.is_admin


ANONYMOUS = Principal(username=None)


def project_access(
    principal: Principal, *, entity: str, visibility: Visibility, owner_teams: frozenset[str] = frozenset()
) -> Access:
    """``owner_teams``: the teams of the owning user (only needed for ``team`` visibility)."""
    if principal.unrestricted:
        return Access.WRITE
    if principal.username is not None and (principal.username == entity or entity in principal.teams):
        return Access.WRITE
    if visibility == "public":
        return Access.READ
    if visibility == "team" and principal.teams & owner_teams:
        return Access.READ
    return Access.NONE


def can_create_in(principal: Principal, entity: str) -> bool:
    """New projects appear in one's own entity or a team one belongs to."""
    return project_access(principal, entity=entity, visibility="private") is Access.WRITE
