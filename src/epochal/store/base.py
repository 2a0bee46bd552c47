"""The store's contract. Every implementation passes ``tests/contract``.

Runs are addressed by ``RunRef(entity, project, run_id)``. Reads return ``epochal.wire.api``
structs or plain numpy arrays; nothing here knows HTTP.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, BinaryIO, Literal, NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from epochal.store.accounts import AccountStore
from epochal.wire.api import FileInfo, HistoryPage, ProjectInfo, RunInfo, RunPage, RunPatch, SeriesKey
from epochal.wire.records import Record

if TYPE_CHECKING:
    from epochal.store.history_block import HistoryBlock


class StoreError(Exception):
    """Root of the store's errors."""


class NotFound(StoreError):  # noqa: N818 (names read as HTTP outcomes)
    """The project, run, file or blob does not exist."""


class Conflict(StoreError):  # noqa: N818 (names read as HTTP outcomes)
    """The request contradicts stored state (e.g. a gap in a stream's sequence numbers).

    ``acked_seq`` tells the client where the stream really stands.
    """

    def __init__(self, message: str, *, acked_seq: int | None = None) -> None:
        super().__init__(message)
        self.acked_seq = acked_seq


class InvalidRecord(StoreError):  # noqa: N818 (names read as HTTP outcomes)
    """A record breaks a rule (a limit, a key, a type); nothing of its batch is stored."""


class InvalidQuery(InvalidRecord):
    """A run query names an unknown field or operator, or gives a value of the wrong shape."""


class StorageFull(StoreError):  # noqa: N818 (names read as HTTP outcomes)
    """The disk or quota is full; nothing of the batch is stored. Retry later."""


class RunRef(NamedTuple):
    entity: str
    project: str
    run_id: str


FilterOp = Literal["=", "!=", "<", "<=", ">", ">=", "contains", "in"]


@dataclass(frozen=True)
class RunFilter:
    """``field`` is ``state``, ``name``, ``tags``, ``group``, ``job_type``, ``created_at``,
    ``config.<dotted key>`` or ``summary.<dotted key>``."""

    field: str
    op: FilterOp
    value: object


@dataclass(frozen=True)
class RunQuery:
    filters: Sequence[RunFilter] = ()
    search: str | None = None
    """Case-insensitive substring of the run's name, id, tags or notes."""
    order_by: str = "-created_at"
    """A filter field, ``-`` prefix for descending."""
    limit: int = 1000
    offset: int = 0


@dataclass(frozen=True)
class SeriesBlock:
    """Points of one (run, key), possibly pre-aggregated.

    Raw points have ``count == 1`` and ``min == max == sum == value``. An aggregated
    entry covers steps ``[steps[i], step_ends[i]]`` with exact min, max, sum and count.
    Arrays are sorted by step.
    """

    steps: npt.NDArray[np.int64]
    step_ends: npt.NDArray[np.int64]
    min: npt.NDArray[np.float64]
    max: npt.NDArray[np.float64]
    sum: npt.NDArray[np.float64]
    count: npt.NDArray[np.int64]

    @property
    def is_raw(self) -> bool:
        return bool(len(self.count) == 0 or self.count.max() == 1)


@dataclass(frozen=True)
class Series:
    """Every stored point of one (run, key), bit-exact, in step order."""

    steps: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64] | npt.NDArray[np.int64] | npt.NDArray[np.bool_]


@dataclass
class IngestResult:
    acked_seq: int
    touched_keys: list[str] = field(default_factory=list)
    """Scalar keys that received points (for live-update notifications)."""


class BlobStore(Protocol):
    """Content-addressed bytes (sha256 hex names), deduplicated."""

    def has(self, sha256: str) -> bool: ...

    def put(self, sha256: str, data: BinaryIO, *, max_bytes: int) -> int:
        """Store the stream if its hash matches ``sha256``; return its size.

        Raises InvalidRecord on a hash mismatch or when larger than ``max_bytes``,
        StorageFull when the disk is full. Idempotent.
        """
        ...

    def open(self, sha256: str) -> BinaryIO:
        """Raises NotFound."""
        ...

    def size(self, sha256: str) -> int: ...


class Store(Protocol):
    blobs: BlobStore
    accounts: AccountStore

    def close(self) -> None: ...

    # projects and runs
    def list_projects(self) -> list[ProjectInfo]: ...

    def get_project(self, entity: str, project: str) -> ProjectInfo:
        """Raises NotFound."""
        ...

    def list_runs(self, entity: str, project: str, query: RunQuery) -> RunPage: ...

    def get_run(self, ref: RunRef) -> RunInfo:
        """Raises NotFound."""
        ...

    def update_run(self, ref: RunRef, patch: RunPatch) -> RunInfo: ...

    def delete_run(self, ref: RunRef) -> None: ...

    # ingest
    def ingest(self, ref: RunRef, stream_id: str, records: Sequence[Record | HistoryBlock]) -> IngestResult:
        """Apply a stream's records in one transaction, exactly once.

        Records with ``seq <= acked`` are skipped; the first new record must be
        ``acked + 1`` (else Conflict carrying the acked seq); a stream must start with a
        RunStart unless the run exists. Flattens rows, splits scalars into series and
        other values into history objects, maintains summary, state and counters.
        """
        ...

    def stream_ack(self, ref: RunRef, stream_id: str) -> int:
        """Highest stored seq of the stream, 0 when unknown."""
        ...

    def heartbeat(self, ref: RunRef, t: float) -> None: ...

    def mark_crashed(self, *, silent_since: float) -> list[RunRef]:
        """Running runs whose last heartbeat is older than ``silent_since`` become crashed."""
        ...

    # history
    def list_series_keys(self, ref: RunRef) -> list[SeriesKey]: ...

    def list_project_series_keys(self, entity: str, project: str) -> list[str]:
        """The union of the scalar keys of all the project's runs, sorted; one query, however
        many runs (the workspace asks it before drawing any chart). Raises NotFound."""
        ...

    def read_series(
        self, ref: RunRef, key: str, *, min_step: int | None = None, max_step: int | None = None
    ) -> Series: ...

    def read_series_block(
        self,
        ref: RunRef,
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> SeriesBlock:
        """Points in the range, pre-aggregated to at most about ``max_points`` entries when
        the store keeps coarser levels (exact extremes always)."""
        ...

    def read_series_blocks(
        self,
        entity: str,
        project: str,
        run_ids: Sequence[str],
        key: str,
        *,
        min_step: int | None = None,
        max_step: int | None = None,
        max_points: int | None = None,
    ) -> list[SeriesBlock]:
        """``read_series_block`` of several runs of a project (one block per id, in order) in one
        snapshot and a few queries however many runs: an overlay chart. Raises NotFound naming
        the first unknown run."""
        ...

    def read_history(
        self, ref: RunRef, *, keys: Sequence[str] | None = None, min_step: int | None = None, limit: int = 1000
    ) -> HistoryPage:
        """Rows (``_step``, ``_timestamp``, ``_runtime`` and the flattened keys) in step order."""
        ...

    # files
    def list_files(self, ref: RunRef) -> list[FileInfo]: ...

    def get_file(self, ref: RunRef, path: str) -> FileInfo: ...

    def run_references_blob(self, ref: RunRef, sha256: str) -> bool:
        """True when the run's files or media include the blob (access checks)."""
        ...


def iter_blob(stream: BinaryIO, chunk_size: int = 1 << 20) -> Iterator[bytes]:
    """Read a blob stream in chunks (for streaming responses)."""
    while chunk := stream.read(chunk_size):
        yield chunk
