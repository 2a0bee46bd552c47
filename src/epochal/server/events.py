"""Live events: publish from any thread, subscribe per project from async code.

The routes publish ``run`` and ``points`` events after the store commits; the SSE route
subscribes to one project's topic. :class:`EventBus` is the seam: this in-process bus
serves one server process, and a PostgreSQL LISTEN/NOTIFY bus can implement the same
interface to fan events out across several processes.

Each subscriber has a bounded queue. A slow client that falls behind loses its oldest
events and then receives one ``resync`` event telling it to re-read what it shows, so a
stalled browser tab can neither grow the server's memory nor silently miss updates.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from typing import Protocol

from epochal.server.encoding import encode_json
from epochal.wire.api import PointsEvent

logger = logging.getLogger(__name__)

Topic = tuple[str, str]
"""``(entity, project)``: events are scoped to one project."""


@dataclass(frozen=True)
class Event:
    """One server-sent event, its data already encoded as JSON."""

    name: str
    data: bytes

    def to_sse(self) -> bytes:
        return b"event: " + self.name.encode() + b"\ndata: " + self.data + b"\n\n"


RESYNC = Event("resync", b"{}")


def run_event(run_json: bytes) -> Event:
    """A run's new state for live viewers; ``run_json`` is the run's JSON (``RunJsonCache.fragment``)."""
    return Event("run", run_json)


def points_event(run_id: str, keys: list[str], last_step: int | None) -> Event:
    return Event("points", encode_json(PointsEvent(run_id=run_id, keys=keys, last_step=last_step)))


class Subscription(Protocol):
    async def next(self, timeout: float) -> Event | None:
        """The next event, or ``None`` after ``timeout`` seconds of quiet.

        Raises ``StopAsyncIteration`` when the bus closes (server shutdown).
        """
        ...

    def close(self) -> None: ...


class EventBus(Protocol):
    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Begin delivering on ``loop`` (a NOTIFY-based bus would start listening here)."""
        ...

    def publish(self, topic: Topic, event: Event) -> None:
        """Safe to call from any thread; never blocks."""
        ...

    def subscribe(self, topic: Topic) -> Subscription:
        """Called from the event loop; close the subscription when done."""
        ...

    def close(self) -> None:
        """End every subscription (server shutdown); safe from any thread."""
        ...


_CLOSED = Event("closed", b"")


class _QueueSubscription:
    def __init__(self, bus: InProcessEventBus, topic: Topic, max_pending: int) -> None:
        self._bus = bus
        self.topic = topic
        self._queue: asyncio.Queue[Event] = asyncio.Queue(maxsize=max_pending)
        self._lagged = False

    def offer(self, event: Event) -> None:
        """Loop thread only. Drops the oldest pending event when full."""
        if self._queue.full():
            self._queue.get_nowait()
            self._lagged = True
        self._queue.put_nowait(event)

    async def next(self, timeout: float) -> Event | None:
        if self._lagged:
            self._lagged = False
            return RESYNC
        try:
            event = await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None
        if event is _CLOSED:
            self._queue.put_nowait(_CLOSED)
            raise StopAsyncIteration
        return event

    def close(self) -> None:
        self._bus.unsubscribe(self)


class InProcessEventBus:
    """Fan-out inside one process; publishers hand events to the loop thread."""

    def __init__(self, *, max_pending: int = 1000) -> None:
        self._max_pending = max_pending
        self._subscribers: dict[Topic, set[_QueueSubscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Deliver on the server's loop (at startup); events before that go nowhere."""
        with self._lock:
            self._loop = loop

    def publish(self, topic: Topic, event: Event) -> None:
        with self._lock:
            loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            loop.call_soon_threadsafe(self._deliver, topic, event)
        except RuntimeError:  # the loop closed between the check and the call
            logger.debug("event %s dropped: the event loop is closed", event.name)

    def _deliver(self, topic: Topic, event: Event) -> None:
        for subscriber in list(self._subscribers.get(topic, ())):
            subscriber.offer(event)

    def subscribe(self, topic: Topic) -> _QueueSubscription:
        subscription = _QueueSubscription(self, topic, self._max_pending)
        self._subscribers.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: _QueueSubscription) -> None:
        members = self._subscribers.get(subscription.topic)
        if members is not None:
            members.discard(subscription)
            if not members:
                del self._subscribers[subscription.topic]

    def close(self) -> None:
        with self._lock:
            loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self._close_all)

    def _close_all(self) -> None:
        for members in list(self._subscribers.values()):
            for subscriber in list(members):
                subscriber.offer(_CLOSED)
