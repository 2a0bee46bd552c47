"""Periodic fsync of a run's log, off the caller's thread.

``log()`` ends with a copy into the mapped log: the row is then in the OS page cache and
survives a kill -9 of the process, but not a power loss or kernel crash. This bounds that
window: the shipper thread (online) or a small daemon thread (offline) fsyncs the log every
``FSYNC_INTERVAL_S`` seconds (cheap when nothing changed: the kernel has no dirty page to
write); ``finish()`` fsyncs what the server has not acknowledged before returning.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

FSYNC_INTERVAL_S = 2.0


class LogFsync:
    """fsyncs ``path`` through its own read-only descriptor (Linux flushes the file, whoever wrote it)."""

    def __init__(self, path: Path, interval: float = FSYNC_INTERVAL_S) -> None:
        self._path = path
        self._interval = interval
        self._fd: int | None = None
        self._next = time.monotonic() + interval

    def tick(self) -> None:
        """fsync when the interval has passed."""
        now = time.monotonic()
        if now < self._next:
            return
        self._next = now + self._interval
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDONLY | os.O_CLOEXEC)
            os.fsync(self._fd)
        except OSError as exc:  # a failing disk must not kill the thread that ships the data
            logger.warning("fsync of %s failed: %s", self._path, exc)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def run_until(self, stop: threading.Event) -> None:
        """The offline thread's body: tick until ``stop`` is set."""
        try:
            while not stop.wait(self._interval):
                self.tick()
        finally:
            self.close()


def fsync_file(path: Path) -> None:
    """fsync a closed file (the run log that ``finish`` could not deliver)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def start_fsync_thread(path: Path, name: str) -> threading.Event:
    """Start the offline fsync thread; set the returned event to stop it."""
    stop = threading.Event()
    threading.Thread(target=LogFsync(path).run_until, args=(stop,), name=name, daemon=True).start()
    return stop
