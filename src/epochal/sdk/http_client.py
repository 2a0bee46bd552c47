"""A small blocking HTTP/1.1 client (h11 over a socket) for the run's path to the server.

A training process that logs online should cost ~nothing in memory: httpx brings ssl,
httpcore, anyio, certifi and idna (+20 MB RSS), this brings h11 and ``socket`` (+4 MB);
``ssl`` loads only for an ``https://`` server. One keep-alive connection per client, used
by one thread. Every failure on the wire raises ``HttpTransportError``, an ``OSError``, so
callers retry it like any network error.
"""

from __future__ import annotations

import select
import socket
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, BinaryIO, TypeAlias, cast
from urllib.parse import quote, urlsplit

import h11

if TYPE_CHECKING:
    import ssl


class FileSpan:
    """``length`` bytes of an open file from ``offset``, as a request body sent with ``sendfile``.

    The bytes go from the page cache to the socket: a batch of megabytes is never read into
    the (training) process, and the span can be sent again on a fresh connection.
    """

    __slots__ = ("file", "length", "offset")

    def __init__(self, file: BinaryIO, offset: int, length: int) -> None:
        self.file = file
        self.offset = offset
        self.length = length

    def __len__(self) -> int:
        return self.length


Body: TypeAlias = bytes | FileSpan | Iterable[bytes]
"""A request body. Chunks from an iterable are streamed once and need a Content-Length header."""

_RECV = 1 << 16
_DEFAULT_PORTS = {"http": 80, "https": 443}


class HttpTransportError(OSError):
    """The request did not get a complete answer (refused, reset, timed out, malformed)."""


class Headers(Mapping[str, str]):
    """Response headers, looked up case-insensitively (repeated ones joined with ', ')."""

    def __init__(self, raw: Iterable[tuple[bytes, bytes]]) -> None:
        self._values: dict[str, str] = {}
        for name, value in raw:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            self._values[key] = f"{self._values[key]}, {text}" if key in self._values else text

    def __getitem__(self, name: str) -> str:
        return self._values[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)


class Response:
    def __init__(self, status_code: int, reason_phrase: str, headers: Headers, content: bytes) -> None:
        self.status_code = status_code
        self.reason_phrase = reason_phrase
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")


class _NoAnswerError(Exception):
    """The connection ended before any byte of a response: a stale keep-alive socket if it was reused."""


