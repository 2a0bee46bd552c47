"""``SqlAccounts``: the accounts contract (``epochal.store.accounts``) on the SQL database.

Each method is one transaction. Names are checked for collisions between users and teams
inside the write transaction, so two concurrent creations cannot both win.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, delete, func, insert, select, update

from epochal.store.accounts import ApiKey, Role, Session, User, Visibility
from epochal.store.base import Conflict, NotFound
from epochal.store.sql.database import AnyRow, Database
from epochal.store.sql.tables import api_keys, project_visibility, sessions, team_members, teams, users


def _user(row: AnyRow) -> User:
    return User(
        id=row.id,
        username=row.username,
        role=cast(Role, row.role),
        password_hash=row.password_hash,
        created_at=row.created_at,
    )


def _key(row: AnyRow) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked=bool(row.revoked),
    )


class SqlAccounts:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- users and teams --------------------------------------------------------------------

    def count_users(self) -> int:
        with self.database.read() as conn:
            return int(conn.execute(select(func.count()).select_from(users)).scalar_one())

    @staticmethod
    def _check_name_free(conn: Connection, name: str) -> None:
        taken = (
            conn.execute(select(users.c.id).where(users.c.username == name)).first()
            or conn.execute(select(teams.c.id).where(teams.c.name == name)).first()
        )
        if taken:
            raise Conflict(f"the name {name!r} is already taken by a user or a team")

    def create_user(self, username: str, *, role: Role, password_hash: str | None, now: float) -> User:
        with self.database.write() as conn:
            self._check_name_free(conn, username)
            conn.execute(
                insert(users).values(username=username, role=role, password_hash=password_hash, created_at=now)
            )
            return self._user_where(conn, users.c.username == username, username)

    @staticmethod
    def _user_where(conn: Connection, condition: object, what: object) -> User:
        row = conn.execute(select(users).where(condition)).one_or_none()  # type: ignore[arg-type]
        if row is None:
            raise NotFound(f"user {what} does not exist")
        return _user(row)

    def get_user(self, username: str) -> User:
        with self.database.read() as conn:
            return self._user_where(conn, users.c.username == username, username)

    def get_user_by_id(self, user_id: int) -> User:
        with self.database.read() as conn:
            return self._user_where(conn, users.c.id == user_id, f"#{user_id}")

    def list_users(self) -> list[User]:
        with self.database.read() as conn:
            return [_user(row) for row in conn.execute(select(users).order_by(users.c.username))]

    def set_password(self, username: str, password_hash: str) -> None:
        with self.database.write() as conn:
            done = conn.execute(update(users).where(users.c.username == username).values(password_hash=password_hash))
            if done.rowcount == 0:
                raise NotFound(f"user {username} does not exist")

    def create_team(self, name: str, *, now: float) -> None:
        with self.database.write() as conn:
            self._check_name_free(conn, name)
            conn.execute(insert(teams).values(name=name, created_at=now))

    def list_teams(self) -> list[str]:
        with self.database.read() as conn:
            return list(conn.execute(select(teams.c.name).order_by(teams.c.name)).scalars())

    def is_team(self, name: str) -> bool:
        with self.database.read() as conn:
            return conn.execute(select(teams.c.id).where(teams.c.name == name)).first() is not None

    @staticmethod
    def _team_id(conn: Connection, team: str) -> int:
        team_id = conn.execute(select(teams.c.id).where(teams.c.name == team)).scalar_one_or_none()
        if team_id is None:
            raise NotFound(f"team {team} does not exist")
        return int(team_id)

    def team_members(self, team: str) -> list[str]:
        with self.database.read() as conn:
            team_id = self._team_id(conn, team)
            query = (
                select(users.c.username)
                .join(team_members, team_members.c.user_id == users.c.id)
                .where(team_members.c.team_id == team_id)
                .order_by(users.c.username)
            )
            return list(conn.execute(query).scalars())

    def add_team_member(self, team: str, username: str) -> None:
        with self.database.write() as conn:
            team_id = self._team_id(conn, team)
            user = self._user_where(conn, users.c.username == username, username)
            member = select(team_members).where(team_members.c.team_id == team_id, team_members.c.user_id == user.id)
            if conn.execute(member).first() is None:
                conn.execute(insert(team_members).values(team_id=team_id, user_id=user.id))

    def remove_team_member(self, team: str, username: str) -> None:
        with self.database.write() as conn:
            team_id = self._team_id(conn, team)
            user = self._user_where(conn, users.c.username == username, username)
            done = conn.execute(
                delete(team_members).where(team_members.c.team_id == team_id, team_members.c.user_id == user.id)
            )
            if done.rowcount == 0:
                raise NotFound(f"{username} is not a member of {team}")

    def teams_of(self, user_id: int) -> frozenset[str]:
        with self.database.read() as conn:
            query = (
                select(teams.c.name)
                .join(team_members, team_members.c.team_id == teams.c.id)
                .where(team_members.c.user_id == user_id)
            )
            return frozenset(conn.execute(query).scalars())

    # --- API keys ---------------------------------------------------------------------------

    def create_api_key(self, user_id: int, *, name: str, key_hash: str, prefix: str, now: float) -> ApiKey:
        with self.database.write() as conn:
            conn.execute(
                insert(api_keys).values(
                    user_id=user_id, name=name, key_hash=key_hash, prefix=prefix, created_at=now, revoked=False
                )
            )
            return _key(conn.execute(select(api_keys).where(api_keys.c.key_hash == key_hash)).one())

    def list_api_keys(self, user_id: int) -> list[ApiKey]:
        with self.database.read() as conn:
            rows = conn.execute(select(api_keys).where(api_keys.c.user_id == user_id).order_by(api_keys.c.id))
            return [_key(row) for row in rows]

    def revoke_api_key(self, user_id: int, key_id: int) -> None:
        with self.database.write() as conn:
            done = conn.execute(
                update(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == user_id).values(revoked=True)
            )
            if done.rowcount == 0:
                raise NotFound(f"you have no API key #{key_id}")

    def find_api_key(self, key_hash: str) -> tuple[ApiKey, User] | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(api_keys).where(api_keys.c.key_hash == key_hash, api_keys.c.revoked.is_(False))
            ).one_or_none()
            if row is None:
                return None
            return _key(row), self._user_where(conn, users.c.id == row.user_id, f"#{row.user_id}")

    def touch_api_key(self, key_id: int, now: float) -> None:
        with self.database.write() as conn:
            conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now))

    # --- sessions ---------------------------------------------------------------------------

    def create_session(self, token_hash: str, *, user_id: int, csrf_token: str, now: float, expires_at: float) -> None:
        with self.database.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.expires_at < now))
            conn.execute(
                insert(sessions).values(
                    token_hash=token_hash, user_id=user_id, csrf_token=csrf_token, created_at=now, expires_at=expires_at
                )
            )

    def find_session(self, token_hash: str, *, now: float) -> tuple[Session, User] | None:
        with self.database.read() as conn:
            row = conn.execute(
                select(sessions).where(sessions.c.token_hash == token_hash, sessions.c.expires_at > now)
            ).one_or_none()
            if row is None:
                return None
            user = self._user_where(conn, users.c.id == row.user_id, f"#{row.user_id}")
            return Session(user_id=row.user_id, csrf_token=row.csrf_token, expires_at=row.expires_at), user

    def delete_session(self, token_hash: str) -> None:
        with self.database.write() as conn:
            conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def delete_user_sessions(self, user_id: int) -> int:
        with self.database.write() as conn:
            return int(conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount)

    # --- project visibility -----------------------------------------------------------------

    def get_visibility(self, entity: str, project: str) -> Visibility:
        with self.database.read() as conn:
            found = conn.execute(
                select(project_visibility.c.visibility).where(
                    project_visibility.c.entity == entity, project_visibility.c.project == project
                )
            ).scalar_one_or_none()
        return cast(Visibility, found or "private")

    def set_visibility(self, entity: str, project: str, visibility: Visibility) -> None:
        with self.database.write() as conn:
            where = (project_visibility.c.entity == entity, project_visibility.c.project == project)
            conn.execute(delete(project_visibility).where(*where))
            if visibility != "private":
                conn.execute(insert(project_visibility).values(entity=entity, project=project, visibility=visibility))

    def list_visibility(self) -> dict[tuple[str, str], Visibility]:
        with self.database.read() as conn:
            rows = conn.execute(select(project_visibility)).all()
        return {(row.entity, row.project): cast(Visibility, row.visibility) for row in rows}
