"""The records a run writes to its local log and ships to the server.

Every record is a msgpack array ``[kind, seq, t, ...fields]`` (a tagged, array-like
msgspec struct). ``seq`` numbers the records of one *stream* (one SDK session writing
one run) from 1 without gaps; the server stores a stream's records exactly once by
remembering the highest ``seq`` it has durably applied. ``t`` is the Unix time the
record was made.

The SDK's hot path (``log()``) encodes a plain tuple ``(HISTORY_KIND, seq, t, step, row)``
that is byte-identical to :class:`History`, so it never builds a struct.
"""

from __future__ import annotations

from typing import Any, Final

import msgspec

HISTORY_KIND: Final = 2


class RunStart(msgspec.Struct, array_like=True, tag=1, frozen=True):
    """Opens a stream: creates the run, or continues it when ``resume`` is set."""

    seq: int
    t: float
    project: str
    run_id: str
    entity: str | None = None
    name: str | None = None
    group: str | None = None
    job_type: str | None = None
    tags: list[str] = []
    notes: str | None = None
    config: dict[str, Any] = {}
    resume: bool = False
    system: dict[str, Any] = {}
    """Host, OS, Python, program, args, git state and SDK version captured at init."""


class History(msgspec.Struct, array_like=True, tag=HISTORY_KIND, frozen=True):
    """One committed history row at ``step``: the dict given to ``log()``."""

    seq: int
    t: float
    step: int
    row: dict[str, Any]


class ConfigUpdate(msgspec.Struct, array_like=True, tag=3, frozen=True):
    """Top-level config keys set (replaced) after ``init``."""

    seq: int
    t: float
    values: dict[str, Any]


class SummaryUpdate(msgspec.Struct, array_like=True, tag=4, frozen=True):
    """Explicit summary assignments; they win over values derived from history."""

    seq: int
    t: float
    set: dict[str, Any] = {}
    delete: list[str] = []


class FileSaved(msgspec.Struct, array_like=True, tag=5, frozen=True):
    """A file saved with the run (``save()``); its bytes are the blob ``sha256``."""

    seq: int
    t: float
    path: str
    sha256: str
    size: int
    policy: str = "now"


class MetricDefined(msgspec.Struct, array_like=True, tag=6, frozen=True):
    """``define_metric``: a glob name, its x axis, and how its summary is computed."""

    seq: int
    t: float
    name: str
    step_metric: str | None = None
    summary: str | None = None
    goal: str | None = None
    hidden: bool = False


class RunUpdate(msgspec.Struct, array_like=True, tag=7, frozen=True):
    """Changes to the run's descriptive fields; ``None`` means unchanged."""

    seq: int
    t: float
    name: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    group: str | None = None
    job_type: str | None = None


class RowsRejected(msgspec.Struct, array_like=True, tag=8, frozen=True):
    """A ``log()`` at a step lower than the current one was refused (never silent)."""

    seq: int
    t: float
    step: int
    current_step: int
    count: int = 1


class MediaSaved(msgspec.Struct, array_like=True, tag=9, frozen=True):
    """A media file (e.g. an image PNG) referenced from history rows by ``sha256``."""

    seq: int
    t: float
    sha256: str
    path: str
    size: int
    media_type: str


class Finish(msgspec.Struct, array_like=True, tag=10, frozen=True):
    """The run ended: ``exit_code`` 0 means finished, anything else failed."""

    seq: int
    t: float
    exit_code: int = 0
    error: str | None = None
    """The last lines of the traceback when the run failed on an exception."""


Record = (
    RunStart
    | History
    | ConfigUpdate
    | SummaryUpdate
    | FileSaved
    | MetricDefined
    | RunUpdate
    | RowsRejected
    | MediaSaved
    | Finish
)

BLOB_RECORDS: Final = (FileSaved, MediaSaved)
"""Records whose blob must reach the server before the record itself."""

_decoder = msgspec.msgpack.Decoder(Record)
_fields = msgspec.msgpack.Decoder(list[msgspec.Raw])
_int = msgspec.msgpack.Decoder(int)


def decode_record(payload: bytes) -> Record:
    """Decode one frame payload; raises ``msgspec.ValidationError``/``DecodeError``."""
    return _decoder.decode(payload)


def encode_record(record: Record) -> bytes:
    """Encode a record built as a struct (everything but the hot path)."""
    return msgspec.msgpack.encode(record)


def record_kind(payload: bytes) -> int:
    """The tag of an encoded record, without decoding the rest of it.

    Records are msgpack arrays whose first item is a small int: for up to 15 fields (every
    record but a future wide one) the tag is the second byte, read without a decoder call.
    """
    if 0x90 <= payload[0] <= 0x9F and payload[1] < 0x80:  # fixarray, then a positive fixint
        return payload[1]
    return _int.decode(_fields.decode(payload)[0])
