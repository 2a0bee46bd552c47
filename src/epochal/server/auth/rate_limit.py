"""Failed sign-in attempts per IP address and per account, with exponential lockout.

After ``free_failures`` failures in a row, each further failure locks the name for twice as long
as the last (1 s, 2 s, 4 s ... up to ``max_lockout_s``); a success clears it. Counts live in
this process's memory: several server processes each count alone (docs/security.md).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

MAX_TRACKED = 100_000


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


class FailureLimiter:
    def __init__(
        self,
        *,
        free_failures: int = 5,
        max_lockout_s: float = 900.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free_failures = free_failures
        self.max_lockout_s = max_lockout_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: dict[str, _Failures] = {}

    def retry_after(self, *names: str) -> float:
        """Seconds until every one of ``names`` may try again (0 when none is locked)."""
        now = self._clock()
        with self._lock:
            waits = [f.locked_until - now for name in names if (f := self._failures.get(name))]
        return max([0.0, *waits])

    def failed(self, *names: str) -> None:
        now = self._clock()
        with self._lock:
            if len(self._failures) > MAX_TRACKED:
                self._failures = {k: f for k, f in self._failures.items() if f.locked_until > now}
            for name in names:
                failures = self._failures.setdefault(name, _Failures())
                failures.count += 1
                over = failures.count - self.free_failures
                if over > 0:
                    failures.locked_until = now + min(self.max_lockout_s, 2.0 ** (over - 1))

    def succeeded(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._failures.pop(name, None)
