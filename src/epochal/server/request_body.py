"""Read a request body from a sync route, in chunks, with a size limit.

Sync routes run in a worker thread; this reader pulls the body from the event loop one
ASGI message at a time (``anyio.from_thread``), so a large upload streams into the store
without being held in memory and without blocking the loop. The limit is checked against
``Content-Length`` first and again while reading, since a client may lie or omit it.
"""

from __future__ import annotations

import io
from collections.abc import MutableMapping
from typing import Any

import anyio.from_thread
from starlette.requests import ClientDisconnect, Request

from epochal.server.errors import BadRequestError, PayloadTooLargeError


class BodyReader(io.RawIOBase):
    """A binary stream over the request body that refuses more than ``max_bytes``."""

    def __init__(self, request: Request, *, max_bytes: int, what: str) -> None:
        super().__init__()
        self._request = request
        self._max_bytes = max_bytes
        self._what = what
        self._pending = memoryview(b"")
        self._done = False
        self.bytes_read = 0
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            raise self._too_large()

    def _too_large(self) -> PayloadTooLargeError:
        return PayloadTooLargeError(f"{self._what} is larger than the limit of {self._max_bytes} bytes")

    def readable(self) -> bool:
        return True

    async def _receive(self) -> MutableMapping[str, Any]:
        return await self._request.receive()

    def _next_chunk(self) -> memoryview:
        message = anyio.from_thread.run(self._receive)
        if message["type"] == "http.disconnect":
            raise ClientDisconnect()
        self._done = not message.get("more_body", False)
        chunk: bytes = message.get("body", b"")
        self.bytes_read += len(chunk)
        if self.bytes_read > self._max_bytes:
            raise self._too_large()
        return memoryview(chunk)

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        while not self._pending and not self._done:
            self._pending = self._next_chunk()
        size = min(len(view), len(self._pending))
        view[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def read_all(self) -> bytes:
        """The whole body (for bodies bounded by a small limit, such as ingest batches)."""
        parts = [self._pending]
        self._pending = memoryview(b"")
        while not self._done:
            parts.append(self._next_chunk())
        return b"".join(parts)


def read_body(request: Request, *, max_bytes: int, what: str) -> bytes:
    """Read a bounded body whole; 413 past ``max_bytes``, 400 when the client went away."""
    try:
        return BodyReader(request, max_bytes=max_bytes, what=what).read_all()
    except ClientDisconnect as exc:
        raise BadRequestError("the client closed the connection before sending the whole body") from exc
