"""Server-Sent Events of one project: ``run`` and ``points``, see docs/api.md."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter
from starlette.responses import StreamingResponse

from epochal.server.context import Context
from epochal.server.events import Subscription
from epochal.server.openapi import raw_response

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}", tags=["live"])

SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses=raw_response("text/event-stream"),
)
async def events(*, context: Context, entity: str, project: str) -> StreamingResponse:
    """Subscribe before answering, so nothing published after the response starts is missed."""
    subscription = context.events.subscribe((context.entity(entity), project))
    return StreamingResponse(
        _stream(subscription, context.settings.sse_keepalive_s), media_type="text/event-stream", headers=SSE_HEADERS
    )


async def _stream(subscription: Subscription, keepalive_s: float) -> AsyncIterator[bytes]:
    try:
        # An opening comment flushes the headers and tells the client it is subscribed.
        yield b": subscribed\n\n"
        while True:
            try:
                event = await subscription.next(timeout=keepalive_s)
            except StopAsyncIteration:
                return
            yield b": keepalive\n\n" if event is None else event.to_sse()
    finally:
        subscription.close()
