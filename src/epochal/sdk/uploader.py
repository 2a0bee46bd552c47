"""Moves a run folder's log to the server, one batch at a time, exactly once.

The log is the queue: ``upload.json`` remembers the last acknowledged ``seq`` and the
byte offset after it, and each step sends the next complete frames as they are in the
file (the ingest body *is* a run of frames). Blobs of ``FileSaved``/``MediaSaved``
records are uploaded before the batch that names them. Frame ``i`` of a folder's log is
``seq`` ``i``, so a 409 from the server re-aligns by counting frames.

A record the server refuses for its content (422 ``invalid_record``, 413 ``too_large``)
must not block the stream forever: the uploader halves the batch until the refused record
is alone, then sends a *stand-in* with the same ``seq`` (a ``RowsRejected`` counted on the
run, or a ``RunStart`` stripped to the run's identity) and notes the refusal with its reason
in the folder's ``refused.jsonl``. Everything else of the log still arrives exactly once.

Used by the live shipper thread and by ``sync_run_folder``; it raises on failure and
leaves retrying to them.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator
from io import FileIO
from pathlib import Path
from typing import Protocol

import msgspec

from epochal.sdk.errors import CommError
from epochal.sdk.http_client import Body, FileSpan
from epochal.sdk.run_folder import RunFolder, UploadState
from epochal.sdk.transport import RecordsRefusedError, RunTransport, StreamConflictError
from epochal.wire.framing import HEADER, HEADER_SIZE, frame, iter_frames
from epochal.wire.records import (
    FileSaved,
    Finish,
    History,
    MediaSaved,
    Record,
    RowsRejected,
    RunStart,
    decode_record,
    encode_record,
    record_kind,
)

logger = logging.getLogger(__name__)

BATCH_BYTES = 8 * 1024 * 1024
BATCH_RECORDS = 20_000
"""Limits of a batch found by walking the log (``epochal sync``, a narrowed batch): it is read
into memory, so it stays small."""
LIVE_BATCH_BYTES = 24 * 1024 * 1024
"""Limit of a live log's batch, cut where its writer noted a record boundary (below the
server's 32 MiB). It goes by ``sendfile`` and costs the training process no memory, and fewer,
larger batches spare the server per-key work: ``finish()`` after 2,000 rows of 1,000 keys
took 0.8 s instead of 1.8 s with 8 MB batches."""
_BLOB_KINDS = frozenset({FileSaved.__struct_config__.tag, MediaSaved.__struct_config__.tag})
_FINISH_KIND = Finish.__struct_config__.tag
_FIXARRAY_5 = 0x95
"""The first byte of a History record (and of most others): its kind is the next byte."""


def frame_spans(data: bytes) -> Iterator[tuple[int, int]]:
    """``(payload start, frame end)`` of each complete frame: headers only, no copy, no CRC.

    The shipper's walk over the log, kept cheap because it runs in the training process. CRCs
    are checked by the server (a damaged frame fails the whole body) and, for a log whose writer
    was killed, by ``cut_unused_tail``; the writer copies a header last, so a frame whose header
    is there is whole.
    """
    unpack = HEADER.unpack_from
    size = len(data)
    offset = 0
    while offset + HEADER_SIZE <= size:
        length, crc = unpack(data, offset)
        start = offset + HEADER_SIZE
        offset = start + length
        if (length == 0 and crc == 0) or offset > size:
            return
        yield start, offset


class LiveLog(Protocol):
    """What the run's live writer (``RunWriter``) tells its uploader, so the log is never walked."""

    offset: int
    cuts: list[tuple[int, int]]
    blob_frames: list[tuple[int, int, int]]

    def position(self) -> tuple[int, int]: ...

    def forget_notes(self, acked_seq: int) -> None: ...


