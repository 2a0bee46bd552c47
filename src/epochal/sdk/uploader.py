"""Moves a run folder's log to the server, one batch at a time, exactly once.

The log is the queue: ``upload.json`` remembers the last acknowledged ``seq`` and the
byte offset after it, and each step sends the next complete frames as they are in the
file (the ingest body *is* a run of frames). Blobs of ``FileSaved``/``MediaSaved``
records are uploaded before the batch that names them. Frame ``i`` of a folder's log is
``seq`` ``i``, so a 409 from the server re-aligns by counting frames.

Used by the live shipper thread and by ``sync_run_folder``; it raises on failure and
leaves retrying to them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import BinaryIO

import msgspec

from epochal.sdk.errors import CommError
from epochal.sdk.run_folder import RunFolder, UploadState
from epochal.sdk.transport import RunTransport, StreamConflictError
from epochal.wire.framing import HEADER, HEADER_SIZE, iter_frames
from epochal.wire.records import FileSaved, Finish, MediaSaved, decode_record

logger = logging.getLogger(__name__)

BATCH_BYTES = 4 * 1024 * 1024
BATCH_RECORDS = 5000
_BLOB_KINDS = frozenset({FileSaved.__struct_config__.tag, MediaSaved.__struct_config__.tag})
_FINISH_KIND = Finish.__struct_config__.tag
_fields = msgspec.msgpack.Decoder(list[msgspec.Raw])
_int = msgspec.msgpack.Decoder(int)


def record_kind(payload: bytes) -> int:
    """The tag of an encoded record, without decoding the rest of it."""
    return _int.decode(_fields.decode(payload)[0])


class Uploader:
    def __init__(self, folder: RunFolder, state: UploadState, transport: RunTransport) -> None:
        self.folder = folder
        self.state = state
        self.transport = transport
        self._file: BinaryIO | None = None
        self._uploaded_blobs: set[str] = set()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def pending_bytes(self) -> int:
        """Bytes of the log not acknowledged yet (a torn tail counts until it is completed)."""
        return max(0, self.folder.log_path.stat().st_size - self.state.acked_offset)

    def step(self) -> int:
        """Send the next batch of complete frames; return how many records it acknowledged (0: nothing new)."""
        data = self._read(self.state.acked_offset)
        end = 0
        count = 0
        for end_offset, payload in iter_frames(data, strict=False):
            if count and (end_offset > BATCH_BYTES or count >= BATCH_RECORDS):
                break
            if record_kind(payload) in _BLOB_KINDS:
                self._ensure_blob(payload)
            end = end_offset
            count += 1
        if not count:
            return 0
        expected = self.state.acked_seq + count
        try:
            acked = self.transport.post_frames(self.state.stream_id, data[:end])
        except StreamConflictError as conflict:
            logger.info("stream %s: server is at seq %d, re-aligning", self.state.stream_id, conflict.acked_seq)
            self.realign(conflict.acked_seq)
            return 0
        if acked == expected:
            self._advance(expected, self.state.acked_offset + end)
        else:
            self.realign(acked)
        return count

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
        if self._file is None:
            self._file = self.folder.log_path.open("rb")
        self._file.seek(offset)
        if whole:
            return self._file.read()
        data = self._file.read(BATCH_BYTES)
        if len(data) >= HEADER_SIZE:
            length = HEADER.unpack_from(data)[0]
            if HEADER_SIZE + length > len(data):  # one frame larger than a batch: read all of it
                data += self._file.read(HEADER_SIZE + length - len(data))
        return data

    def _ensure_blob(self, payload: bytes) -> None:
        record = decode_record(payload)
        assert isinstance(record, FileSaved | MediaSaved)
        if record.sha256 in self._uploaded_blobs:
            return
        if not self.transport.has_blob(record.sha256):
            self.transport.put_blob(record.sha256, self._blob_path(record))
        self._uploaded_blobs.add(record.sha256)

    def _blob_path(self, record: FileSaved | MediaSaved) -> Path:
        kept = self.folder.blobs_dir / record.sha256
        if kept.is_file():
            return kept
        path = (self.folder.files_dir if isinstance(record, FileSaved) else self.folder.path) / record.path
        if not path.is_file():
            raise CommError(f"{path} is missing from the run folder; the record naming it cannot be sent")
        return path
