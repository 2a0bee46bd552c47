"""Every operation of the OpenAPI document, called by the owner, a team mate, a stranger and an
anonymous caller, on projects of every visibility: the status each gets is the rule's.

A new route that this file has no request for fails the test, so the matrix cannot silently
fall behind the API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tests.security.conftest import FILE_BYTES, PNG, PROJECTS, AuthServer, sha

USERS = ("anonymous", "carol", "bob", "alice")
"""Alice last: a destructive call she may make (DELETE) must not hide the others' answers."""

INGEST_OPS = {
    ("POST", "/streams/{stream_id}"),
    ("GET", "/streams/{stream_id}"),
    ("POST", "/heartbeat"),
    ("PUT", "/blobs/{sha256}"),
    ("HEAD", "/blobs/{sha256}"),
}
"""The SDK's write path: every one of them needs write access, even the reads."""

VISIBILITY = {"alice/teamproj": "team", "alice/privproj": "private", "alice/pubproj": "public", "lab/shared": "private"}


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    params: dict[str, Any] | None = None
    json: Any = None
    content: bytes | None = None


def project_call(method: str, template: str, target: str) -> Call:
    entity, project = target.split("/")
    tail = template.split("/{project}", 1)[1]
    run_id = "victim" if method == "DELETE" and tail == "/runs/{run_id}" else "r1"
    path = (
        template.replace("{entity}", entity)
        .replace("{project}", project)
        .replace("{run_id}", run_id)
        .replace("{stream_id}", "s1")
        .replace("{path}", "model.h5")
    )
    blob_sha = sha(PNG) if method == "GET" else sha(FILE_BYTES)
    path = path.replace("{sha256}", blob_sha)
    extra: dict[str, Call] = {
        "PATCH /runs/{run_id}": Call(method, path, json={}),
        "PUT /access": Call(method, path, json={"visibility": VISIBILITY[target]}),
        "PUT /blobs/{sha256}": Call(method, path, content=FILE_BYTES),
        "POST /streams/{stream_id}": Call(method, path, content=b""),
        "GET /series": Call(method, path, params={"key": "loss", "run": "r1"}),
        "GET /runs/{run_id}/points": Call(method, path, params={"key": "loss"}),
    }
    return extra.get(f"{method} {tail}", Call(method, path))


def global_call(method: str, path: str, spare_key_id: int) -> Call:
    calls = {
        "GET /api/v1/health": Call(method, path),
        "GET /api/v1/viewer": Call(method, path),
        "GET /api/v1/projects": Call(method, path),
        "GET /api/v1/keys": Call(method, path),
        "POST /api/v1/keys": Call(method, path, json={"name": "matrix"}),
        "DELETE /api/v1/keys/{key_id}": Call(method, path.replace("{key_id}", str(spare_key_id))),
        "DELETE /api/v1/sessions": Call(method, path),
        "GET /api/v1/users": Call(method, path),
        "POST /api/v1/users": Call(method, path, json={"username": "mallory", "password": "x" * 16}),
        "GET /api/v1/users/me": Call(method, path),
        "GET /api/v1/teams": Call(method, path),
        "POST /api/v1/teams": Call(method, path, json={"name": "rogue"}),
        "PUT /api/v1/teams/{team}/members/{username}": Call(
            method, path.replace("{team}", "lab").replace("{username}", "carol")
        ),
        "DELETE /api/v1/teams/{team}/members/{username}": Call(
            method, path.replace("{team}", "lab").replace("{username}", "bob")
        ),
    }
    return calls[f"{method} {path}"]


def expected_global(method: str, path: str, user: str, success: int) -> int:
    if path in ("/api/v1/health", "/api/v1/projects"):
        return success
    if user == "anonymous":
        return 401
    admin_only = (path.startswith("/api/v1/users") and path != "/api/v1/users/me") or (
        path.startswith("/api/v1/teams") and method != "GET"
    )
    if admin_only:
        return 403
    if path == "/api/v1/keys/{key_id}" and user != "alice":
        return 404  # someone else's key: not theirs to see
    return success


def expected_project(method: str, tail: str, target: str, user: str, success: int) -> int:
    ingest = any(method == m and tail.endswith(suffix) for m, suffix in INGEST_OPS)
    write = ingest or method not in ("GET", "HEAD")
    if write and user == "anonymous":
        return 401
    entity = target.split("/", maxsplit=1)[0]
    owner = user == "alice" or (entity == "lab" and user == "bob")
    readable = owner or VISIBILITY[target] == "public" or (VISIBILITY[target] == "team" and user == "bob")
    if owner:
        return success
    if not readable:
        return 404
    return 403 if write else success


def send(http: httpx.Client, call: Call) -> int:
    """``http`` is rooted at ``/api/v1``, the document's paths start with it."""
    path = call.path.removeprefix("/api/v1")
    if path.endswith("/events"):
        with http.stream(call.method, path) as response:
            return response.status_code
    response = http.request(call.method, path, params=call.params, json=call.json, content=call.content)
    return response.status_code


def success_code(operation: dict[str, Any]) -> int:
    return min(int(code) for code in operation["responses"] if code.startswith("2"))


def test_authorization_matrix(auth_server: AuthServer) -> None:
    with auth_server.client("alice") as alice:
        document = alice.get("/openapi.json").json()
        spare = alice.post("/keys", json={"name": "spare"}).json()["info"]["id"]
    clients = {user: auth_server.client(None if user == "anonymous" else user) for user in USERS}
    checks: list[tuple[str, str, str, str, Callable[[], int], int]] = []
    operations = [(m.upper(), p, op) for p, ops in document["paths"].items() for m, op in ops.items()]
    deleted: set[str] = set()
    for method, path, operation in operations:
        success = success_code(operation)
        if "/{entity}/{project}" in path:
            tail = path.split("/{project}", 1)[1]
            for target in PROJECTS:
                call = project_call(method, path, target)
                for user in USERS:
                    expected = expected_project(method, tail, target, user, success)
                    if method == "DELETE" and expected == success:
                        # The first allowed caller deletes the run; after that it is gone.
                        expected = 404 if call.path in deleted else success
                        deleted.add(call.path)
                    checks.append(
                        (method, call.path, target, user, lambda c=call, u=user: send(clients[u], c), expected)
                    )
        else:
            call = global_call(method, path, spare)
            for user in USERS:
                expected = expected_global(method, path, user, success)
                checks.append((method, path, "-", user, lambda c=call, u=user: send(clients[u], c), expected))
    # Destructive calls last, so every read above sees the seeded runs.
    checks.sort(key=lambda check: check[0] == "DELETE")
    failures = []
    for method, path, _target, user, call_it, expected in checks:
        got = call_it()
        if got != expected:
            failures.append(f"{method} {path} as {user}: expected {expected}, got {got}")
    for client in clients.values():
        client.close()
    print(f"authorization matrix: {len(operations)} operations x {len(USERS)} callers; {len(checks)} checks")
    assert not failures, "\n".join(failures)
    assert len(operations) >= 34
