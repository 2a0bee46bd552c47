"""The run path's HTTP client (h11 on a socket) against the real server and tiny scripted socket servers."""

from __future__ import annotations

import os
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import LiveServer, free_port

import epochal
from epochal.sdk.http_client import FileSpan, HttpClient, HttpTransportError
from epochal.sdk.settings import Settings
from epochal.sdk.transport import RecordsRefusedError, RunTransport, get_viewer, make_client, transport_errors
from epochal.wire import limits

Handler = Callable[["ScriptedServer", socket.socket], None]
OK = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"


class ScriptedServer:
    """A loopback TCP server: ``handler(server, connection)`` serves each connection in its own thread."""

    def __init__(self, handler: Handler, family: socket.AddressFamily = socket.AF_INET) -> None:
        self.handler = handler
        self.connections = 0
        self.bodies: list[bytes] = []
        self._listener = socket.socket(family, socket.SOCK_STREAM)
        self._listener.bind(("::1" if family == socket.AF_INET6 else "127.0.0.1", 0))
        self._listener.listen()
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            self.handler(self, conn)

    def read_request(self, conn: socket.socket) -> str | None:
        """Read one request (head and Content-Length body) into ``bodies``; its method, None at the end."""
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(65536)
            if not chunk:
                return None
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        fields = dict(line.split(b": ", 1) for line in head.lower().split(b"\r\n")[1:])
        while len(body) < int(fields.get(b"content-length", b"0")):
            chunk = conn.recv(65536)
            if not chunk:  # the client gave up mid-body
                return None
            body += chunk
        self.bodies.append(body)
        return head.split(b" ", 1)[0].decode()

    def answer_ok(self, conn: socket.socket) -> None:
        """Answer every request of the connection with a 200 "ok"."""
        while method := self.read_request(conn):
            conn.sendall(OK if method != "HEAD" else OK.removesuffix(b"ok"))

    def close(self) -> None:
        self._listener.close()


