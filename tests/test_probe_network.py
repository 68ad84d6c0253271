"""``cors-wsgi probe`` against servers and URLs that misbehave below CORS: every network-level
surprise (a bad URL, a bad redirect, a reset, a timeout, TLS trouble, an answer that is not
HTTP, huge headers) is exit status 2 and one line on stderr that says what happened; never a
traceback, and never a request to anything but http(s)."""

from __future__ import annotations

import json
import re
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time
import types
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cors_wsgi.browser import cli

if TYPE_CHECKING:
    from collections.abc import Iterator

PAGE = "http://127.0.0.1:3000"
ALLOW_ANY = b"Access-Control-Allow-Origin: *\r\nContent-Length: 0\r\n"


def _redirect(location: bytes) -> bytes:
    return b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\n" + ALLOW_ANY + b"\r\n"


class RawServer:
    """A TCP server on 127.0.0.1 that reads a request and answers raw bytes, resets the
    connection (``"reset"``) or stays silent (``"silent"``); one thread per connection."""

    def __init__(self, answer: bytes | str, tls: ssl.SSLContext | None = None) -> None:
        self.answer = answer
        self.tls = tls
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port: int = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.stopped = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self.stopped.is_set():
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection: socket.socket) -> None:
        try:
            if self.tls is not None:
                connection = self.tls.wrap_socket(connection, server_side=True)
        except (OSError, ssl.SSLError):
            connection.close()
            return
        with connection:
            try:
                connection.recv(65536)
                if self.answer == "reset":
                    # SO_LINGER 0: close() sends a RST instead of a FIN.
                    connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                elif self.answer == "silent":
                    self.stopped.wait(5)
                elif isinstance(self.answer, bytes):
                    connection.sendall(self.answer)
            except OSError:
                return

    def close(self) -> None:
        self.stopped.set()
        self.socket.close()


@pytest.fixture
def raw_server() -> Iterator[type[RawServer]]:
    servers: list[RawServer] = []

    class Tracked(RawServer):
        def __init__(self, answer: bytes | str, tls: ssl.SSLContext | None = None) -> None:
            super().__init__(answer, tls)
            servers.append(self)

    yield Tracked
    for server in servers:
        server.close()


def probe(capsys: pytest.CaptureFixture[str], url: str, *extra: str) -> tuple[int, str, str]:
    status = cli.main(["probe", url, "--origin", PAGE, *extra])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def assert_one_line_exit_2(status: int, err: str, *fragments: str) -> None:
    assert status == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cors-wsgi probe: network error: "), err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


# ---- redirects whose Location a browser cannot follow (Fetch §http-redirect-fetch)


@pytest.mark.parametrize(
    ("location", "fragment"),
    [
        pytest.param(b"http://127.0.0.1:99999/x", "port", id="issue-10-14-port-out-of-range"),
        pytest.param(b"http://127.0.0.1:-1/x", "port", id="negative-port"),
        pytest.param(b"http://127.0.0.1:ab/x", "port", id="port-not-a-number"),
        pytest.param(b"http://[::1/x", "IPv6", id="unclosed-ipv6-bracket"),
        pytest.param(b"ftp://example.com/x", "not an http", id="ftp-scheme"),
        pytest.param(b"file:///etc/passwd", "not an http", id="file-scheme-never-read"),
        pytest.param(b"data:text/plain,hi", "not an http", id="data-scheme"),
        pytest.param(b"http://user:secret@example.com/x", "user name or password", id="userinfo"),
        pytest.param(b"http://exa mple.com/", "host", id="space-in-host"),
        pytest.param(b"http://a..b/", "host", id="empty-label"),
        pytest.param(b"http://" + b"a" * 300 + b".com/", "host", id="label-too-long"),
    ],
)
def test_probe_redirect_a_browser_cannot_follow_is_one_line_exit_2(
    raw_server: type[RawServer],
    capsys: pytest.CaptureFixture[str],
    location: bytes,
    fragment: str,
) -> None:
    server = raw_server(_redirect(location))
    status, _, err = probe(capsys, server.url)
    assert_one_line_exit_2(status, err, "302 redirect", fragment)
    assert "root:" not in err  # file:///etc/passwd was refused, not read


def test_probe_redirect_with_control_characters_is_followed_percent_encoded(
    raw_server: type[RawServer], capsys: pytest.CaptureFixture[str]
) -> None:
    """Browsers percent-encode a space or a control character in a Location's path and
    follow it; the probe does the same (and the server it lands on refuses the connection)."""
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    server = raw_server(_redirect(f"http://127.0.0.1:{port}/a\x01b c".encode()))
    status, _, err = probe(capsys, server.url)
    assert_one_line_exit_2(status, err, f"http://127.0.0.1:{port}/a%01b%20c", "refused")


# ---- URLs on the command line