class Uploader:
    def __init__(
        self, folder: RunFolder, state: UploadState, transport: RunTransport, live: LiveLog | None = None
    ) -> None:
        self.folder = folder
        self._live = live
        """The run's writer while it runs (the mapped log is zeros beyond its offset); None: a closed log."""
        self.state = state
        self.transport = transport
        self._file: FileIO | None = None
        self._uploaded_blobs: set[str] = set()
        self._batch_records = BATCH_RECORDS
        self.more_waiting = False
        """The last batch stopped at a size limit: more complete records are ready to send."""
        self._stand_ins: dict[int, bytes] = {}
        """seq -> framed stand-in for a record the server refused on its own."""

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def pending_bytes(self) -> int:
        """Bytes of the log not acknowledged yet (a torn tail counts until it is completed)."""
        return max(0, self.folder.log_path.stat().st_size - self.state.acked_offset)

    def step(self) -> int:
        """Send the next batch of complete frames; return how many records it acknowledged (0: nothing new)."""
        while True:  # a refusal narrows the batch or prepares a stand-in: retry at once (a few rounds at most)
            sent = self._send_next()
            if sent is not None:
                return sent

    def _send_next(self) -> int | None:
        first_seq = self.state.acked_seq + 1
        self.more_waiting = False
        batch: tuple[int, int, Body] | None
        if self._live is not None and first_seq not in self._stand_ins and self._batch_records == BATCH_RECORDS:
            batch = self._noted_batch(self._live)
        else:
            batch = self._walked_batch(first_seq)
        if batch is None:
            return None
        count, end, body = batch
        if not count:
            return 0
        expected = self.state.acked_seq + count
        try:
            acked = self.transport.post_frames(self.state.stream_id, body)
        except StreamConflictError as conflict:
            logger.info("stream %s: server is at seq %d, re-aligning", self.state.stream_id, conflict.acked_seq)
            self.realign(conflict.acked_seq)
            return 0
        except RecordsRefusedError as refused:
            if first_seq in self._stand_ins:
                raise  # even the stand-in is refused: nothing sensible is left to send
            first = next(iter_frames(self._read(self.state.acked_offset), strict=False))[1]
            self._narrow(refused, count, first_seq, first)
            return None
        except CommError as error:
            if error.status == 422:  # e.g. blob_missing: the server may have lost a blob we sent before
                self._uploaded_blobs.clear()
            raise
        if acked == expected:
            self._advance(expected, end)
            self._stand_ins.pop(first_seq, None)
            # grow back after narrowing: still converges on a refused record (each success moves past half)
            self._batch_records = min(BATCH_RECORDS, self._batch_records * 2)
        else:
            self.realign(acked)
        return count

    def _noted_batch(self, live: LiveLog) -> tuple[int, int, FileSpan] | None:
        """The next batch of a live log from its writer's notes: ``(records, end offset, body)``.

        Up to ``LIVE_BATCH_BYTES`` (cut where the writer noted a record boundary), stopping before
        a record whose blob is missing; None when a stand-in was prepared instead.
        """
        acked_seq, start = self.state.acked_seq, self.state.acked_offset
        last_seq, end = live.position()
        if end - start > LIVE_BATCH_BYTES:
            cuts = [cut for cut in live.cuts if start < cut[1] < end]
            within = [cut for cut in cuts if cut[1] - start <= LIVE_BATCH_BYTES]
            if within or cuts:
                last_seq, end = within[-1] if within else cuts[0]
                self.more_waiting = True
        for seq, frame_start, frame_end in live.blob_frames:
            if acked_seq < seq <= last_seq:
                payload = self._read_exactly(frame_start + HEADER_SIZE, frame_end)
                missing = self._ensure_blob(payload)
                if missing is not None:
                    if seq == acked_seq + 1:
                        self._replace(seq, payload, 0, "blob_missing_locally", f"{missing} is missing")
                        return None
                    last_seq, end = seq - 1, frame_start  # send what precedes it; it comes first next time
                    break
        return last_seq - acked_seq, end, FileSpan(self._open(), start, end - start)

    def _walked_batch(self, first_seq: int) -> tuple[int, int, bytes] | None:
        """The next batch found by walking the frames (a closed log, a narrowed batch, a stand-in)."""
        data = self._read(self.state.acked_offset)
        limit = 1 if first_seq in self._stand_ins else self._batch_records
        end = 0
        count = 0
        for start, end_offset in frame_spans(data):
            if count and (end_offset > BATCH_BYTES or count >= limit):
                self.more_waiting = True
                break
            if (data[start] != _FIXARRAY_5 or data[start + 1] in _BLOB_KINDS) and first_seq not in self._stand_ins:
                payload = data[start:end_offset]
                missing = self._ensure_blob(payload) if record_kind(payload) in _BLOB_KINDS else None
                if missing is not None:
                    if count:
                        break  # send what precedes it; it comes first next time
                    self._replace(first_seq, payload, 0, "blob_missing_locally", f"{missing} is missing")
                    return None
            end = end_offset
            count += 1
        body = self._stand_ins.get(first_seq, data if end == len(data) else data[:end])  # no megabyte copy
        return count, self.state.acked_offset + end, body

    def _narrow(self, refused: RecordsRefusedError, count: int, seq: int, payload: bytes) -> None:
        """Halve the batch around a refused record; once it is alone, prepare its stand-in."""
        if count > 1:
            self._batch_records = max(1, count // 2)
            logger.info("stream %s: batch of %d refused (%s); narrowing", self.state.stream_id, count, refused)
            return
        self._replace(seq, payload, refused.status or 0, refused.code, str(refused))

    def _replace(self, seq: int, payload: bytes, status: int, code: str, reason: str) -> None:
        self._stand_ins[seq] = frame(encode_record(stand_in(payload, seq)))
        self.folder.note_refusal(seq=seq, status=status, code=code, reason=reason)
        logger.warning("record %d of %s cannot be stored, a stand-in is sent: %s", seq, self.folder.path, reason)

    def realign(self, acked_seq: int) -> None:
        """Move to the frame after ``acked_seq`` (counting frames from the closest known point)."""
        if acked_seq >= self.state.acked_seq:
            seq, offset = self.state.acked_seq, self.state.acked_offset
        else:
            seq, offset = 0, 0
        data = self._read(offset, whole=True)
        position = 0
        for end_offset, _ in iter_frames(data, strict=False):
            if seq >= acked_seq:
                break
            seq, position = seq + 1, end_offset
        if seq != acked_seq:
            raise CommError(f"the server acknowledged seq {acked_seq} but the local log holds only {seq} records")
        self._advance(seq, offset + position)

    def ends_with_finish(self) -> bool:
        """True when the last complete record of the log is ``Finish``."""
        data = self._read(0, whole=True)
        last = None
        for _, payload in iter_frames(data, strict=False):
            last = payload
        return last is not None and record_kind(last) == _FINISH_KIND

    def _advance(self, seq: int, offset: int) -> None:
        self.state.acked_seq = seq
        self.state.acked_offset = offset
        self.folder.write_upload_state(self.state)
        if self._live is not None:
            self._live.forget_notes(seq)

    def _open(self) -> FileIO:
        if self._file is None:  # unbuffered: a read-ahead buffer would keep the mapped log's zeros
            self._file = self.folder.log_path.open("rb", buffering=0)
        return self._file

    def _read(self, offset: int, *, whole: bool = False) -> bytes:
        file = self._open()
        file.seek(offset)
        available = -1 if self._live is None else max(0, self._live.offset - offset)
        if whole:
            return file.read(available)
        data = file.read(BATCH_BYTES if available < 0 else min(BATCH_BYTES, available))
        if len(data) >= HEADER_SIZE:
            length = HEADER.unpack_from(data)[0]
            if HEADER_SIZE + length > len(data):  # one frame larger than a batch: read all of it
                data += file.read(HEADER_SIZE + length - len(data))
        return data

    def _read_exactly(self, start: int, end: int) -> bytes:
        data = os.pread(self._open().fileno(), end - start, start)
        if len(data) != end - start:
            raise OSError(f"the run log ends before byte {end}")
        return data

    def _ensure_blob(self, payload: bytes) -> Path | None:
        """Upload the record's blob unless the server has it; return the local path when it is gone."""
        record = decode_record(payload)
        assert isinstance(record, FileSaved | MediaSaved)
        if record.sha256 in self._uploaded_blobs:
            return None
        if not self.transport.has_blob(record.sha256):
            path = self._blob_path(record)
            if not path.is_file():
                return path
            self.transport.put_blob(record.sha256, path)
        self._uploaded_blobs.add(record.sha256)
        return None

    def _blob_path(self, record: FileSaved | MediaSaved) -> Path:
        kept = self.folder.blobs_dir / record.sha256
        if kept.is_file():
            return kept
        return (self.folder.files_dir if isinstance(record, FileSaved) else self.folder.path) / record.path


def stand_in(payload: bytes, seq: int) -> Record:
    """What is sent in place of a refused record, keeping its ``seq`` so the stream goes on.

    A refused ``RunStart`` becomes the bare identity of the run (its config, tags or system
    info were at fault); anything else becomes ``RowsRejected``, counted on the run.
    """
    try:
        record: Record | None = decode_record(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        record = None
    if isinstance(record, RunStart):
        return RunStart(
            seq=seq, t=record.t, project=record.project, run_id=record.run_id, entity=record.entity,
            name=record.name, resume=record.resume,
        )  # fmt: skip
    step = record.step if isinstance(record, History) else 0
    return RowsRejected(seq=seq, t=record.t if record is not None else time.time(), step=step, current_step=step)
