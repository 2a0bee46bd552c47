"""``epochal sync``: ship run folders that were written offline or while the server was away.

It runs the same ``Uploader`` as the live shipper, so syncing twice sends each record
once (the server skips sequence numbers it already holds). A folder whose every record
is acknowledged and whose log ends with ``Finish`` gets a ``synced`` marker. A folder
locked by a live run or another sync is refused (``FolderInUseError``), never shared.

``start_background_sync`` is what an online ``init`` calls: one daemon thread sends the
unsynced folders left beside the new run (by a crash, an outage or offline mode). It never
blocks or fails ``init``, and a process exiting mid-sync loses nothing (the next sync
resumes from the server's acknowledgement).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from epochal.sdk.errors import CommError
from epochal.sdk.log_map import cut_unused_tail
from epochal.sdk.run_folder import FolderInUseError, RunFolder, UploadState, find_run_folders
from epochal.sdk.settings import Settings
from epochal.sdk.shipper import backoff_delay
from epochal.sdk.transport import RunTransport, make_client, transport_errors
from epochal.sdk.uploader import Uploader
from epochal.wire.framing import iter_frames
from epochal.wire.records import RunStart, decode_record

__all__ = ["FolderInUseError", "SyncResult", "find_run_folders", "start_background_sync", "sync_run_folder"]

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[int, int], None]
"""Called after each batch with ``(bytes acknowledged, bytes in the log)``."""

MAX_ATTEMPTS = 6


@dataclass(frozen=True)
class SyncResult:
    path: Path
    entity: str
    project: str
    run_id: str
    records_sent: int
    acked_seq: int
    complete: bool
    """Every record of the log is acknowledged and the run has finished (folder marked synced)."""


def sync_run_folder(path: Path | str, *, settings: Settings, on_progress: ProgressCallback | None = None) -> SyncResult:
    """Send what the server lacks of one run folder; raise ``CommError`` when it stays unreachable."""
    folder = RunFolder(Path(path))
    if not folder.log_path.is_file():
        raise CommError(f"{folder.path} is not a run folder (no {folder.log_path.name})")
    lock = folder.lock()
    try:
        cut_unused_tail(folder.log_path)  # a writer killed mid-run leaves its reserved space behind
        return _sync_locked(folder, settings, on_progress)
    finally:
        RunFolder.unlock(lock)


def _sync_locked(folder: RunFolder, settings: Settings, on_progress: ProgressCallback | None) -> SyncResult:
    state = folder.read_upload_state() or _state_from_log(folder)
    client = make_client(settings)
    uploader = Uploader(folder, state, RunTransport(client, state.entity, state.project, state.run_id))
    sent = 0
    failures = 0
    failing: tuple[type[BaseException], ...] = (*transport_errors(), CommError)
    try:
        while True:
            try:
                count = uploader.step()
            except failing as exc:
                status = getattr(exc, "status", None)
                failures += 1
                if failures >= MAX_ATTEMPTS or (status is not None and 400 <= status < 500 and status != 429):
                    raise CommError(f"sync of {folder.path} failed: {exc}", status=status) from exc
                time.sleep(backoff_delay(failures))
                continue
            failures = 0
            sent += count
            total = folder.log_path.stat().st_size
            if on_progress is not None:
                on_progress(state.acked_offset, total)
            if count == 0 and not _has_complete_frame(folder, state.acked_offset):
                break  # all sent, or only a torn tail is left (count 0 with frames left: re-aligned)
        complete = uploader.pending_bytes() == 0 and uploader.ends_with_finish()
        if complete:
            folder.mark_synced()
    finally:
        uploader.close()
        client.close()
    return SyncResult(
        path=folder.path,
        entity=state.entity,
        project=state.project,
        run_id=state.run_id,
        records_sent=sent,
        acked_seq=state.acked_seq,
        complete=complete,
    )


def _has_complete_frame(folder: RunFolder, offset: int) -> bool:
    with folder.log_path.open("rb") as log:
        log.seek(offset)
        return next(iter_frames(log.read(), strict=False), None) is not None


def _state_from_log(folder: RunFolder) -> UploadState:
    """Rebuild a lost ``upload.json`` from the log's RunStart; the stream id is derived from the folder."""
    data = folder.log_path.read_bytes()
    first = next(iter_frames(data, strict=False), None)
    record = decode_record(first[1]) if first else None
    if not isinstance(record, RunStart):
        raise CommError(f"{folder.log_path} does not start with a RunStart record; it cannot be synced")
    state = UploadState(
        stream_id=folder.stream_id, entity=record.entity or "-", project=record.project, run_id=record.run_id
    )
    folder.write_upload_state(state)
    return state


def start_background_sync(root: Path, *, exclude: Path, settings: Settings) -> threading.Thread:
    """Send, in a daemon thread, the unsynced run folders under ``root`` other than ``exclude``."""
    thread = threading.Thread(
        target=_sync_leftovers, args=(root, exclude, settings), name="epochal-background-sync", daemon=True
    )
    thread.start()
    return thread


def _sync_leftovers(root: Path, exclude: Path, settings: Settings) -> None:
    try:
        folders = [f for f in find_run_folders(root) if f.path != exclude and not f.is_synced]
    except OSError as exc:
        logger.warning("background sync: cannot list %s: %s", root, exc)
        return
    for folder in folders:
        try:
            result = sync_run_folder(folder.path, settings=settings)
        except FolderInUseError:
            continue  # a live run or another sync owns it
        except Exception as exc:  # never into training; 'epochal sync' remains the way
            logger.warning("background sync of %s stopped: %s", folder.path, exc)
            continue
        logger.info("background sync of %s: %d records sent", folder.path, result.records_sent)
