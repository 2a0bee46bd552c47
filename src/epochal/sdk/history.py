"""``log()``'s step rules (wandb's), on the caller's thread and kept cheap.

- ``step`` is the row being built. ``log(d)`` merges ``d`` into it and commits it; the
  next row is ``step + 1``. ``log(d, commit=False)`` only merges.
- ``log(d, step=s)``: ``s > step`` commits the pending row first and moves to ``s``;
  ``s == step`` merges; the row is committed by ``commit=True``, by a later step or by
  ``finish``. ``s < step`` is refused: a ``RowsRejected`` record counts it on the run
  and one warning is logged (``UsageError`` with ``Settings.strict_steps``).

``HistoryLog.log`` is the whole of ``log()`` on the caller's thread: ``epochal.log`` and
``Run.log`` call it directly, and the common call (``log(row)`` with known keys) writes the
History frame itself, with no further Python call: each call layer costs about as much as
encoding the row. What it leaves out, measured against the ≤ 2 µs budget (docs/performance.md):

- nested dicts are not walked here (0.3 µs a row): the server flattens them and refuses a row
  whose nested keys break the rules (the shipper then sends a stand-in and warns);
- ``run.summary`` reads the last values from the log when asked (``sdk/last_logged.py``)
  instead of a ``dict.update`` per row (0.2 µs).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from time import time as _now
from typing import Any
from zlib import crc32

from epochal.sdk.errors import UsageError
from epochal.sdk.writer import RunWriter
from epochal.wire import limits
from epochal.wire.framing import HEADER, HEADER_SIZE
from epochal.wire.keys import RESERVED_KEYS, InvalidKeyError, check_key
from epochal.wire.records import HISTORY_KIND, RowsRejected

logger = logging.getLogger(__name__)

_KNOWN_KEYS_CAP = limits.MAX_KEYS_PER_ROW
"""Keys checked once are remembered up to the row limit, so a row of known keys is within it."""
_pack_header = HEADER.pack_into


class HistoryLog:
    def __init__(self, writer: RunWriter, *, strict_steps: bool, step: int = 0) -> None:
        self.step = step
        self.rejected = 0
        self._writer = writer
        self._strict = strict_steps
        self._pending: dict[str, Any] = {}
        self._known_keys: set[str] = set()
        self._warned = False
        self._lock = writer.lock
        self.closed: Callable[[], Exception] | None = None
        """Set when the run takes no more rows: makes the error ``log()`` raises."""

    def log(self, data: Mapping[str, Any], step: int | None = None, commit: bool | None = None) -> None:
        """Log a row of values: wandb's ``log(data, step=None, commit=None)`` (see the module's rules)."""
        if self.closed is not None:
            raise self.closed()
        if type(data) is not dict:
            data = self._as_dict(data)
        if not self._known_keys.issuperset(data):  # one C call when every key was seen before
            self._check_keys(data)
        self._lock.acquire()  # not ``with``: its __enter__/__exit__ calls cost twice as much
        try:
            if step is None and commit is None and not self._pending:  # log(row), the usual call: commit it
                # _commit, with the writer's frame append inlined (RunWriter._write's steps)
                writer = self._writer
                log = writer.log_map
                if log is None or not data:  # disabled mode, or nothing to commit
                    self._commit(data)
                    return
                seq = writer.seq + 1
                payload = writer.row_buffer
                try:
                    writer.encode_into((HISTORY_KIND, seq, _now(), self.step, data), payload)
                except TypeError as exc:
                    raise self._name_bad_value(data, exc) from None
                if writer.new_media:  # images seen for the first time: their records go first
                    self._commit(data)
                    return
                start = writer.offset
                size = len(payload)
                end = start + HEADER_SIZE + size
                buf = log.buf if end <= log.limit else writer.make_room(start, end)
                buf[start + HEADER_SIZE : end] = payload
                _pack_header(buf, start, size, crc32(payload))
                writer.offset = end
                writer.seq = seq
                self.step += 1
                return
            self._follow_step_rules(data, step, commit)
        finally:
            self._lock.release()

    def _follow_step_rules(self, data: dict[str, Any], step: int | None, commit: bool | None) -> None:
        """``log()`` with ``step``/``commit`` or a pending row (the module's rules); under the lock."""
        if step is not None:
            if type(step) is not int:
                step = _as_step(step)
            if step < self.step:
                self._reject(step, data)
                return
            if step > self.step:
                self._commit_pending()
                self.step = step
        elif commit is None:
            commit = True
        if commit:
            if self._pending:
                self._pending.update(data)
                data, self._pending = self._pending, {}
            self._commit(data)
        else:
            self._pending.update(data)

    def flush(self) -> None:
        """Commit the pending row, if any (``finish`` calls it)."""
        with self._lock:
            self._commit_pending()

    def _commit_pending(self) -> None:
        if self._pending:
            row, self._pending = self._pending, {}
            self._commit(row)

    def _commit(self, row: dict[str, Any]) -> None:
        """Append ``row`` at ``step`` by the writer's general path (images, disabled mode)."""
        if not row:
            return
        step = self.step
        try:
            self._writer.append_locked(lambda seq, t: (HISTORY_KIND, seq, t, step, row))
        except TypeError as exc:
            raise self._name_bad_value(row, exc) from None
        self.step += 1

    def _reject(self, step: int, data: dict[str, Any]) -> None:
        message = (
            f"log(): step {step} is lower than the current step {self.step}; the row with keys"
            f" {sorted(data)[:5]} was refused (steps must not go back)"
        )
        if self._strict:
            raise UsageError(message)
        self.rejected += 1
        self._writer.append_locked(lambda seq, t: RowsRejected(seq=seq, t=t, step=step, current_step=self.step))
        if not self._warned:
            self._warned = True
            logger.warning("%s; further refusals are counted on the run (rejected_rows) without a warning", message)

    def _check_keys(self, data: dict[str, Any]) -> None:
        if len(data) > limits.MAX_KEYS_PER_ROW:
            raise ValueError(f"log(): a row may hold at most {limits.MAX_KEYS_PER_ROW} keys, got {len(data)}")
        known = self._known_keys
        for key in data:
            if key not in known:
                self._admit_key(key)

    def _admit_key(self, key: object) -> None:
        try:
            name = check_key(key)
        except InvalidKeyError as exc:
            raise InvalidKeyError(f"log(): {exc}") from None
        if name in RESERVED_KEYS:
            raise InvalidKeyError(f"log(): {name!r} is set by epochal itself; pass step=... to choose the step")
        if len(self._known_keys) < _KNOWN_KEYS_CAP:
            self._known_keys.add(name)

    def _name_bad_value(self, row: dict[str, Any], exc: TypeError) -> TypeError:
        """Find which key holds the value that failed to encode, for a message the user can act on."""
        for key, value in row.items():
            try:
                self._writer.encode_check(value)
            except TypeError as inner:
                return TypeError(f"log(): cannot log key {key!r}: {inner}")
        return exc

    @staticmethod
    def _as_dict(data: object) -> dict[str, Any]:
        if isinstance(data, Mapping):
            return dict(data)
        raise TypeError(f"log() takes a dict of values, not {type(data).__name__}")


def _as_step(step: object) -> int:
    if isinstance(step, bool) or not isinstance(step, int):
        index = getattr(step, "__index__", None)
        if isinstance(step, bool) or index is None:
            raise UsageError(f"log(): step must be an int, not {type(step).__name__} {step!r}")
        return int(index())
    return int(step)
