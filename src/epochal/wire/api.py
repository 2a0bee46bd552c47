"""Shapes of the public JSON/msgpack API under ``/api/v1``.

The server encodes these structs; ``epochal.Api`` decodes them; the web UI reads the
same JSON. Non-finite floats are exact in msgpack responses (``Accept:
application/msgpack``); in JSON they are the strings ``"NaN"``, ``"Infinity"`` and
``"-Infinity"`` because JSON has no literal for them.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

RunState = Literal["running", "finished", "failed", "crashed"]


class Viewer(msgspec.Struct, frozen=True):
    """Who the caller is: the default entity for new projects."""

    username: str
    entity: str


class ProjectInfo(msgspec.Struct, frozen=True):
    entity: str
    name: str
    run_count: int
    created_at: float
    last_activity: float


class MetricDefinition(msgspec.Struct, frozen=True):
    name: str
    step_metric: str | None = None
    summary: str | None = None
    goal: str | None = None
    hidden: bool = False


class RunInfo(msgspec.Struct, frozen=True):
    """One run as the runs table and the run page see it."""

    entity: str
    project: str
    run_id: str
    name: str
    state: RunState
    created_at: float
    updated_at: float
    heartbeat_at: float
    finished_at: float | None = None
    runtime: float = 0.0
    group: str | None = None
    job_type: str | None = None
    tags: list[str] = []
    notes: str | None = None
    config: dict[str, Any] = {}
    summary: dict[str, Any] = {}
    system: dict[str, Any] = {}
    exit_code: int | None = None
    error: str | None = None
    last_step: int | None = None
    history_rows: int = 0
    rejected_rows: int = 0
    """Rows refused because they were logged at a step lower than the current one."""
    metrics: list[MetricDefinition] = []


class RunPage(msgspec.Struct, frozen=True):
    runs: list[RunInfo]
    total: int


class RunPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Fields a user may edit after the fact (UI, ``Api``)."""

    name: str | None = None
    notes: str | None = None
    tags: list[str] | None = None
    group: str | None = None


class SeriesKey(msgspec.Struct, frozen=True):
    """One scalar key of a run's history with its running statistics."""

    key: str
    count: int
    first_step: int
    last_step: int
    min: float
    max: float
    last: float


class FileInfo(msgspec.Struct, frozen=True):
    path: str
    size: int
    sha256: str
    updated_at: float


class IngestAck(msgspec.Struct, frozen=True):
    """The highest record ``seq`` of the stream that is durably stored."""

    acked_seq: int


class SeriesLine(msgspec.Struct, frozen=True):
    """One run's curve for one key, ready to draw.

    When ``exact`` the arrays hold every point (``min == max == mean``); otherwise each
    entry is a bucket of steps with its exact minimum, maximum and mean, so no spike is
    lost at any width.
    """

    run_id: str
    key: str
    steps: list[int]
    min: list[float]
    max: list[float]
    mean: list[float]
    exact: bool
    x: list[float] | None = None
    """With ``x_key``: that key's value at each entry's step (NaN where it has none there)."""


class SeriesPoints(msgspec.Struct, frozen=True):
    """Every stored point of one key of one run, in step order: the columnar full read."""

    key: str
    steps: list[int]
    values: list[Any]
    """Floats, ints or bools, as logged (floats bit-exact in msgpack; NaN/Infinity named in JSON)."""


class SeriesResponse(msgspec.Struct, frozen=True):
    lines: list[SeriesLine]


class HistoryPage(msgspec.Struct, frozen=True):
    """Rows in step order; ``next_step`` continues the scan, ``None`` at the end."""

    rows: list[dict[str, Any]]
    next_step: int | None = None


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str
    message: str


class ErrorBody(msgspec.Struct, frozen=True):
    error: ErrorDetail


class Health(msgspec.Struct, frozen=True):
    """``GET /health``: the server answers and which version it runs."""

    status: str
    version: str


class BlobStored(msgspec.Struct, frozen=True):
    """A blob upload was verified against its sha256 and stored (or already was)."""

    sha256: str
    size: int


class PointsEvent(msgspec.Struct, frozen=True):
    """Live ``points`` event: new history of ``run_id`` up to ``last_step`` for ``keys``."""

    run_id: str
    keys: list[str]
    last_step: int | None
