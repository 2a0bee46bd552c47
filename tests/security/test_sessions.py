"""Browser sessions, CSRF, API keys and sign-in limits against a real server with auth on."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import free_port
from tests.security.conftest import PASSWORD, AuthServer, Browser


def test_session_cookie_flags_and_csrf_on_api_writes(auth_server: AuthServer) -> None:
    browser = auth_server.browser()
    signed_in = browser.login("alice")
    assert signed_in.status_code == 303
    cookie = next(v for k, v in signed_in.headers.multi_items() if k == "set-cookie" and "epochal_session=" in v)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    patch = {"notes": "changed by csrf"}
    without = browser.http.patch("/api/v1/projects/alice/privproj/runs/r1", json=patch)
    assert without.status_code == 403
    assert without.json()["error"]["code"] == "csrf_failed"
    wrong = browser.http.patch(
        "/api/v1/projects/alice/privproj/runs/r1", json=patch, headers={"X-CSRF-Token": "not-the-token"}
    )
    assert wrong.status_code == 403
    assert browser.http.get("/api/v1/projects/alice/privproj/runs/r1").json()["notes"] != "changed by csrf"
    ok = browser.api("PATCH", "/projects/alice/privproj/runs/r1", json={"notes": "by alice"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["notes"] == "by alice"


def test_sign_out_and_sign_out_everywhere(auth_server: AuthServer) -> None:
    first, second = auth_server.browser(), auth_server.browser()
    assert first.login("bob").status_code == 303
    assert second.login("bob").status_code == 303
    assert first.api("GET", "/viewer").json()["username"] == "bob"
    logout_without_token = first.http.post("/logout", data={"everywhere": "1"})
    assert logout_without_token.status_code == 403
    assert second.api("GET", "/viewer").status_code == 200
    done = first.http.post("/logout", data={"everywhere": "1", "csrf_token": first.csrf})
    assert done.status_code == 303
    assert first.http.get("/api/v1/viewer").status_code == 401
    assert second.http.get("/api/v1/viewer").status_code == 401


def test_revoked_key_is_rejected_at_once(auth_server: AuthServer) -> None:
    browser = auth_server.browser()
    assert browser.login("carol").status_code == 303
    created = browser.api("POST", "/keys", json={"name": "short-lived"}).json()
    key, key_id = created["key"], created["info"]["id"]
    headers = {"Authorization": f"Bearer {key}"}
    assert browser.http.get("/api/v1/viewer", headers=headers).json()["username"] == "carol"
    listed = {k["id"]: k for k in browser.api("GET", "/keys").json()}
    assert listed[key_id]["last_used_at"] is not None
    assert "key" not in listed[key_id]  # never shown again
    assert browser.api("DELETE", f"/keys/{key_id}").status_code == 204
    again = browser.http.get("/api/v1/viewer", headers=headers)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "unauthenticated"


def test_failed_sign_ins_lock_out_with_retry_after(auth_server: AuthServer) -> None:
    browser = auth_server.browser()
    statuses = [browser.login("bob", password="wrong password!").status_code for _ in range(7)]
    assert statuses[:5] == [401] * 5
    assert 429 in statuses[5:]
    locked = browser.login("bob")  # even the right password waits out the lockout
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) >= 1


def test_login_form_needs_its_csrf_token(auth_server: AuthServer) -> None:
    browser = auth_server.browser()
    response = browser.http.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert "epochal_session" not in response.cookies


def test_setup_link_worked_once(auth_server: AuthServer) -> None:
    from tests.security.conftest import setup_link

    token = setup_link(auth_server.server).split("token=")[1]
    browser = Browser(auth_server.browser().http)
    assert browser.http.get(f"/setup?token={token}").status_code == 404


def test_anonymous_page_loads_go_to_sign_in_and_pages_carry_security_headers(auth_server: AuthServer) -> None:
    browser = auth_server.browser()
    redirected = browser.http.get("/projects/alice/privproj")
    assert redirected.status_code == 303
    assert redirected.headers["location"].startswith("/login?next=")
    page = browser.http.get("/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "same-origin"
    assert "<script" not in page.text


def test_binding_a_public_address_without_auth_is_refused(tmp_path: object) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "epochal",
            "server",
            "--host",
            "0.0.0.0",
            "--port",
            str(free_port()),
            "--data-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "--auth" in result.stderr
