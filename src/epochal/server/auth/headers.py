"""Security headers on every response, and the full set on HTML pages.

The Content-Security-Policy allows scripts only from this origin (the built web UI loads one
module file; no inline script anywhere), so text a user logged can never run as script even
if some view forgot to escape it. Styles may be inline (charts set them). Pure ASGI, so event
streams pass through unbuffered.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)

HTML_SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}

_ALWAYS = {b"x-content-type-options": b"nosniff", b"referrer-policy": b"same-origin"}
_HTML = {name.lower().encode(): value.encode() for name, value in HTML_SECURITY_HEADERS.items()}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                is_html = headers.get(b"content-type", b"").startswith(b"text/html")
                wanted = {**_ALWAYS, **_HTML} if is_html else _ALWAYS
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in wanted]
                # A download keeps its own stricter sandbox policy; pages get ours.
                if not is_html and b"content-security-policy" in headers:
                    wanted = {k: v for k, v in wanted.items() if k != b"content-security-policy"}
                message["headers"] = kept + list(wanted.items())
            await send(message)

        await self.app(scope, receive, send_with_headers)
