"""The last logged value of each top-level key, read back from the run's log when asked.

``run.summary`` shows these values. Updating a dict on every ``log()`` cost 0.15-0.25 µs of
its ≤ 2 µs budget; the log already holds every row, so the rows are folded in here only when
the summary is read, each row once (a read after N new rows decodes those N rows).

Values read back are what was stored: numpy scalars as Python numbers, images as their
reference dicts (as wandb's summary shows them).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import msgspec

from epochal.sdk.writer import RunWriter
from epochal.wire.framing import iter_frames
from epochal.wire.records import HISTORY_KIND, History, record_kind

READ_CHUNK_BYTES = 8 << 20
"""How much of the log one read takes: a long run's log is folded without loading it whole."""
_history = msgspec.msgpack.Decoder(History)


class LastLogged:
    """Folds the History rows ``writer`` appended since the last call into one dict."""

    def __init__(self, writer: RunWriter) -> None:
        self.values: dict[str, Any] = {}
        """Key -> last logged value, as of the last :meth:`refresh`."""
        self._writer = writer
        self._folded_to = writer.offset
        self._lock = threading.Lock()

    def refresh(self) -> dict[str, Any]:
        """Fold in the rows logged since the last call and return :attr:`values`."""
        _, end = self._writer.position()  # frames before ``end`` are complete and never change
        folder = self._writer.folder
        with self._lock:
            if folder is not None and end > self._folded_to:
                self._fold(folder.log_path, end)
        return self.values

    def _fold(self, path: Path, end: int) -> None:
        try:
            file = path.open("rb")
        except FileNotFoundError:  # the run folder was removed after finish: keep what was read
            return
        with file:
            file.seek(self._folded_to)
            carried = b""  # the start of a frame that the previous read cut
            while self._folded_to < end:
                wanted = min(max(READ_CHUNK_BYTES, len(carried)), end - self._folded_to - len(carried))
                chunk = file.read(wanted)  # at least as much again as is carried: a big frame completes
                if not chunk:
                    return  # the file ends before ``end``: nothing more can be read
                data = carried + chunk
                used = 0
                for used, payload in iter_frames(data, strict=False):  # noqa: B007 (used: where to go on)
                    if record_kind(payload) == HISTORY_KIND:
                        self.values.update(_history.decode(payload).row)
                self._folded_to += used
                carried = data[used:]
