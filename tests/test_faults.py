"""Faults, each with its expected result, mostly over real sockets to real WSGI servers.

What is promised (docs/wsgi.md, "When the application raises"; CORSMiddleware's docstring):

- an exception from the application propagates unchanged; the server's own 500 then carries
  no CORS headers, and an error-handling middleware *inside* CORSMiddleware gets them;
- a replacement response given through ``start_response(..., exc_info)`` gets the CORS
  headers; once headers are out, ``exc_info`` re-raises (PEP 3333) and the exception
  propagates;
- the body is never wrapped: when the client goes away the server still calls ``close()``;
- hostile header values (huge, repeated, folded, non-ASCII, invalid bytes) never reach a
  response header and never break the server: the answer is a refusal, or the server's own
  4xx before the application runs.

The servers are wsgiref (the standard library's) and waitress, on 127.0.0.1, each in a
thread; requests are written byte by byte on a raw socket so that malformed ones go out
exactly as written.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from cors_wsgi import CORSMiddleware
from tests.waitress_thread import WaitressThread

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

APP_ORIGIN = "https://app.example.com"
OTHER_ORIGIN = "https://other.example.com"
POLICY: dict[str, Any] = {
    "allow_origins": [APP_ORIGIN, OTHER_ORIGIN],
    "allow_methods": ["GET", "PUT"],
    "allow_headers": ["content-type", "x-token"],
    "allow_credentials": True,
}
Headers = list[tuple[str, str]]
CHUNK = b"x" * 65536


class Reply:
    """One HTTP response as read off the socket."""

    def __init__(self, raw: bytes) -> None:
        head, _, self.body = raw.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        self.status = int(lines[0].split()[1]) if lines[0].startswith("HTTP/") else 0
        self.headers = [
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:])
        ]

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    @property
    def cors(self) -> Headers:
        return [(n, v) for n, v in self.headers if n.lower().startswith("access-control-")]


def exchange(address: tuple[str, int], request: bytes, timeout: float = 10) -> Reply:
    """Send ``request`` as is and read until the server closes the connection."""
    with socket.create_connection(address, timeout=timeout) as client:
        # A server may refuse before reading it all; its answer may still be there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            client.sendall(request)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                data = client.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return Reply(b"".join(chunks))


def request_bytes(method: str = "GET", path: str = "/", *headers: bytes | str) -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [h.encode("latin-1") if isinstance(h, str) else h for h in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n"


# ---- the servers ------------------------------------------------------------------------


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Served(Protocol):
    address: tuple[str, int]
    name: str


class Running:
    def __init__(self, name: str, address: tuple[str, int], stop: Callable[[], None]) -> None:
        self.name = name
        self.address = address
        self.stop = stop


def serve(name: str, app: WSGIApplication) -> Running:
    if name == "wsgiref":
        server: WSGIServer = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()

        def stop_wsgiref() -> None:
            server.shutdown()
            server.server_close()
            thread.join(5)

        return Running(name, ("127.0.0.1", server.server_port), stop_wsgiref)
    waitress = WaitressThread(app)
    return Running(name, waitress.address, waitress.stop)


SERVERS = ["wsgiref", "waitress"]


@pytest.fixture
def start() -> Iterator[Callable[[str, WSGIApplication], Running]]:
    running: list[Running] = []

    def starter(name: str, app: WSGIApplication) -> Running:
        server = serve(name, app)
        running.append(server)
        return server

    yield starter
    for server in running:
        server.stop()


def hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


# ---- the application raises ---------------------------------------------------------------


def raises_before_start(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
    if environ.get("PATH_INFO") == "/ok":
        return hello(environ, start_response)
    raise LookupError("raised before start_response")


def raises_after_start(environ: WSGIEnvironment, start_response: StartResponse) -> Any:
    start_response("200 OK", [("Content-Type", "text/plain")])
    raise LookupError("raised after start_response, before any body")


@pytest.mark.parametrize("server_name", SERVERS)
@pytest.mark.parametrize("app", [raises_before_start, raises_after_start])
def test_app_raising_gets_the_servers_500_without_cors(
    start: Callable[[str, WSGIApplication], Running],
    server_name: str,
    app: WSGIApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Expected: the exception propagates unchanged (nothing swallowed), the server answers
    # its own 500, which carries no CORS headers (docs/wsgi.md), and the server keeps serving.
    server = start(server_name, CORSMiddleware(app, **POLICY))
    reply = exchange(server.address, request_bytes("GET", "/boom", f"Origin: {APP_ORIGIN}"))
    assert reply.status == 500
    assert reply.cors == []
    if app is raises_before_start:
        after = exchange(server.address, request_bytes("GET", "/ok", f"Origin: {APP_ORIGIN}"))
        assert after.status == 200 and after.all("Access-Control-Allow-Origin") == [APP_ORIGIN]


def test_app_raising_inside_an_error_middleware_gets_a_500_with_cors(
    start: Callable[[str, WSGIApplication], Running],
) -> None:
    # Expected: the recipe of docs/wsgi.md, an error-handling middleware inside CORSMiddleware,
    # turns the exception into a 500 that the page can read (R29).
    def error_pages(app: WSGIApplication) -> WSGIApplication:
        def handled(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            try:
                return list(app(environ, start_response))
            except LookupError:
                start_response(
                    "500 Internal Server Error",
                    [("Content-Type", "text/plain")],
                    sys.exc_info(),
                )
                return [b"sorry"]

        return handled

    server = start("wsgiref", CORSMiddleware(error_pages(raises_after_start), **POLICY))
    reply = exchange(server.address, request_bytes("GET", "/", f"Origin: {APP_ORIGIN}"))
    assert reply.status == 500 and reply.body == b"sorry"
    assert reply.all("Access-Control-Allow-Origin") == [APP_ORIGIN]
    assert reply.all("Vary") == ["Origin"]


class Body:
    """A body that counts the chunks it gives, may raise midway, and records close()."""

    def __init__(self, chunks: int, raise_after: int | None = None) -> None:
        self.chunks = chunks
        self.raise_after = raise_after
        self.given = 0
        self.closed = threading.Event()

    def __iter__(self) -> Iterator[bytes]:
        for _ in range(self.chunks):
            if self.raise_after is not None and self.given >= self.raise_after:
                raise OSError("the body failed midway")
            self.given += 1
            yield CHUNK

    def close(self) -> None:
        self.closed.set()


@pytest.mark.parametrize("server_name", SERVERS)
def test_body_raising_midway_ends_the_response_after_cors_headers_and_is_closed(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: the headers, CORS included, are already out; the server cuts the body
    # short (fewer bytes than promised, or no final chunk) and still calls close().
    body = Body(chunks=4, raise_after=2)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Body:
        start_response(
            "200 OK",
            [("Content-Type", "text/plain"), ("Content-Length", str(4 * len(CHUNK)))],
        )
        return body

    server = start(server_name, CORSMiddleware(app, **POLICY))
    reply = exchange(server.address, request_bytes("GET", "/", f"Origin: {APP_ORIGIN}"))
    assert reply.status == 200
    assert reply.all("Access-Control-Allow-Origin") == [APP_ORIGIN]
    assert len(reply.body) < 4 * len(CHUNK)
    assert body.closed.wait(5)


# ---- the client goes away -----------------------------------------------------------------


@pytest.mark.parametrize("server_name", SERVERS)
def test_client_going_away_abandons_the_body_and_close_is_still_called(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: the server stops iterating when the socket is gone and calls close() on
    # exactly the iterable the application returned (the middleware never wraps it).
    chunks = 16384  # 1 GiB if it were all sent: it must not be
    body = Body(chunks)
    returned: list[object] = []

    def streaming(environ: WSGIEnvironment, start_response: StartResponse) -> Body:
        start_response("200 OK", [("Content-Type", "application/octet-stream")])
        return body

    middleware = CORSMiddleware(streaming, **POLICY)

    def recording(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        result = middleware(environ, start_response)
        returned.append(result)
        return result

    server = start(server_name, recording)
    client = socket.create_connection(server.address, timeout=10)
    client.sendall(request_bytes("GET", "/download", f"Origin: {APP_ORIGIN}"))
    head = b""
    while b"\r\n\r\n" not in head:
        head += client.recv(4096)
    assert b"Access-Control-Allow-Origin: " + APP_ORIGIN.encode() in head
    # Reset rather than a polite FIN, like a closed browser tab under load.
    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    client.close()
    assert body.closed.wait(10), "close() was never called"
    assert body.given < chunks
    assert returned == [body]


# ---- start_response with exc_info --------------------------------------------------------


@pytest.mark.parametrize("server_name", SERVERS)
def test_exc_info_before_headers_are_out_replaces_the_response_with_cors(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: the replacement (500) goes out, with our headers added to it (R29).
    def replaces(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Vary", "Cookie")])
        try:
            raise ValueError("found out before the body")
        except ValueError:
            start_response(
                "500 Internal Server Error",
                [("Content-Type", "text/plain"), ("Content-Length", "5")],
                sys.exc_info(),
            )
        return [b"error"]

    server = start(server_name, CORSMiddleware(replaces, **POLICY))
    reply = exchange(server.address, request_bytes("GET", "/", f"Origin: {OTHER_ORIGIN}"))
    assert reply.status == 500 and reply.body == b"error"
    assert reply.all("Access-Control-Allow-Origin") == [OTHER_ORIGIN]
    assert reply.all("Access-Control-Allow-Credentials") == ["true"]
    assert reply.all("Vary") == ["Origin"]  # the first response's Vary is gone with it


@pytest.mark.parametrize("server_name", SERVERS)
def test_exc_info_after_headers_are_out_reraises_through_the_middleware(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected (PEP 3333): once headers are sent, start_response re-raises exc_info; the
    # middleware passes exc_info on, so the exception reaches the server, which cuts the
    # response short. The client has the first response's headers, CORS included.
    reraised: list[BaseException] = []

    def too_late(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "999")])
        yield b"partial"
        try:
            raise ValueError("found out during the body")
        except ValueError as error:
            try:
                start_response("500 Internal Server Error", [], sys.exc_info())
            except ValueError as again:
                reraised.append(again)
                raise
            pytest.fail(f"start_response did not re-raise {error!r}")

    server = start(server_name, CORSMiddleware(too_late, **POLICY))
    reply = exchange(server.address, request_bytes("GET", "/", f"Origin: {APP_ORIGIN}"))
    assert reply.status == 200 and reply.body.startswith(b"partial")
    assert len(reply.body) < 999
    assert reply.all("Access-Control-Allow-Origin") == [APP_ORIGIN]
    assert len(reraised) == 1 and str(reraised[0]) == "found out during the body"


# ---- huge, repeated and malformed headers ------------------------------------------------


def preflight(*extra: bytes | str, origin: str = APP_ORIGIN) -> bytes:
    return request_bytes(
        "OPTIONS", "/", f"Origin: {origin}", "Access-Control-Request-Method: PUT", *extra
    )


@pytest.mark.parametrize("server_name", SERVERS)
def test_huge_origin_is_refused_quickly(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: 60 KB of Origin (under both servers' line limits) is refused like any
    # unknown origin, the app answers, and nothing is reflected (V6, V19).
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    huge = APP_ORIGIN + "." + "a" * 60_000
    started = time.monotonic()
    reply = exchange(server.address, request_bytes("GET", "/", f"Origin: {huge}"))
    assert reply.status == 200 and reply.body == b"hello"
    assert reply.cors == [] and reply.all("Vary") == ["Origin"]
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("server_name", SERVERS)
def test_a_long_run_of_commas_in_acrh_is_refused(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected (V18): 60 KB of commas is a 403 without CORS headers; a megabyte is refused
    # by the server itself (its header limit) before the application or the middleware.
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    reply = exchange(server.address, preflight("Access-Control-Request-Headers: " + "," * 60_000))
    assert reply.status == 403 and reply.cors == []
    huge = exchange(server.address, preflight("Access-Control-Request-Headers: " + "," * 2**20))
    assert huge.status in (0, 400, 413, 431) and huge.cors == []


@pytest.mark.parametrize("server_name", SERVERS)
@pytest.mark.parametrize(
    "origins",
    [(APP_ORIGIN, APP_ORIGIN), (APP_ORIGIN, OTHER_ORIGIN), ("https://evil.example", APP_ORIGIN)],
    ids=["same twice", "two allowed", "evil then allowed"],
)
def test_repeated_origin_lines_are_refused(
    start: Callable[[str, WSGIApplication], Running],
    server_name: str,
    origins: tuple[str, str],
) -> None:
    # Expected (R41): servers join repeated lines with a comma; no browser sends that, so
    # it is refused: the app answers, nothing is reflected, the response varies on Origin.
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    reply = exchange(
        server.address,
        request_bytes("GET", "/", *(f"Origin: {origin}" for origin in origins)),
    )
    assert reply.status == 200 and reply.cors == []
    assert reply.all("Vary") == ["Origin"]
    refused_preflight = exchange(
        server.address,
        request_bytes(
            "OPTIONS",
            "/",
            *(f"Origin: {origin}" for origin in origins),
            "Access-Control-Request-Method: PUT",
        ),
    )
    assert refused_preflight.status == 403 and refused_preflight.cors == []


@pytest.mark.parametrize("server_name", SERVERS)
def test_repeated_acrh_lines_are_joined_and_allowed(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected (R13): an intermediary may split the list over several lines.
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    reply = exchange(
        server.address,
        preflight(
            "Access-Control-Request-Headers: content-type",
            "Access-Control-Request-Headers: X-Token",
        ),
    )
    assert reply.status == 204
    assert reply.all("Access-Control-Allow-Origin") == [APP_ORIGIN]


@pytest.mark.parametrize("server_name", SERVERS)
def test_many_header_lines_never_break_the_server(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: wsgiref refuses more than 100 header lines itself (431); waitress passes
    # them on, joined, and the preflight is refused as malformed or too long (V18).
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    lines = [f"Access-Control-Request-Headers: x-{i}" for i in range(300)]
    reply = exchange(server.address, preflight(*lines))
    assert reply.status in (403, 431) and reply.cors == []
    assert exchange(server.address, preflight()).status == 204  # still serving


MALFORMED = [
    pytest.param(b"Origin: https://evil.example\r\n https://app.example.com", id="obs-fold"),
    pytest.param(b"Origin: https://app.example.com\x00", id="nul"),
    pytest.param(b"Origin: https://app.example.com\x7f", id="del"),
    pytest.param(b"Origin:", id="empty"),
    pytest.param(b"Origin: https://app.example.com/", id="trailing slash"),
    pytest.param(b"Origin: https://app.example.com\xe9", id="latin-1 byte"),
    pytest.param(b"Origin: https://app.ex\xc3\xa4mple.com", id="utf-8"),
    pytest.param(b"Origin: https://app.example.com\xc3\x28", id="invalid utf-8"),
    pytest.param(b"Origin: https://app.example.com\xff\xfe", id="invalid bytes"),
    pytest.param(b"Origin: https://\xe2\x80\x8bapp.example.com", id="zero-width space"),
]


@pytest.mark.parametrize("server_name", SERVERS)
@pytest.mark.parametrize("origin_line", MALFORMED)
def test_malformed_and_non_ascii_origins_are_never_reflected(
    start: Callable[[str, WSGIApplication], Running], server_name: str, origin_line: bytes
) -> None:
    # Expected (V9, V14, R42): either the server refuses the request itself (400), or the
    # middleware refuses the origin: no CORS headers on the actual request, 403 on the
    # preflight; never a reflected byte; and the server keeps serving.
    asked: list[str] = []

    def tenant_table(origin: str) -> bool:
        asked.append(origin)
        return True

    server = start(
        server_name,
        CORSMiddleware(hello, **{**POLICY, "allow_origin_func": tenant_table}),
    )
    actual = exchange(server.address, request_bytes("GET", "/", origin_line))
    assert actual.status in (200, 400) and actual.cors == []
    if actual.status == 200:
        assert actual.all("Vary") == ["Origin"]
    answer = exchange(
        server.address,
        request_bytes("OPTIONS", "/", origin_line, "Access-Control-Request-Method: PUT"),
    )
    assert answer.status in (400, 403) and answer.cors == []
    assert all(origin.isascii() and origin.isprintable() for origin in asked)
    assert exchange(server.address, preflight()).status == 204


@pytest.mark.parametrize("server_name", SERVERS)
def test_a_bare_cr_in_origin_never_injects_a_header(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected (V14): waitress refuses a bare CR (400); wsgiref's parser ends the line at it,
    # so the Origin it hands over is exactly the allowed origin and the rest becomes another
    # request header. Either way nothing after the CR reaches the response, and what is
    # sent back is the configured string.
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    line = b"Origin: https://app.example.com\rX-Injected: 1"
    reply = exchange(server.address, request_bytes("GET", "/", line))
    assert reply.status in (200, 400)
    assert not any("injected" in f"{n}{v}".lower() for n, v in reply.headers)
    assert reply.all("Access-Control-Allow-Origin") in ([], [APP_ORIGIN])


@pytest.mark.parametrize("server_name", SERVERS)
def test_a_space_before_the_colon_is_not_an_origin_header(
    start: Callable[[str, WSGIApplication], Running], server_name: str
) -> None:
    # Expected: "Origin :" is invalid HTTP (RFC 9112 5.1). waitress refuses it (400);
    # wsgiref hands it over under another name (HTTP_ORIGIN_ with a space), so the request
    # is not CORS at all (R1, R4): the app answers the OPTIONS, without CORS headers.
    server = start(server_name, CORSMiddleware(hello, **POLICY))
    line = b"Origin : https://app.example.com"
    answer = exchange(
        server.address, request_bytes("OPTIONS", "/", line, "Access-Control-Request-Method: PUT")
    )
    assert answer.status in (200, 400) and answer.cors == []
    if answer.status == 200:
        assert answer.body == b"hello"


# ---- the run-time allow-list fails -------------------------------------------------------


@pytest.mark.parametrize("server_name", SERVERS)
def test_a_failing_allow_origin_func_refuses_instead_of_failing_the_request(
    start: Callable[[str, WSGIApplication], Running],
    server_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Expected: an exception from allow_origin_func (a tenant database that is down) is a
    # refusal, logged with its traceback: the app still answers the actual request (without
    # CORS headers), the preflight is a 403, and nothing reaches the server as a 500.
    def tenant_table(origin: str) -> bool:
        raise ConnectionError("tenant database is down")

    server = start(
        server_name,
        CORSMiddleware(hello, allow_origin_func=tenant_table, allow_methods=["PUT"]),
    )
    tenant = "https://t1.tenants.example"
    actual = exchange(server.address, request_bytes("GET", "/", f"Origin: {tenant}"))
    assert actual.status == 200 and actual.body == b"hello"
    assert actual.cors == [] and actual.all("Vary") == ["Origin"]
    answer = exchange(server.address, preflight(origin=tenant))
    assert answer.status == 403 and answer.cors == []
    assert "tenant database is down" in caplog.text
