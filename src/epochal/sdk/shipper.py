"""The shipper: one daemon thread per online run that tails the log to the server.

It never raises into training: connection errors, 5xx, 507 and 429 are retried with
exponential backoff and jitter (capped), other refusals are logged and retried at the
cap (a record refused for its content is replaced by the uploader, so it cannot block the
stream). ``log()`` never wakes it (that would cost the caller); it sends every
``Settings.poll_interval``, at once while a backlog of ``EAGER_BACKLOG_BYTES`` waits (a fast
loop: the server then ingests while training runs), and when ``finish()`` wakes it. It also fsyncs the log every
``FSYNC_INTERVAL_S`` seconds, outages included (``sdk/log_fsync.py``).
"""

from __future__ import annotations

import logging
import random
import threading
import time

from epochal.sdk.errors import AuthenticationError, CommError
from epochal.sdk.http_client import HttpClient
from epochal.sdk.log_fsync import FSYNC_INTERVAL_S, LogFsync
from epochal.sdk.run_folder import RunFolder, UploadState
from epochal.sdk.settings import Settings
from epochal.sdk.transport import RunTransport, make_client, transport_errors
from epochal.sdk.uploader import LiveLog, Uploader

logger = logging.getLogger(__name__)

BACKOFF_START_S = 0.25
BACKOFF_CAP_S = 10.0
EAGER_BACKLOG_BYTES = 256 * 1024
"""Logged but unsent bytes (~1,000 rows of 10 floats) above which the shipper sends without waiting."""
BACKLOG_CHECK_S = 0.02


def backoff_delay(failures: int) -> float:
    """Exponential with full jitter in its upper half: 0.25 s, 0.5 s, ... up to 10 s."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_START_S * float(1 << min(failures, 16)))
    return ceiling * random.uniform(0.5, 1.0)


class Shipper:
    def __init__(self, folder: RunFolder, state: UploadState, settings: Settings, live: LiveLog) -> None:
        self._folder = folder
        self._live = live
        self._state = state
        self._settings = settings
        self._wake = threading.Event()
        self._draining = threading.Event()
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._thread = threading.Thread(target=self._run, name=f"epochal-shipper-{state.run_id}", daemon=True)
        self._fsync = LogFsync(folder.log_path)

    def start(self) -> None:
        self._thread.start()

    def acked_offset(self) -> int:
        return self._state.acked_offset

    def drain(self, until_offset: int, timeout: float) -> bool:
        """Wake the thread and wait up to ``timeout`` s until the log is acknowledged up to ``until_offset``."""
        deadline = time.monotonic() + timeout
        self._draining.set()
        self._wake.set()
        with self._progress:
            while self._state.acked_offset < until_offset:
                left = deadline - time.monotonic()
                if left <= 0 or not self._thread.is_alive():
                    return False
                self._progress.wait(min(left, 0.05))
        return True

    def stop(self) -> None:
        """Ask the thread to end after its current request; do not wait for it."""
        self._stop.set()
        self._wake.set()

    def _connect(self) -> HttpClient | None:
        """The HTTP client, retried like a request (e.g. an unreadable CA bundle); None once stopped."""
        failures = 0
        while not self._stop.is_set():
            try:
                return make_client(self._settings)
            except Exception as exc:  # never into training: the data stays in the log meanwhile
                failures += 1
                self._pause(backoff_delay(failures), f"cannot set up the HTTP client ({exc!r})", failures)
        return None

    def _run(self) -> None:
        client = self._connect()
        if client is None:
            self._fsync.close()
            return
        transport = RunTransport(client, self._state.entity, self._state.project, self._state.run_id)
        uploader = Uploader(self._folder, self._state, transport, self._live)
        retryable: tuple[type[BaseException], ...] = (*transport_errors(), OSError)
        failures = 0
        next_heartbeat = time.monotonic() + self._settings.heartbeat_interval
        try:
            while not self._stop.is_set():
                self._fsync.tick()
                try:
                    sent = uploader.step()
                    if time.monotonic() >= next_heartbeat:
                        transport.heartbeat()
                        next_heartbeat = time.monotonic() + self._settings.heartbeat_interval
                except retryable as exc:
                    failures += 1
                    self._pause(backoff_delay(failures), f"server unreachable ({exc!r})", failures)
                    continue
                except CommError as exc:
                    failures += 1
                    transient = exc.status is None or exc.status >= 500 or exc.status == 429
                    delay = (
                        backoff_delay(failures)
                        if transient and not isinstance(exc, AuthenticationError)
                        else BACKOFF_CAP_S
                    )
                    self._pause(delay, str(exc), failures)
                    continue
                except Exception:  # never into training: log it and try again later
                    failures += 1
                    logger.exception("epochal shipper failed; retrying in %.0f s", BACKOFF_CAP_S)
                    self._sleep(BACKOFF_CAP_S)
                    continue
                failures = 0
                with self._progress:
                    self._progress.notify_all()
                # Between polls the training thread writes undisturbed and the next batch is bigger;
                # a backlog (a fast loop, a full batch) or finish() waiting sends on at once, so the
                # server ingests while training runs and finish() waits for the last batch only.
                if not sent or not (self._backlog() or uploader.more_waiting or self._draining.is_set()):
                    self._wait_for_work()
        finally:
            self._fsync.close()
            uploader.close()
            client.close()

    def _backlog(self) -> bool:
        return self._live.offset - self._state.acked_offset >= EAGER_BACKLOG_BYTES

    def _wait_for_work(self) -> None:
        """Sleep a poll interval, cut short by ``finish`` or by a backlog (looked at every 20 ms: cheap)."""
        deadline = time.monotonic() + self._settings.poll_interval
        while (left := deadline - time.monotonic()) > 0:
            if self._wake.wait(min(left, BACKLOG_CHECK_S)) or self._backlog():
                break
        self._wake.clear()

    def _pause(self, delay: float, reason: str, failures: int) -> None:
        level = logging.WARNING if failures in (1, 10) else logging.DEBUG
        logger.log(level, "epochal shipper: %s; retry %d in %.2f s", reason, failures, delay)
        self._sleep(delay)

    def _sleep(self, delay: float) -> None:
        """Wait ``delay`` s (cut short by ``finish``), still fsyncing the log on time."""
        deadline = time.monotonic() + delay
        while (left := deadline - time.monotonic()) > 0 and not self._stop.is_set():
            if self._wake.wait(min(left, FSYNC_INTERVAL_S)):
                break
            self._fsync.tick()
        self._wake.clear()
