"""Browsers without a session are sent to ``/login`` before the web UI loads (auth on only).

Only page loads are redirected: the API answers 401/404 itself, assets stay reachable so the
sign-in page renders, and a caller holding a cookie or an ``Authorization`` header passes (the
session is checked by the API calls the page then makes).
"""

from __future__ import annotations

from urllib.parse import quote

from starlette.types import ASGIApp, Receive, Scope, Send

from epochal.server.auth.identify import SESSION_COOKIE

OPEN_PREFIXES = ("/api/", "/assets/", "/login", "/logout", "/setup", "/favicon")


class SignInGateMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and self._must_sign_in(scope):
            target = scope["path"] + (f"?{scope['query_string'].decode('latin-1')}" if scope["query_string"] else "")
            location = "/login?next=" + quote(target, safe="")
            await send({"type": "http.response.start", "status": 303, "headers": [(b"location", location.encode())]})
            await send({"type": "http.response.body", "body": b""})
            return
        await self.app(scope, receive, send)

    @staticmethod
    def _must_sign_in(scope: Scope) -> bool:
        auth = getattr(scope["app"].state, "auth", None)
        if auth is None or not auth.enabled or scope["path"].startswith(OPEN_PREFIXES):
            return False
        headers = dict(scope["headers"])
        if b"authorization" in headers:
            return False
        return f"{SESSION_COOKIE}=".encode() not in headers.get(b"cookie", b"")