@pytest.mark.parametrize(
    ("url", "fragment"),
    [
        pytest.param("http://[::1", "IPv6", id="unclosed-ipv6-bracket"),
        pytest.param("http://127.0.0.1:99999/", "port", id="port-out-of-range"),
        pytest.param("http://127.0.0.1:ab/", "port", id="port-not-a-number"),
        pytest.param("http://", "no host", id="no-host"),
        pytest.param("http://exa mple.com/", "host", id="space-in-host"),
        pytest.param("http://user:pw@127.0.0.1:1/", "user name or password", id="userinfo"),
        pytest.param("http://a..b/", "host", id="empty-label"),
    ],
)
def test_probe_url_a_browser_refuses_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], url: str, fragment: str
) -> None:
    status, _, err = probe(capsys, url)
    assert status == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(f"cors-wsgi probe: {url!r} "), err
    assert fragment in lines[0]


# ---- answers that are not HTTP, or not usable HTTP


@pytest.mark.parametrize(
    ("answer", "fragment"),
    [
        pytest.param(b"SSH-2.0-OpenSSH_9.2\r\n", "not HTTP", id="ssh-banner"),
        pytest.param(b"\x00\x01\x02\xff\xfe binary\r\n\r\n", "not HTTP", id="binary"),
        pytest.param(b"HTTP/1.1 abc OK\r\n\r\n", "not HTTP", id="status-not-a-number"),
        pytest.param(b"HTTP/1.1 1000 Weird\r\n\r\n", "not HTTP", id="status-out-of-range"),
        pytest.param(
            b"HTTP/1.1 200 OK\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n",
            "header line longer than",
            id="huge-header-line",
        ),
        pytest.param(
            b"HTTP/1.1 200 OK\r\n" + b"X-A: 1\r\n" * 200 + b"\r\n",
            "more than 100 headers",
            id="too-many-headers",
        ),
        pytest.param(b"", "closed the connection without answering", id="closed-at-once"),
        pytest.param("reset", "reset", id="connection-reset"),
    ],
)
def test_probe_answer_that_is_not_usable_http_is_one_line_exit_2(
    raw_server: type[RawServer],
    capsys: pytest.CaptureFixture[str],
    answer: bytes | str,
    fragment: str,
) -> None:
    server = raw_server(answer)
    status, _, err = probe(capsys, server.url)
    assert_one_line_exit_2(status, err, f"GET {server.url}", fragment)
    assert len(err) < 400  # a 100 KB header line is not echoed back


