"""A request id on every log line, and one line per request.

The id comes from the caller's ``X-Request-ID`` when it is short and plain, else it is
generated; it is echoed in the response header so a user can quote it in a bug report.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_CALLER_ID_RE = re.compile(rb"^[A-Za-z0-9._-]{1,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class RequestLogMiddleware:
    """Pure ASGI (no response buffering, so event streams flow through untouched)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        caller_id = dict(scope["headers"]).get(b"x-request-id", b"")
        rid = caller_id.decode() if _CALLER_ID_RE.match(caller_id) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed_ms = (time.perf_counter() - started) * 1000
            logger.info("%s %s %d %.1fms", scope["method"], scope["path"], status, elapsed_ms)
            request_id.reset(token)