class HttpClient:
    """Requests to paths under ``base_url`` over one persistent connection."""

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str],
        timeout: float,
        connect_timeout: float,
        verify: bool = True,
    ) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self._host = parts.hostname or ""  # IPv6 literals come without their brackets
        try:
            self._port = parts.port or _DEFAULT_PORTS.get(parts.scheme, 0)
        except ValueError:  # a port that is not a number
            self._port = 0
        # A malformed URL fails each request like an unreachable server (as httpx did): the
        # run keeps logging locally and `epochal sync` can send it once the URL is fixed.
        self._usable = parts.scheme in _DEFAULT_PORTS and bool(self._host) and self._port > 0
        self._prefix = parts.path.rstrip("/")
        self._headers = [("Host", parts.netloc.rpartition("@")[2]), *headers.items()]
        self._timeout = timeout
        self._connect_timeout = connect_timeout
        self._tls: ssl.SSLContext | None = _tls_context(verify) if parts.scheme == "https" else None
        self._sock: socket.socket | None = None
        self._conn: h11.Connection | None = None

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def head(self, path: str) -> Response:
        return self.request("HEAD", path)

    def post(self, path: str, content: Body = b"", headers: Mapping[str, str] | None = None) -> Response:
        return self.request("POST", path, content, headers)

    def put(self, path: str, content: Body = b"", headers: Mapping[str, str] | None = None) -> Response:
        return self.request("PUT", path, content, headers)

    def request(
        self,
        method: str,
        path: str,
        content: Body = b"",
        headers: Mapping[str, str] | None = None,
    ) -> Response:
        """Send one request; chunks are streamed as given, and need a ``Content-Length`` header unless sized."""
        url = f"{self.base_url}{path}"
        target = quote(f"{self._prefix}{path}", safe="/%:@!$&'()*+,;=~?")
        fields = [*self._headers, *(headers or {}).items()]
        if isinstance(content, bytes | FileSpan):
            if content or method in ("POST", "PUT"):
                fields.append(("Content-Length", str(len(content))))
        elif not any(name.lower() == "content-length" for name, _ in fields):
            raise ValueError("a streamed body needs a Content-Length header")
        request = h11.Request(method=method, target=target, headers=fields)
        try:
            reused = self._sock is not None and not self._peer_closed()
            try:
                return self._exchange(request, content)
            except _NoAnswerError:
                # A kept-alive socket the server closed meanwhile; send once more on a fresh
                # one. Only when no byte of an answer came and the body can be sent again: a
                # repeated POST of frames is harmless, the server skips seqs it already holds.
                if not reused or not isinstance(content, bytes | FileSpan):
                    raise
                self.close()
                return self._exchange(request, content)
        except _NoAnswerError as exc:
            self.close()
            raise HttpTransportError(f"{method} {url}: the server closed the connection without answering") from exc
        except (OSError, h11.ProtocolError) as exc:  # h11's local errors too: a file that changed size mid-upload
            self.close()
            raise HttpTransportError(f"{method} {url}: {exc!r}") from exc
        except BaseException:  # e.g. KeyboardInterrupt mid-request: the connection is in an unknown state
            self.close()
            raise

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
        self._sock = None
        self._conn = None

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _exchange(self, request: h11.Request, content: Body) -> Response:
        sock, conn = self._connection()
        try:
            sock.sendall(conn.send(request))
            for chunk in [content] if isinstance(content, bytes | FileSpan) else content:
                if chunk:  # passthrough: h11 frames the chunk by its length, without copying or reading it
                    for piece in conn.send_with_data_passthrough(h11.Data(data=cast(bytes, chunk))) or ():
                        if isinstance(piece, FileSpan):
                            _send_span(sock, piece)
                        else:
                            sock.sendall(piece)
            sock.sendall(conn.send(h11.EndOfMessage()))
        except OSError as exc:
            # The server may answer early and stop reading (413 on Content-Length): read that answer.
            try:
                return self._receive(sock, conn)
            except (OSError, h11.ProtocolError):
                raise exc from None
        return self._receive(sock, conn)

    def _receive(self, sock: socket.socket, conn: h11.Connection) -> Response:
        head: h11.Response | None = None
        body: list[bytes] = []
        received = False
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                try:
                    data = sock.recv(_RECV)
                except ConnectionError as exc:
                    if not received:
                        raise _NoAnswerError() from exc
                    raise
                if not data and not received:
                    raise _NoAnswerError()
                received = True
                conn.receive_data(data)
            elif isinstance(event, h11.Response):
                head = event
            elif isinstance(event, h11.Data):
                body.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage):
                break
            elif isinstance(event, h11.ConnectionClosed):
                raise _NoAnswerError()
            # an InformationalResponse (100 Continue) needs nothing: the final answer follows
        if conn.our_state is h11.DONE and conn.their_state is h11.DONE:
            conn.start_next_cycle()
        else:  # the server said "Connection: close" (or we stopped early): the next request reconnects
            self.close()
        assert head is not None  # h11 yields the Response before the EndOfMessage
        return Response(head.status_code, head.reason.decode("latin-1"), Headers(head.headers), b"".join(body))

    def _connection(self) -> tuple[socket.socket, h11.Connection]:
        if self._sock is None or self._conn is None:
            if not self._usable:
                raise OSError("not an http:// or https:// URL with a host")
            sock = socket.create_connection((self._host, self._port), timeout=self._connect_timeout)
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                if self._tls is not None:
                    sock = self._tls.wrap_socket(sock, server_hostname=self._host)
                sock.settimeout(self._timeout)
            except BaseException:
                sock.close()
                raise
            self._sock, self._conn = sock, h11.Connection(h11.CLIENT)
        return self._sock, self._conn

    def _peer_closed(self) -> bool:
        """Whether the idle kept-alive socket is readable: the server closed it (or sent junk); drop it."""
        assert self._sock is not None
        if hasattr(select, "poll"):  # unlike select(), poll() takes any descriptor number
            poller = select.poll()
            poller.register(self._sock, select.POLLIN)
            readable = bool(poller.poll(0))
        else:
            readable = bool(select.select([self._sock], [], [], 0)[0])
        if readable:
            self.close()
        return readable


def _send_span(sock: socket.socket, span: FileSpan) -> None:
    if sock.sendfile(span.file, span.offset, span.length) != span.length:
        raise OSError(f"{getattr(span.file, 'name', 'the file')} ended before byte {span.offset + span.length}")


def _tls_context(verify: bool) -> ssl.SSLContext:
    import ssl

    context = ssl.create_default_context()
    if not verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context
