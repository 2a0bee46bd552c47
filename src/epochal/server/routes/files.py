"""A run's saved files and the blobs (images) its history references."""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from fastapi import APIRouter, Request
from starlette.responses import Response, StreamingResponse

from epochal.server.auth.downloads import download_media_type
from epochal.server.context import Context, StoreDep
from epochal.server.encoding import respond
from epochal.server.errors import NotFoundError
from epochal.server.openapi import raw_response, responses
from epochal.store.base import Store, iter_blob
from epochal.wire.api import FileInfo

router = APIRouter(prefix="/api/v1/projects/{entity}/{project}/runs/{run_id}", tags=["files"])

# Stored bytes are the users' own; never let a browser run them as a page of this origin.
_DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'"}

_IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@router.get("/files", responses=responses(list[FileInfo], errors=(404,)))
def list_files(
    *, request: Request, store: StoreDep, context: Context, entity: str, project: str, run_id: str
) -> Response:
    ref = context.run_ref(entity, project, run_id)
    store.get_run(ref)
    return respond(request, store.list_files(ref))


@router.get(
    "/files/{path:path}",
    response_class=Response,
    responses=raw_response("application/octet-stream", errors=(404,)),
)
def download_file(*, store: StoreDep, context: Context, entity: str, project: str, run_id: str, path: str) -> Response:
    info = store.get_file(context.run_ref(entity, project, run_id), path)
    media_type = download_media_type(path)
    name = path.rsplit("/", 1)[-1]
    headers = {**_DOWNLOAD_HEADERS, "Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"}
    return _stream(store, info.sha256, media_type, info.size, headers)


@router.get(
    "/blobs/{sha256}",
    response_class=Response,
    responses=raw_response("application/octet-stream", errors=(404,)),
)
def download_blob(
    *, store: StoreDep, context: Context, entity: str, project: str, run_id: str, sha256: str
) -> Response:
    """Only blobs the run references (its files and media), so a hash alone reveals nothing."""
    if not store.run_references_blob(context.run_ref(entity, project, run_id), sha256):
        raise NotFoundError(f"run {run_id} has no blob {sha256[:80]}")
    with store.blobs.open(sha256) as stream:
        head = stream.read(8)
    media_type = next((kind for magic, kind in _IMAGE_SIGNATURES if head.startswith(magic)), "application/octet-stream")
    return _stream(store, sha256, media_type, store.blobs.size(sha256), dict(_DOWNLOAD_HEADERS))


def _stream(store: Store, sha256: str, media_type: str, size: int, headers: dict[str, str]) -> Response:
    stream = store.blobs.open(sha256)
    headers["Content-Length"] = str(size)
    return StreamingResponse(_chunks(stream), media_type=media_type, headers=headers)


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        yield from iter_blob(stream)
    finally:
        stream.close()
