"""A real server process with auth on, its first admin made through the printed setup link,
and three users: alice (owner), bob (alice's team mate in ``lab``) and carol (a stranger).

Projects, each with one run ``r1`` holding a metric, a saved file and an image blob:
``alice/teamproj`` (visibility team), ``alice/privproj`` (private), ``alice/pubproj``
(public) and ``lab/shared`` (owned by the team). ``victim`` runs exist for DELETE checks.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from tests.conftest import LiveServer, free_port

from epochal.wire.framing import frame
from epochal.wire.records import FileSaved, History, MediaSaved, Record, RunStart, encode_record

PASSWORD = "correct horse battery staple"
SETUP_LINK_RE = re.compile(r"(http://\S+/setup\?token=[\w-]+)")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
FILE_BYTES = b"model weights"
PROJECTS = ("alice/teamproj", "alice/privproj", "alice/pubproj", "lab/shared")


def frames(*records: Record) -> bytes:
    return b"".join(frame(encode_record(record)) for record in records)


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass
class Browser:
    """An httpx client that keeps cookies and sends the CSRF token like the web UI does."""

    http: httpx.Client

    @property
    def csrf(self) -> str:
        return self.http.cookies.get("epochal_csrf") or ""

    def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        self.http.get("/login")
        return self.http.post(
            "/login", data={"username": username, "password": password, "csrf_token": self.csrf, "next": "/"}
        )

    def api(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"X-CSRF-Token": self.csrf}
        return self.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)  # type: ignore[arg-type]


@dataclass
class AuthServer:
    server: LiveServer
    admin: Browser
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def client(self, user: str | None) -> httpx.Client:
        """An API client with ``user``'s key (None: anonymous)."""
        headers = {"Authorization": f"Bearer {self.keys[user]}"} if user else {}
        return httpx.Client(base_url=f"{self.url}/api/v1", headers=headers, timeout=30)

    def browser(self) -> Browser:
        return Browser(httpx.Client(base_url=self.url, timeout=30))

    def ingest(self, user: str, entity: str, project: str, run_id: str, body: bytes, stream: str = "s1") -> int:
        with self.client(user) as http:
            response = http.post(
                f"/projects/{entity}/{project}/runs/{run_id}/streams/{stream}",
                content=body,
                headers={"Content-Type": "application/x-epochal-frames"},
            )
        return response.status_code


def setup_link(server: LiveServer, timeout: float = 20.0) -> str:
    log = server.data_dir.parent / f"server-{server.port}.log"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = SETUP_LINK_RE.search(log.read_text())
        if match:
            return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"no setup link in {log}")


def create_admin(server: LiveServer) -> Browser:
    admin = Browser(httpx.Client(base_url=server.url, timeout=30))
    link = setup_link(server)
    token = link.split("token=")[1]
    assert admin.http.get(f"/setup?token={token}").status_code == 200
    done = admin.http.post(
        "/setup", data={"token": token, "username": "root", "password": PASSWORD, "csrf_token": admin.csrf}
    )
    assert done.status_code == 303, done.text
    return admin


def seed_run(auth: AuthServer, user: str, entity: str, project: str, run_id: str) -> None:
    with auth.client(user) as http:
        for blob in (PNG, FILE_BYTES):
            assert http.put(f"/projects/{entity}/{project}/runs/{run_id}/blobs/{sha(blob)}", content=blob).is_success
    body = frames(
        RunStart(seq=1, t=time.time(), project=project, run_id=run_id, entity=entity, name=f"{run_id} run"),
        History(seq=2, t=time.time(), step=0, row={"loss": 1.0}),
        FileSaved(seq=3, t=time.time(), path="model.h5", sha256=sha(FILE_BYTES), size=len(FILE_BYTES)),
        MediaSaved(
            seq=4,
            t=time.time(),
            sha256=sha(PNG),
            path=f"media/images/{sha(PNG)}.png",
            size=len(PNG),
            media_type="image/png",
        ),
    )
    assert auth.ingest(user, entity, project, run_id, body) == 200


def start_auth_server(data_dir: Path) -> AuthServer:
    server = LiveServer(data_dir=data_dir, port=free_port(), extra_args=("--auth",))
    server.start()
    auth = AuthServer(server=server, admin=create_admin(server))
    root_key = auth.admin.api("POST", "/keys", json={"name": "admin tests"})
    assert root_key.status_code == 201, root_key.text
    auth.keys["root"] = root_key.json()["key"]
    for name in ("alice", "bob", "carol"):
        made = auth.admin.api("POST", "/users", json={"username": name, "password": PASSWORD})
        assert made.status_code == 201, made.text
    assert auth.admin.api("POST", "/teams", json={"name": "lab"}).status_code == 201
    for name in ("alice", "bob"):
        assert auth.admin.api("PUT", f"/teams/lab/members/{name}").status_code == 204
    for name in ("alice", "bob", "carol"):
        user = auth.browser()
        assert user.login(name).status_code == 303
        created = user.api("POST", "/keys", json={"name": "tests"})
        assert created.status_code == 201, created.text
        auth.keys[name] = created.json()["key"]
    for target in PROJECTS:
        entity, project = target.split("/")
        for run_id in ("r1", "victim"):
            seed_run(auth, "alice", entity, project, run_id)
    with auth.client("alice") as http:
        for target, visibility in (("alice/teamproj", "team"), ("alice/pubproj", "public")):
            assert http.put(f"/projects/{target}/access", json={"visibility": visibility}).status_code == 200
    return auth


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AuthServer]:
    auth = start_auth_server(tmp_path_factory.mktemp("auth") / "server-data")
    try:
        yield auth
    finally:
        auth.server.stop()
