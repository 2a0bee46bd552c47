"""Decoding and checking an ingest body: frames -> records, before the store sees them.

Anything malformed is refused here as a whole (400 for bytes that do not parse, 422 for
records that parse but break a rule), so a bad body never reaches the store. Runs of alike
History frames are decoded by column (``frame_walk``, ``history_columns``); when that fast
path meets anything wrong, the per-frame reference decode runs and names the error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import msgspec

from epochal.server.errors import BadRequestError, UnprocessableError
from epochal.server.frame_walk import frame_spans
from epochal.server.history_columns import decode_frames
from epochal.store.base import RunRef
from epochal.store.history_block import HistoryBlock, IngestItem, seq_gap
from epochal.wire.framing import FrameError, iter_frames
from epochal.wire.records import History, RunStart, decode_record

_STREAM_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def check_stream_id(stream_id: str) -> str:
    if not _STREAM_ID_RE.match(stream_id):
        raise UnprocessableError(
            f"stream id {stream_id[:80]!r} is invalid: use 1-64 letters, digits, '_' or '-'", code="invalid_name"
        )
    return stream_id


def decode_batch(body: bytes) -> list[IngestItem]:
    """The records of a frames body, in order (History runs by column); the whole body or nothing."""
    spans = frame_spans(body)
    if spans is not None:
        try:
            return decode_frames(body, *spans)
        except (msgspec.ValidationError, msgspec.DecodeError):
            pass  # the reference walk below finds the same error and names its record
    return decode_each(body)


def decode_each(body: bytes) -> list[IngestItem]:
    """The reference decode, one frame and one msgspec call at a time; its errors are the API's."""
    records: list[IngestItem] = []
    try:
        for _, payload in iter_frames(body, strict=True):
            records.append(decode_record(payload))
    except FrameError as exc:
        raise BadRequestError(f"bad frame after {len(records)} records: {exc}", code="bad_frame") from exc
    except msgspec.ValidationError as exc:
        raise UnprocessableError(
            f"record {len(records) + 1} of the body is invalid: {exc}", code="invalid_record"
        ) from exc
    except msgspec.DecodeError as exc:
        raise BadRequestError(
            f"record {len(records) + 1} of the body is not msgpack: {exc}", code="bad_record"
        ) from exc
    return records


def check_batch(ref: RunRef, records: Sequence[IngestItem]) -> None:
    """Sequence numbers count up by one from 1 or more; a RunStart names this run."""
    if records and records[0].seq < 1:
        raise UnprocessableError(f"seq must start at 1 or more, got {records[0].seq}", code="invalid_sequence")
    gap = seq_gap(records)
    if gap is not None:
        raise UnprocessableError(
            f"records must be in seq order without gaps: {gap[1]} follows {gap[0]}", code="invalid_sequence"
        )
    for record in records:
        if not isinstance(record, RunStart):
            continue
        if (record.project, record.run_id) != (ref.project, ref.run_id):
            raise UnprocessableError(
                f"RunStart for {record.project}/{record.run_id} was sent to {ref.project}/{ref.run_id}",
                code="run_mismatch",
            )
        if record.entity not in (None, ref.entity):
            raise UnprocessableError(
                f"RunStart for entity {record.entity!r} was sent to entity {ref.entity!r}", code="run_mismatch"
            )


def last_history_step(records: Sequence[IngestItem], after_seq: int) -> int | None:
    """The highest step among history rows newer than ``after_seq`` (for live updates)."""
    steps = [record.step for record in records if isinstance(record, History) and record.seq > after_seq]
    for block in records:
        if isinstance(block, HistoryBlock) and block.last_seq > after_seq:
            steps.append(int(block.steps[max(after_seq + 1 - block.seq, 0) :].max()))
    return max(steps) if steps else None
