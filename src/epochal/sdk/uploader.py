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
import time
from collections.abc import Callable, Iterator
from io import FileIO
from pathlib import Path

import msgspec

from epochal.sdk.errors import CommError
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
)

logger = logging.getLogger(__name__)

BATCH_BYTES = 8 * 1024 * 1024
BATCH_RECORDS = 20_000
_BLOB_KINDS = frozenset({FileSaved.__struct_config__.tag, MediaSaved.__struct_config__.tag})
_FINISH_KIND = Finish.__struct_config__.tag
_FIXARRAY_5 = 0x95
"""The first byte of a History record (and of most others): its kind is the next byte."""
_fields = msgspec.msgpack.Decoder(list[msgspec.Raw])
_int = msgspec.msgpack.Decoder(int)


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


def record_kind(payload: bytes) -> int:
    """The tag of an encoded record, without decoding the rest of it.

    Records are msgpack arrays whose first item is a small int: for up to 15 fields (every
    record but a future wide one) the tag is the second byte, read without a decoder call.
    """
    if 0x90 <= payload[0] <= 0x9F and payload[1] < 0x80:  # fixarray, then a positive fixint
        return payload[1]
    return _int.decode(_fields.decode(payload)[0])


class Uploader:
    def __init__(
        self, folder: RunFolder, state: UploadState, transport: RunTransport, log_end: Callable[[], int] | None = None
    ) -> None:
        self.folder = folder
        self._log_end = log_end
        """The live writer's end of complete frames (the mapped log is zeros beyond it); None: the file's end."""
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
        data = self._read(self.state.acked_offset)
        first_seq = self.state.acked_seq + 1
        limit = 1 if first_seq in self._stand_ins else self._batch_records
        end = 0
        count = 0
        self.more_waiting = False
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
        if not count:
            return 0
        body = self._stand_ins.get(first_seq, data if end == len(data) else data[:end])  # no megabyte copy
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
            self._narrow(refused, count, first_seq, next(iter_frames(data, strict=False))[1])
            return None
        except CommError as error:
            if error.status == 422:  # e.g. blob_missing: the server may have lost a blob we sent before
                self._uploaded_blobs.clear()
            raise
        if acked == expected:
            self._advance(expected, self.state.acked_offset + end)
            self._stand_ins.pop(first_seq, None)
            # grow back after narrowing: still converges on a refused record (each success moves past half)
            self._batch_records = min(BATCH_RECORDS, self._batch_records * 2)
        else:
            self.realign(acked)
        return count

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

    def _read(self, offset: int, *, whole: bool = False) -> bytes:
        if self._file is None:  # unbuffered: a read-ahead buffer would keep the mapped log's zeros
            self._file = self.folder.log_path.open("rb", buffering=0)
        self._file.seek(offset)
        available = -1 if self._log_end is None else max(0, self._log_end() - offset)
        if whole:
            return self._file.read(available)
        data = self._file.read(BATCH_BYTES if available < 0 else min(BATCH_BYTES, available))
        if len(data) >= HEADER_SIZE:
            length = HEADER.unpack_from(data)[0]
            if HEADER_SIZE + length > len(data):  # one frame larger than a batch: read all of it
                data += self._file.read(HEADER_SIZE + length - len(data))
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
