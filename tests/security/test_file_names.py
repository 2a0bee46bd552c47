"""File names on upload and download: no traversal, safe Content-Type and Content-Disposition."""

from __future__ import annotations

import time

import pytest
from tests.security.conftest import AuthServer, frames, sha

from epochal.wire.records import FileSaved

RUN = "/projects/alice/privproj/runs/r1"
EVIL_NAMES = [
    "../escape.txt",
    "a/../../escape.txt",
    "/etc/passwd",
    "C:/windows/win.ini",
    "dir\\..\\escape.txt",
    "nul\x00byte.txt",
    "./hidden",
    "a//b",
    "line\nbreak.txt",
]


@pytest.mark.parametrize("path", EVIL_NAMES)
def test_traversal_names_are_refused_on_upload(auth_server: AuthServer, path: str) -> None:
    data = f"payload for {path!r}".encode()
    with auth_server.client("alice") as http:
        assert http.put(f"{RUN}/blobs/{sha(data)}", content=data).status_code == 200
        before = http.get(f"{RUN}/files").json()
        body = frames(FileSaved(seq=1, t=time.time(), path=path, sha256=sha(data), size=len(data)))
        response = http.post(
            f"{RUN}/streams/evil-{sha(path.encode())[:12]}",
            content=body,
            headers={"Content-Type": "application/x-epochal-frames"},
        )
        assert response.status_code == 422, response.text
        assert "file path" in response.json()["error"]["message"]
        assert http.get(f"{RUN}/files").json() == before


@pytest.mark.parametrize(
    "path", ["../r1/model.h5", "..%2Fvictim%2Fmodel.h5", "%2e%2e/%2e%2e/victim/files/model.h5", "/etc/passwd"]
)
def test_traversal_names_find_nothing_on_download(auth_server: AuthServer, path: str) -> None:
    with auth_server.client("alice") as http:
        response = http.get(f"{RUN}/files/{path}")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


def test_active_content_downloads_as_plain_attachment(auth_server: AuthServer) -> None:
    page = b"<script>window.__pwned = 1</script>"
    name = 'report "quoted"; name.html'
    with auth_server.client("alice") as http:
        assert http.put(f"{RUN}/blobs/{sha(page)}", content=page).status_code == 200
        body = frames(FileSaved(seq=1, t=time.time(), path=f"out/{name}", sha256=sha(page), size=len(page)))
        ok = http.post(f"{RUN}/streams/html", content=body, headers={"Content-Type": "application/x-epochal-frames"})
        assert ok.status_code == 200, ok.text
        response = http.get(f"{RUN}/files/out/{name}")
    assert response.status_code == 200
    assert response.content == page
    assert response.headers["content-type"].startswith("text/plain")
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("attachment; filename*=UTF-8''")
    assert '"' not in response.headers["content-disposition"].split("''", 1)[1]
    assert "sandbox" in response.headers["content-security-policy"]