def test_probe_preflight_answer_that_is_not_http_is_one_line_exit_2(
    raw_server: type[RawServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = raw_server(b"SSH-2.0-OpenSSH_9.2\r\n")
    status, _, err = probe(capsys, server.url, "--method", "PUT")
    assert_one_line_exit_2(status, err, f"OPTIONS {server.url}", "not HTTP")


# ---- time and TLS


def test_probe_timeout_says_how_long_it_waited_and_how_to_change_it(
    raw_server: type[RawServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = raw_server("silent")
    started = time.monotonic()
    status, _, err = probe(capsys, server.url, "--timeout", "0.5")
    assert time.monotonic() - started < 4
    assert_one_line_exit_2(status, err, "no answer within 0.5 s", "--timeout SECONDS")


def test_probe_https_to_a_plain_http_server_says_so(
    raw_server: type[RawServer], capsys: pytest.CaptureFixture[str]
) -> None:
    server = raw_server(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
    status, _, err = probe(capsys, server.url.replace("http://", "https://"))
    assert_one_line_exit_2(status, err, "TLS", "http://")


def test_probe_untrusted_certificate_suggests_insecure(
    raw_server: type[RawServer], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A real TLS server with a self-signed certificate: the verification failure names
    --insecure, and with --insecure the probe gets the answer."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a self-signed certificate")
    key, certificate = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(certificate)),
        ],
        check=True,
        capture_output=True,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server = raw_server(b"HTTP/1.1 200 OK\r\n" + ALLOW_ANY + b"\r\n", tls=context)
    https_url = server.url.replace("http://", "https://")
    status, _, err = probe(capsys, https_url)
    assert_one_line_exit_2(status, err, "certificate", "--insecure")
    status, out, err = probe(capsys, https_url, "--insecure")
    assert status == 0, out + err


@pytest.mark.parametrize("seconds", ["0", "-1", "nan"])
def test_probe_timeout_must_be_seconds_above_zero(
    capsys: pytest.CaptureFixture[str], seconds: str
) -> None:
    status, _, err = probe(capsys, "http://127.0.0.1:9/", "--timeout", seconds)
    assert status == 2
    assert err.strip() == (
        f"cors-wsgi probe: --timeout {float(seconds):g}: give a number of seconds above 0"
    )


# ---- --wsgi: the application called in process, and its log's exact reason

EXAMPLE = f"example_projects.plain_wsgi:create_app({PAGE!r})"


def test_probe_in_process_prints_the_applications_exact_reason(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "http://127.0.0.1:8000/api/items/1"
    arguments = ["--method", "PUT", "--header", "X-Unknown: 1", "--wsgi", EXAMPLE]
    status, out, _ = probe(capsys, url, *arguments, "--color", "never")
    assert status == 1
    log_lines = [line for line in out.splitlines() if "the application's log says:" in line]
    assert len(log_lines) == 1, out
    assert "request header 'x-unknown'" in log_lines[0]
    status, out, _ = probe(capsys, url, *arguments, "--json")
    assert status == 1
    (exchange,) = json.loads(out)["http"]
    assert "x-unknown" in exchange["server_log"][0]
    # Allowed: the application logs nothing, and nothing is printed for it.
    status, out, _ = probe(capsys, url, "--method", "PUT", "--wsgi", EXAMPLE)
    assert status == 0, out
    assert "the application's log says" not in out


@pytest.mark.parametrize(
    "arguments",
    [
        ("--method", "PUT", "--header", "X-Unknown: 1"),
        ("--method", "PUT", "--credentials"),
        ("--origin", "https://elsewhere.example"),
    ],
    ids=["refused-header", "allowed-credentials", "refused-origin"],
)
def test_probe_prints_no_rule_number(
    capsys: pytest.CaptureFixture[str], arguments: tuple[str, ...]
) -> None:
    """The verdict probe prints stands on its own: the rules it follows are in the code and
    the tests, not in the steps. (The application's log line is quoted as it was logged.)"""
    url = "http://127.0.0.1:8000/api/items/1"
    _, out, _ = probe(capsys, url, *arguments, "--wsgi", EXAMPLE, "--color", "never")
    printed = [line for line in out.splitlines() if "the application's log says:" not in line]
    assert not re.search(r"\b[RV]\d+\b|§", "\n".join(printed)), out


def test_probe_in_process_decodes_the_path_and_reads_the_body(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def app(environ: dict[str, object], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()  # type: ignore[attr-defined]
        seen.update(path=environ["PATH_INFO"], body=body, host=environ["HTTP_HOST"])
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return [b"ok"]

    module = types.ModuleType("probe_in_process_app")
    module.app = app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "probe_in_process_app", module)
    url = "https://api.example.com:8443/caf%C3%A9/"
    status, out, _ = probe(capsys, url, "--data", "hi", "--wsgi", "probe_in_process_app:app")
    assert status == 0, out
    assert seen == {
        "path": "/café/".encode().decode("latin-1"),  # PEP 3333: bytes as latin-1
        "body": b"hi",
        "host": "api.example.com:8443",
    }


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("def app(environ, start_response):\n    raise KeyError('db')\n", "raised KeyError"),
        ("def app(environ, start_response):\n    return []\n", "never called start_response"),
        (
            "def app(environ, start_response):\n    start_response('OK', [])\n    return []\n",
            "the application's status 'OK'",
        ),
        (
            "def app(environ, start_response):\n"
            "    start_response('302 Found', [('Location', 'https://elsewhere.example/'),"
            " ('Access-Control-Allow-Origin', '*')])\n    return []\n",
            "leaves the application run in process",
        ),
    ],
)
def test_probe_in_process_application_failures_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    fragment: str,
) -> None:
    module = types.ModuleType("probe_failing_app")
    exec(source, module.__dict__)
    monkeypatch.setitem(sys.modules, "probe_failing_app", module)
    status, _, err = probe(capsys, "http://127.0.0.1:8000/", "--wsgi", "probe_failing_app:app")
    assert_one_line_exit_2(status, err, fragment)


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("probe_missing_module:app", "cannot import probe_missing_module:app"),
        ("probe_not_an_app:NUMBER", "is not a WSGI application"),
        ("probe_not_an_app:broken", "has an invalid CORS configuration (1 problem(s))"),
    ],
)
def test_probe_in_process_load_failures_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    fragment: str,
) -> None:
    from cors_wsgi import CORSMiddleware

    module = types.ModuleType("probe_not_an_app")
    module.NUMBER = 3  # type: ignore[attr-defined]

    def broken() -> object:
        return CORSMiddleware(lambda e, s: [], allow_origins=["frontend.example.com"])

    module.broken = broken  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "probe_not_an_app", module)
    status, _, err = probe(capsys, "http://127.0.0.1:8000/", "--wsgi", target)
    assert status == 2
    assert err.startswith("cors-wsgi probe: ")
    assert fragment in err


def test_probe_wsgi_on_an_asgi_app_says_to_serve_it(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:  # an ASGI 3 application
        raise AssertionError("never called")

    module = types.ModuleType("probe_asgi_app")
    module.app = app  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "probe_asgi_app", module)
    status, _, err = probe(capsys, "http://127.0.0.1:9/x", "--wsgi", "probe_asgi_app:app")
    assert status == 2
    assert "is an ASGI application" in err
    assert "TypeError" not in err
