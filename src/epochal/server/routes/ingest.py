"""The SDK's write path: record streams, heartbeats and blob uploads."""

from __future__ import annotations

import io
import re
import time

from fastapi import APIRouter, Request
from starlette.requests import ClientDisconnect
from starlette.responses import Response

from epochal.server.batch import check_batch, check_stream_id, decode_batch, last_history_step
from epochal.server.context import Context, ServerContext, StoreDep
from epochal.server.encoding import respond
from epochal.server.errors import BadRequestError, NotFoundError, UnprocessableError
from epochal.server.events import points_event, run_event
from epochal.server.openapi import binary_body, no_content, responses
from epochal.server.request_body import BodyReader, read_body
from epochal.store.base import IngestResult, RunRef, Store
from epochal.store.history_block import IngestItem
from epochal.wire import limits
from epochal.wire.api import BlobStored, IngestAck

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}/runs/{run_id}", tags=["ingest"])

FRAMES_MEDIA_TYPE = "application/x-epochal-frames"
BLOB_READ_CHUNK = 1 << 20
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")


@router.post(
    "/streams/{stream_id}",
    responses=responses(IngestAck, errors=(400, 404, 409, 413, 507)),
    openapi_extra=binary_body(FRAMES_MEDIA_TYPE),
)
def ingest(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str, stream_id: str
) -> Response:
    """Apply a batch of one stream's records exactly once; answer the durable high-water mark."""
    ref = context.checked_run_ref(entity, project, run_id)
    check_stream_id(stream_id)
    records = decode_batch(read_body(request, max_bytes=limits.MAX_BATCH_BYTES, what="the ingest body"))
    check_batch(ref, records)
    if not records:
        return respond(request, IngestAck(acked_seq=store.stream_ack(ref, stream_id)))
    already_acked = store.stream_ack(ref, stream_id)
    result = store.ingest(ref, stream_id, records)
    if result.acked_seq > already_acked:
        _announce(context=context, store=store, ref=ref, records=records, result=result, after_seq=already_acked)
    return respond(request, IngestAck(acked_seq=result.acked_seq))


def _announce(
    *,
    context: ServerContext,
    store: Store,
    ref: RunRef,
    records: list[IngestItem],
    result: IngestResult,
    after_seq: int,
) -> None:
    """Tell live viewers: new points of which keys, and the run's new state and summary."""
    topic = (ref.entity, ref.project)
    context.events.publish(topic, run_event(context.run_json.fragment(store.get_run(ref))))
    if result.touched_keys:
        last_step = last_history_step(records, after_seq)
        context.events.publish(topic, points_event(ref.run_id, sorted(result.touched_keys), last_step))


@router.get("/streams/{stream_id}", responses=responses(IngestAck))
def stream_ack(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str, stream_id: str
) -> Response:
    """Where a stream stands (0 when unknown): a restarted SDK resumes after it."""
    check_stream_id(stream_id)
    return respond(request, IngestAck(acked_seq=store.stream_ack(context.run_ref(entity, project, run_id), stream_id)))


@router.post("/heartbeat", status_code=204, responses=no_content(errors=(404,)))
def heartbeat(*, store: StoreDep, context: Context, entity: str, project: str, run_id: str) -> Response:
    """The training process is alive even when it logs nothing (keeps the run from 'crashed')."""
    store.heartbeat(context.run_ref(entity, project, run_id), time.time())
    return Response(status_code=204)


def check_sha256(sha256: str) -> str:
    if not _SHA256_RE.match(sha256):
        raise UnprocessableError(f"{sha256[:80]!r} is not a lowercase hex sha256", code="invalid_sha256")
    return sha256


@router.put(
    "/blobs/{sha256}",
    responses=responses(BlobStored, errors=(400, 413, 507)),
    openapi_extra=binary_body("application/octet-stream"),
)
def put_blob(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str, sha256: str
) -> Response:
    """Store a blob verified against its hash; allowed before the record that references it."""
    context.checked_run_ref(entity, project, run_id)
    check_sha256(sha256)
    body = BodyReader(request, max_bytes=limits.MAX_FILE_BYTES, what="the blob")
    try:
        size = store.blobs.put(sha256, io.BufferedReader(body, BLOB_READ_CHUNK), max_bytes=limits.MAX_FILE_BYTES)
    except ClientDisconnect as exc:
        raise BadRequestError("the client closed the connection before sending the whole blob") from exc
    return respond(request, BlobStored(sha256=sha256, size=size))


@router.head("/blobs/{sha256}", response_class=Response, responses=no_content(status=200, errors=(404,)))
def has_blob(*, store: StoreDep, sha256: str) -> Response:
    """200 when the blob is stored (the SDK then skips the upload), 404 else."""
    if not _SHA256_RE.match(sha256) or not store.blobs.has(sha256):
        raise NotFoundError(f"blob {sha256[:80]} is not stored")
    return Response(status_code=200)
