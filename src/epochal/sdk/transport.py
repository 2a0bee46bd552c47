"""The SDK's HTTP calls to the ingest side of ``docs/api.md``.

A run's calls (init's lookups, the shipper, sync) go through ``http_client.HttpClient``
(h11 on a socket) so a training process never loads httpx (+20 MB); ``epochal.Api``
reads through httpx (``make_api_client``), imported on first use.

Errors come back as ``CommError`` (``status`` set when the server answered) or
``AuthenticationError``; a 409 on a stream becomes ``StreamConflictError`` carrying the
server's ``acked_seq``. Retrying is the shipper's business, not this module's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import msgspec

from epochal.sdk.errors import AuthenticationError, CommError
from epochal.sdk.http_client import Body, HttpClient, HttpTransportError
from epochal.sdk.settings import Settings
from epochal.wire.api import IngestAck, RunInfo, Viewer

if TYPE_CHECKING:
    import httpx

FRAMES_CONTENT_TYPE = "application/x-epochal-frames"
MSGPACK = "application/msgpack"
_CHUNK = 1 << 20


REFUSED_CONTENT_CODES = frozenset({"invalid_record", "too_large", "bad_record"})
"""Error codes saying a batch's *content* breaks a rule: sending the same bytes again cannot succeed."""


class StreamConflictError(CommError):
    """The server's stream is at ``acked_seq``, not where the batch assumed."""

    def __init__(self, message: str, *, acked_seq: int) -> None:
        super().__init__(message, status=409)
        self.acked_seq = acked_seq


class RecordsRefusedError(CommError):
    """The server refused a batch for what it holds (413/422 with a code of ``REFUSED_CONTENT_CODES``)."""

    def __init__(self, message: str, *, status: int, code: str) -> None:
        super().__init__(message, status=status)
        self.code = code


class Response(Protocol):
    """What the error and decode helpers read: ``http_client.Response`` or ``httpx.Response``."""

    @property
    def status_code(self) -> int: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def content(self) -> bytes: ...
    @property
    def text(self) -> str: ...
    @property
    def reason_phrase(self) -> str: ...


class Getter(Protocol):
    def get(self, url: str) -> Response: ...


def make_client(settings: Settings, timeout: float | None = None) -> HttpClient:
    """The run path's client (init, shipper, sync): h11 on a socket, ssl only for https."""
    seconds = timeout if timeout is not None else settings.request_timeout
    return HttpClient(
        _api_url(settings), headers=_headers(settings), timeout=seconds, connect_timeout=min(2.0, seconds)
    )


def make_api_client(settings: Settings) -> httpx.Client:
    """``epochal.Api``'s client: httpx, for query parameters and streamed downloads."""
    import httpx

    return httpx.Client(
        base_url=_api_url(settings),
        headers=_headers(settings),
        # plain http never uses TLS: skip loading the CA bundle (slow, and a broken one must not matter)
        verify=settings.base_url.startswith("https:"),
        timeout=httpx.Timeout(settings.request_timeout, connect=2.0),
    )


def _api_url(settings: Settings) -> str:
    return f"{settings.base_url.rstrip('/')}/api/v1"


def _headers(settings: Settings) -> dict[str, str]:
    headers = {"User-Agent": "epochal-sdk", "Accept": MSGPACK}
    if settings.api_key:
        headers["Authorization"] = f"Bearer {settings.api_key}"
    return headers


def raise_for_status(response: Response, what: str) -> None:
    """Turn an error answer into CommError/AuthenticationError with the server's message."""
    if response.status_code < 400:
        return
    message = _error_message(response)
    if response.status_code in (401, 403):
        raise AuthenticationError(
            f"{what}: the server refused the API key ({message}); run 'epochal login'", status=response.status_code
        )
    raise CommError(f"{what}: HTTP {response.status_code}: {message}", status=response.status_code)


