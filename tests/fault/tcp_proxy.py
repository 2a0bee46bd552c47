"""A small TCP proxy for fault tests: it drops, delays, resets and truncates connections.

Sits between the SDK and a real server on loopback. Each new connection draws one fault
from a seeded random generator, so a failing run can be replayed. HTTP clients keep
connections alive, so ``FaultPlan.connection_lifetime_s`` cuts every connection after that
long (mid-request or not): the client reconnects, and each reconnection draws a fault again.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

FAULTS = ("pass", "refuse", "reset", "delay", "truncate_response", "drop_request")


@dataclass
class FaultPlan:
    """Probability of each fault per connection; the rest pass untouched."""

    weights: dict[str, float] = field(default_factory=dict)
    delay_s: float = 0.5
    seed: int = 0
    connection_lifetime_s: float | None = None
    """Cut each forwarded connection after this many seconds (None: never)."""

    def draw(self, rng: random.Random) -> str:
        roll = rng.random()
        for fault, weight in self.weights.items():
            if roll < weight:
                return fault
            roll -= weight
        return "pass"


class TcpProxy:
    """Forwards 127.0.0.1:<port> to ``upstream_port``, injecting faults by ``plan``."""

    def __init__(self, upstream_port: int, plan: FaultPlan | None = None) -> None:
        self.upstream_port = upstream_port
        self.plan = plan or FaultPlan()
        self.faults_injected: dict[str, int] = dict.fromkeys(FAULTS, 0)
        self.connections_cut = 0
        self._rng = random.Random(self.plan.seed)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept_loop, name="tcp-proxy", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            fault = self.plan.draw(self._rng)
            self.faults_injected[fault] += 1
            threading.Thread(target=self._serve, args=(client, fault), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str) -> None:
        if fault == "refuse":
            client.close()
            return
        if fault == "reset":
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()
            return
        if fault == "delay":
            time.sleep(self.plan.delay_s)
        if self.plan.connection_lifetime_s is not None:
            timer = threading.Timer(self.plan.connection_lifetime_s, self._cut, args=(client, upstream))
            timer.daemon = True
            timer.start()
        to_upstream = threading.Thread(
            target=_pump, args=(client, upstream, 0 if fault == "drop_request" else None), daemon=True
        )
        to_upstream.start()
        _pump(upstream, client, 64 if fault == "truncate_response" else None)
        to_upstream.join(timeout=30)

    def _cut(self, *sockets: socket.socket) -> None:
        cut = False
        for sock in sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
                cut = True
            except OSError:
                pass  # already closed: the exchange ended on its own
        self.connections_cut += cut


def _pump(source: socket.socket, sink: socket.socket, byte_budget: int | None) -> None:
    """Copy bytes until EOF, or until ``byte_budget`` bytes then cut both sockets."""
    sent = 0
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if byte_budget is not None and sent + len(data) > byte_budget:
                sink.sendall(data[: byte_budget - sent])
                break
            sink.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