@pytest.fixture
def scripted() -> Iterator[Callable[[Handler], ScriptedServer]]:
    servers: list[ScriptedServer] = []

    def start(handler: Handler) -> ScriptedServer:
        servers.append(ScriptedServer(handler))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def client_for(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> HttpClient:
    return HttpClient(f"http://{host}:{port}/api/v1", headers={"User-Agent": "t"}, timeout=timeout, connect_timeout=2.0)


def test_requests_share_one_kept_alive_connection(scripted: Callable[[Handler], ScriptedServer]) -> None:
    server = scripted(ScriptedServer.answer_ok)
    with client_for(server.port) as client:
        answers = [client.get("/a"), client.post("/b", b"frames"), client.head("/c"), client.get("/d")]
    assert [(a.status_code, a.reason_phrase) for a in answers] == [(200, "OK")] * 4
    assert answers[0].text == "ok" and answers[0].headers["CONTENT-TYPE"] == "text/plain"
    assert answers[2].content == b""  # HEAD: the Content-Length announces a body that never comes
    assert server.connections == 1 and server.bodies[1] == b"frames"


def test_a_connection_the_server_closed_is_reopened_without_losing_a_request(
    scripted: Callable[[Handler], ScriptedServer],
) -> None:
    def answer_one(server: ScriptedServer, conn: socket.socket) -> None:  # no "Connection: close" said
        if server.read_request(conn):
            conn.sendall(OK)

    def answer_one_then_drop_the_next(server: ScriptedServer, conn: socket.socket) -> None:
        answer_one(server, conn)
        server.read_request(conn)  # a keep-alive timeout racing the next request: closed unanswered

    for handler, bodies_received in ((answer_one, [0, 1, 2]), (answer_one_then_drop_the_next, [0, 1, 1, 2, 2])):
        server = scripted(handler)
        with client_for(server.port) as client:
            statuses = [client.post("/streams/s", f"batch {i}".encode()).status_code for i in range(3)]
        assert statuses == [200] * 3 and server.connections == 3
        assert server.bodies == [f"batch {i}".encode() for i in bodies_received]


def test_a_truncated_answer_is_a_transport_error_naming_the_url(scripted: Callable[[Handler], ScriptedServer]) -> None:
    def truncate(server: ScriptedServer, conn: socket.socket) -> None:
        if server.read_request(conn):
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b")

    server = scripted(truncate)
    with client_for(server.port) as client, pytest.raises(HttpTransportError) as caught:
        client.get("/viewer")
    assert isinstance(caught.value, OSError) and caught.type in transport_errors()
    assert f"http://127.0.0.1:{server.port}/api/v1/viewer" in str(caught.value)


def test_garbage_silence_refusal_and_a_bad_url_are_transport_errors(
    scripted: Callable[[Handler], ScriptedServer],
) -> None:
    def garbage(server: ScriptedServer, conn: socket.socket) -> None:
        if server.read_request(conn):
            conn.sendall(b"SSH-2.0-OpenSSH\r\n\r\n")

    def silent(server: ScriptedServer, conn: socket.socket) -> None:
        server.read_request(conn)
        conn.recv(1)  # holds the connection open until the client gives up

    server = scripted(garbage)
    server_silent = scripted(silent)
    for port, timeout in ((server.port, 10.0), (server_silent.port, 0.2), (free_port(), 10.0)):
        with client_for(port, timeout=timeout) as client, pytest.raises(HttpTransportError, match=str(port)):
            client.get("/health")
    malformed = HttpClient("localhost:8765/api/v1", headers={}, timeout=1.0, connect_timeout=1.0)
    with malformed, pytest.raises(HttpTransportError, match="not an http"):  # a run logs on, unsent
        malformed.get("/viewer")


def test_a_file_streams_in_chunks_with_its_content_length(
    scripted: Callable[[Handler], ScriptedServer], tmp_path: Path
) -> None:
    server = scripted(ScriptedServer.answer_ok)
    data = os.urandom(3 * (1 << 20) + 17)
    chunks = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    with client_for(server.port) as client:
        answer = client.put("/blobs/x", iter(chunks), headers={"Content-Length": str(len(data))})
        with pytest.raises(ValueError, match="Content-Length"):
            client.put("/blobs/y", iter(chunks))
    assert answer.status_code == 200 and server.bodies == [data]


def test_a_file_span_sends_exactly_its_bytes_again_on_a_fresh_connection_and_fails_when_the_file_is_short(
    scripted: Callable[[Handler], ScriptedServer], tmp_path: Path
) -> None:
    def answer_one_then_drop_the_next(server: ScriptedServer, conn: socket.socket) -> None:
        if server.read_request(conn):
            conn.sendall(OK)
        server.read_request(conn)  # the kept-alive connection dies with the next request unanswered

    log = tmp_path / "run.epochal"
    data = os.urandom(5 * (1 << 20))
    log.write_bytes(data)
    server = scripted(answer_one_then_drop_the_next)
    with log.open("rb", buffering=0) as file, client_for(server.port) as client:
        first = client.post("/streams/s", FileSpan(file, 17, 3 << 20))
        second = client.post("/streams/s", FileSpan(file, (3 << 20) + 17, 1000))  # sent twice: dropped, resent
        with pytest.raises(HttpTransportError, match="ended before byte"):
            client.post("/streams/s", FileSpan(file, len(data) - 10, 20))
    assert first.status_code == second.status_code == 200
    assert server.bodies[:3] == [data[17 : (3 << 20) + 17], *[data[(3 << 20) + 17 : (3 << 20) + 1017]] * 2]


def test_ipv6_literal_hosts(scripted: Callable[[Handler], ScriptedServer]) -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6 here")

    try:
        server = ScriptedServer(ScriptedServer.answer_ok, socket.AF_INET6)
    except OSError as exc:
        pytest.skip(f"no IPv6 loopback here: {exc}")
    try:
        with client_for(server.port, host="[::1]") as client:
            assert client.get("/health").text == "ok"
    finally:
        server.close()


def test_https_verifies_the_certificate_unless_told_not_to(
    scripted: Callable[[Handler], ScriptedServer], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)

    def serve_tls(server: ScriptedServer, conn: socket.socket) -> None:
        try:
            with tls.wrap_socket(conn, server_side=True) as wrapped:
                server.answer_ok(wrapped)
        except OSError:
            pass  # the client refused our certificate

    server = scripted(serve_tls)

    def get(verify: bool) -> str:
        url = f"https://localhost:{server.port}/api/v1"
        with HttpClient(url, headers={}, timeout=10.0, connect_timeout=2.0, verify=verify) as client:
            return client.get("/health").text

    with pytest.raises(HttpTransportError, match="CERTIFICATE_VERIFY_FAILED"):
        get(verify=True)
    assert get(verify=False) == "ok"
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # a private CA, trusted the way OpenSSL is told to
    assert get(verify=True) == "ok"


def test_the_run_path_against_the_server(live_server: LiveServer, tmp_path: Path) -> None:
    settings = Settings(base_url=live_server.url)
    with make_client(settings) as client:
        assert get_viewer(client).entity
        transport = RunTransport(client, "local", "proj", "nope")
        assert transport.get_run() is None
        assert not transport.has_blob("0" * 64)
        with pytest.raises(RecordsRefusedError) as refused:  # refused by its declared length, body unread
            transport.post_frames("s", b"\x00" * (limits.MAX_BATCH_BYTES + 1))
        assert refused.value.status == 413 and refused.value.code == "too_large"
        assert get_viewer(client).entity  # the connection the server closed after its 413 is reopened


def test_an_online_run_never_imports_httpx(sdk_env: Path, live_server: LiveServer) -> None:
    script = textwrap.dedent("""
        import sys
        import epochal
        run = epochal.init(project="lean", config={"lr": 0.5})
        for step in range(100):
            run.log({"loss": 1.0 / (step + 1)})
        run.finish()
        print(f"{run.entity}/lean/{run.id}", "httpx" in sys.modules, "ssl" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120)
    run_path, httpx_loaded, ssl_loaded = done.stdout.split()
    assert (httpx_loaded, ssl_loaded) == ("False", "False")
    stored = epochal.Api(base_url=live_server.url).run(run_path)
    assert stored.state == "finished" and stored.config["lr"] == 0.5
    assert [row["loss"] for row in stored.scan_history()] == [1.0 / (step + 1) for step in range(100)]