def _error_body(response: Response) -> dict[str, Any]:
    """The decoded error body (JSON or msgpack), empty when it is neither."""
    try:
        if "json" in response.headers.get("content-type", ""):
            body = msgspec.json.decode(response.content)
        else:
            body = msgspec.msgpack.decode(response.content)
    except msgspec.DecodeError:
        return {}
    return body if isinstance(body, dict) else {}


def _error_code(response: Response) -> str | None:
    error = _error_body(response).get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code if isinstance(code, str) else None


def _error_message(response: Response) -> str:
    error = _error_body(response).get("error")
    if isinstance(error, dict) and (error.get("message") or error.get("code")):
        return str(error.get("message") or error.get("code"))
    return response.text[:200] or response.reason_phrase


def transport_errors() -> tuple[type[Exception], ...]:
    """What the run path's client raises when the server cannot be reached (all ``OSError``)."""
    return (HttpTransportError,)


def api_transport_errors() -> tuple[type[Exception], ...]:
    import httpx

    return (httpx.TransportError,)


def decode(response: Response, kind: type[Any]) -> Any:
    content_type = response.headers.get("content-type", "")
    if "msgpack" in content_type:
        return msgspec.msgpack.decode(response.content, type=kind)
    return msgspec.json.decode(response.content, type=kind, strict=False)


class RunTransport:
    """The calls one run makes: its stream, heartbeats, blobs, and the run itself."""

    def __init__(self, client: HttpClient, entity: str, project: str, run_id: str) -> None:
        self.client = client
        self.run_path = f"/projects/{entity}/{project}/runs/{run_id}"

    def post_frames(self, stream_id: str, body: Body) -> int:
        """Send a run of frames (bytes, or a span of the log sent with sendfile); return the acknowledged seq."""
        response = self.client.post(
            f"{self.run_path}/streams/{stream_id}", content=body, headers={"Content-Type": FRAMES_CONTENT_TYPE}
        )
        if response.status_code == 409:
            acked = _acked_seq_of(response)
            if acked is not None:
                raise StreamConflictError(f"stream {stream_id} is at seq {acked}", acked_seq=acked)
        if response.status_code in (400, 413, 422):
            code = _error_code(response)
            if code in REFUSED_CONTENT_CODES:
                message = f"sending records: HTTP {response.status_code}: {_error_message(response)}"
                raise RecordsRefusedError(message, status=response.status_code, code=code)
        raise_for_status(response, "sending records")
        ack: IngestAck = decode(response, IngestAck)
        return ack.acked_seq

    def stream_ack(self, stream_id: str) -> int:
        response = self.client.get(f"{self.run_path}/streams/{stream_id}")
        raise_for_status(response, "reading the stream's position")
        ack: IngestAck = decode(response, IngestAck)
        return ack.acked_seq

    def heartbeat(self) -> None:
        raise_for_status(self.client.post(f"{self.run_path}/heartbeat"), "heartbeat")

    def has_blob(self, sha256: str) -> bool:
        response = self.client.head(f"{self.run_path}/blobs/{sha256}")
        if response.status_code == 404:
            return False
        raise_for_status(response, f"checking blob {sha256[:12]}")
        return True

    def put_blob(self, sha256: str, path: Path) -> None:
        def chunks() -> Iterator[bytes]:
            with path.open("rb") as source:
                while chunk := source.read(_CHUNK):
                    yield chunk

        response = self.client.put(
            f"{self.run_path}/blobs/{sha256}",
            content=chunks(),
            headers={"Content-Type": "application/octet-stream", "Content-Length": str(path.stat().st_size)},
        )
        raise_for_status(response, f"uploading {path.name}")

    def get_run(self) -> RunInfo | None:
        response = self.client.get(self.run_path)
        if response.status_code == 404:
            return None
        raise_for_status(response, "reading the run")
        run: RunInfo = decode(response, RunInfo)
        return run


def get_viewer(client: Getter) -> Viewer:
    response = client.get("/viewer")
    raise_for_status(response, "asking the server who we are")
    viewer: Viewer = decode(response, Viewer)
    return viewer


def _acked_seq_of(response: Response) -> int | None:
    value = _error_body(response).get("acked_seq")
    return value if isinstance(value, int) else None
