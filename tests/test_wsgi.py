"""CORSMiddleware through the WSGI contract, with wsgiref.validate on both sides of it."""

from __future__ import annotations

import http.client
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, make_server
from wsgiref.util import setup_testing_defaults
from wsgiref.validate import validator

import pytest

from cors_wsgi import ConfigError, CORSMiddleware, Policy
from cors_wsgi.core.errors import Code
from cors_wsgi.wsgi import request_path

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

APP_ORIGIN = "https://app.example.com"
Headers = list[tuple[str, str]]


class Recorder:
    """A small app that records its calls and answers as told."""

    def __init__(
        self,
        status: str = "200 OK",
        headers: Headers | None = None,
        body: Iterable[bytes] | None = None,
    ) -> None:
        self.status = status
        self.headers = headers if headers is not None else [("Content-Type", "text/plain")]
        self.body = body
        self.calls = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        self.calls += 1
        start_response(self.status, list(self.headers))
        return self.body if self.body is not None else [b"hello"]


class StartRecorder:
    """A start_response that keeps the header lists it is given."""

    def __init__(self, seen: list[Headers]) -> None:
        self.seen = seen

    def __call__(
        self, status: str, headers: Headers, exc_info: Any = None
    ) -> Callable[[bytes], object]:
        self.seen.append(headers)
        return lambda data: None


class Response:
    def __init__(self, status: str, headers: Headers, body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def code(self) -> int:
        return int(self.status.split()[0])

    def all(self, name: str) -> list[str]:
        return [v for n, v in self.headers if n.lower() == name.lower()]

    def get(self, name: str) -> str | None:
        values = self.all(name)
        assert len(values) <= 1, f"{name} sent {len(values)} times"  # R18
        return values[0] if values else None


def call(app: WSGIApplication, method: str = "GET", path: str = "/", **headers: str) -> Response:
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SCRIPT_NAME": "",
    }
    setup_testing_defaults(environ)
    for name, value in headers.items():
        environ["HTTP_" + name.upper()] = value
    captured: dict[str, Any] = {}

    def start_response(
        status: str, response_headers: Headers, exc_info: Any = None
    ) -> Callable[[bytes], object]:
        captured["status"], captured["headers"] = status, response_headers
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return Response(captured["status"], captured["headers"], body)


def cors(app: WSGIApplication, **options: Any) -> WSGIApplication:
    """The middleware under test, with the validator between it and the app as well."""
    return CORSMiddleware(validator(app), **options)


def api_options(**extra: Any) -> dict[str, Any]:
    return {
        "allow_origins": [APP_ORIGIN, "https://*.example.org"],
        "allow_methods": ["GET", "PUT", "DELETE"],
        "allow_headers": ["content-type", "x-token"],
        "allow_credentials": True,
        "expose_headers": ["x-total-count"],
        **extra,
    }


def test_r1_r30_no_origin_gets_vary_only() -> None:
    response = call(cors(Recorder(), **api_options()))
    assert response.code == 200 and response.body == b"hello"
    assert response.get("Access-Control-Allow-Origin") is None
    assert response.get("Vary") == "Origin"


def test_r29_allowed_actual_request() -> None:
    response = call(cors(Recorder(), **api_options()), ORIGIN=APP_ORIGIN)
    assert response.get("Access-Control-Allow-Origin") == APP_ORIGIN
    assert response.get("Access-Control-Allow-Credentials") == "true"
    assert response.get("Access-Control-Expose-Headers") == "x-total-count"
    assert response.get("Vary") == "Origin"


def test_v12_refused_actual_request_still_varies() -> None:
    response = call(cors(Recorder(), **api_options()), ORIGIN="https://evil.example")
    assert response.code == 200  # the app answers; the browser withholds the response
    assert response.get("Access-Control-Allow-Origin") is None
    assert response.get("Vary") == "Origin"


def test_r30_vary_is_merged_into_one_line() -> None:
    app = Recorder(
        headers=[("Content-Type", "text/plain"), ("Vary", "Accept-Encoding"), ("vary", "Cookie")]
    )
    response = call(cors(app, **api_options()), ORIGIN=APP_ORIGIN)
    assert response.all("Vary") == ["Accept-Encoding, Cookie, Origin"]


def test_r18_the_apps_own_cors_headers_are_replaced() -> None:
    app = Recorder(
        headers=[
            ("Content-Type", "text/plain"),
            ("Access-Control-Allow-Origin", "*"),
            ("access-control-allow-credentials", "true"),
        ]
    )
    response = call(cors(app, **api_options()), ORIGIN=APP_ORIGIN)
    assert response.all("Access-Control-Allow-Origin") == [APP_ORIGIN]
    refused = call(cors(app, **api_options()), ORIGIN="https://evil.example")
    assert refused.all("Access-Control-Allow-Origin") == []
    assert refused.all("Access-Control-Allow-Credentials") == []


@pytest.mark.parametrize(
    "status", ["404 Not Found", "401 Unauthorized", "500 Internal Server Error"]
)
def test_r29_error_responses_carry_cors_headers(status: str) -> None:
    response = call(cors(Recorder(status=status), **api_options()), ORIGIN=APP_ORIGIN)
    assert response.status == status
    assert response.get("Access-Control-Allow-Origin") == APP_ORIGIN


def test_r7_preflight_is_answered_here_and_never_reaches_the_app() -> None:
    app = Recorder(status="401 Unauthorized")  # an auth layer that would refuse it (V22)
    response = call(
        cors(app, **api_options()),
        "OPTIONS",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="PUT",
        ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-token",
    )
    assert app.calls == 0
    assert response.code == 204 and response.body == b""
    assert response.get("Access-Control-Allow-Origin") == APP_ORIGIN
    assert response.get("Access-Control-Allow-Methods") == "GET, PUT, DELETE"
    assert response.get("Access-Control-Allow-Headers") == "content-type, x-token"
    assert response.get("Access-Control-Max-Age") == "600"
    assert (
        response.get("Vary")
        == "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    )


def test_r16_refused_preflight_is_403_and_never_reaches_the_app() -> None:
    app = Recorder()
    response = call(
        cors(app, **api_options()),
        "OPTIONS",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="PATCH",
    )
    assert app.calls == 0
    assert response.code == 403
    assert not [n for n, _ in response.headers if n.lower().startswith("access-control-")]


def test_r15_preflight_status_200() -> None:
    response = call(
        cors(Recorder(), **api_options(preflight_status=200)),
        "OPTIONS",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )
    assert response.code == 200 and response.get("Content-Length") == "0"


def test_r3_options_without_acrm_reaches_the_app() -> None:
    app = Recorder()
    response = call(cors(app, **api_options()), "OPTIONS", ORIGIN=APP_ORIGIN)
    assert app.calls == 1 and response.get("Access-Control-Allow-Origin") == APP_ORIGIN


def test_r4_options_with_acrm_but_no_origin_reaches_the_app() -> None:
    app = Recorder()
    call(cors(app, **api_options()), "OPTIONS", ACCESS_CONTROL_REQUEST_METHOD="PUT")
    assert app.calls == 1


def test_preflight_passthrough_lets_the_app_answer() -> None:
    app = Recorder(status="200 OK")
    response = call(
        cors(app, **api_options(preflight_passthrough=True)),
        "OPTIONS",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )
    assert app.calls == 1
    assert response.get("Access-Control-Allow-Methods") == "GET, PUT, DELETE"


def test_r51_private_network_preflight() -> None:
    response = call(
        cors(Recorder(), **api_options(allow_private_network=True)),
        "OPTIONS",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="GET",
        ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK="true",
    )
    assert response.get("Access-Control-Allow-Private-Network") == "true"


def test_paths_choose_the_policy_and_leave_other_paths_untouched() -> None:
    app = Recorder()
    middleware = cors(
        app,
        paths={
            "/api/": Policy(allow_origins=[APP_ORIGIN], allow_credentials=True),
            "/public/": {"allow_origins": "*"},
        },
    )
    assert (
        call(middleware, path="/api/x", ORIGIN=APP_ORIGIN).get("Access-Control-Allow-Credentials")
        == "true"
    )
    assert (
        call(middleware, path="/public/x", ORIGIN="https://any.example").get(
            "Access-Control-Allow-Origin"
        )
        == "*"
    )
    elsewhere = call(middleware, path="/apiary", ORIGIN=APP_ORIGIN)
    assert elsewhere.get("Access-Control-Allow-Origin") is None and elsewhere.get("Vary") is None
    preflight = call(
        middleware,
        "OPTIONS",
        path="/other",
        ORIGIN=APP_ORIGIN,
        ACCESS_CONTROL_REQUEST_METHOD="PUT",
    )
    assert app.calls == 4 and preflight.get("Access-Control-Allow-Origin") is None


def test_one_of_paths_policy_or_keywords() -> None:
    with pytest.raises(ConfigError, match="give one of paths=, policy= or the policy keywords"):
        CORSMiddleware(Recorder(), paths={"/": {}}, allow_origins=[APP_ORIGIN])
    middleware = CORSMiddleware(Recorder(), policy={"allow_origins": [APP_ORIGIN]})
    assert middleware.policy is not None and middleware.paths is None
    assert middleware.policy_for("/x") is middleware.policy


def test_invalid_keywords_raise_config_error_at_construction() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(Recorder(), allow_origins=["*"], allow_credentials=True)
    assert caught.value.errors[0].code == "E012"
    with pytest.raises(ConfigError, match="unknown option"):
        CORSMiddleware(Recorder(), allow_origin=[APP_ORIGIN])


# ---- the WSGI contract -------------------------------------------------------------------


class ClosingBody:
    def __init__(self, chunks: list[bytes]) -> None:
        self.chunks = chunks
        self.closed = False

    def __iter__(self) -> Iterator[bytes]:
        return iter(self.chunks)

    def close(self) -> None:
        self.closed = True


def test_body_is_passed_through_unbuffered_and_closed() -> None:
    body = ClosingBody([b"a", b"b"])
    app = Recorder(body=body)
    middleware = CORSMiddleware(app, **api_options())
    environ: dict[str, Any] = {}
    setup_testing_defaults(environ)
    result = middleware(environ, lambda status, headers, exc_info=None: lambda data: None)
    assert result is body  # never wrapped, so never buffered
    response = call(CORSMiddleware(validator(app), **api_options()), ORIGIN=APP_ORIGIN)
    assert response.body == b"ab" and body.closed


def test_streamed_body_is_not_consumed_by_the_middleware() -> None:
    produced: list[int] = []

    def stream(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        for i in range(3):
            produced.append(i)
            yield b"%d" % i

    middleware = CORSMiddleware(stream, **api_options())
    environ: dict[str, Any] = {"HTTP_ORIGIN": APP_ORIGIN}
    setup_testing_defaults(environ)
    seen: list[Headers] = []
    result = iter(
        middleware(
            environ,
            StartRecorder(seen),
        )
    )
    assert produced == []
    assert next(result) == b"0" and produced == [0]
    assert ("Access-Control-Allow-Origin", APP_ORIGIN) in seen[0]


def test_write_callable_is_returned() -> None:
    def legacy(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain")])
        write(b"written")
        return []

    written: list[bytes] = []
    environ: dict[str, Any] = {"HTTP_ORIGIN": APP_ORIGIN}
    setup_testing_defaults(environ)
    CORSMiddleware(legacy, **api_options())(environ, lambda s, h, e=None: written.append)
    assert written == [b"written"]


def test_exc_info_replaces_headers_and_keeps_cors() -> None:
    def failing_late(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            start_response(
                "500 Internal Server Error", [("Content-Type", "text/plain")], sys.exc_info()
            )
        return [b"error page"]

    response = call(CORSMiddleware(failing_late, **api_options()), ORIGIN=APP_ORIGIN)
    assert response.code == 500
    assert response.get("Access-Control-Allow-Origin") == APP_ORIGIN


def test_an_exception_from_the_app_propagates_unchanged() -> None:
    # Decision (docs/wsgi.md, "When the application raises"): the server's own error handling,
    # logging and debuggers keep working; nothing is swallowed.
    def broken(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        raise LookupError("from the app")

    started_headers: list[Headers] = []
    environ: dict[str, Any] = {"HTTP_ORIGIN": APP_ORIGIN}
    setup_testing_defaults(environ)
    with pytest.raises(LookupError, match="from the app"):
        CORSMiddleware(broken, **api_options())(environ, StartRecorder(started_headers))
    assert started_headers == []


def test_an_exception_midway_through_the_body_propagates_after_cors_headers() -> None:
    def half(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        yield b"first"
        raise OSError("disk gone")

    seen: list[Headers] = []
    environ: dict[str, Any] = {"HTTP_ORIGIN": APP_ORIGIN}
    setup_testing_defaults(environ)
    result = CORSMiddleware(half, **api_options())(environ, StartRecorder(seen))
    with pytest.raises(OSError, match="disk gone"):
        list(result)
    assert ("Access-Control-Allow-Origin", APP_ORIGIN) in seen[0]


# ---- over a real socket: what a real server hands the middleware -----------------------


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def served() -> Iterator[tuple[str, int]]:
    app = CORSMiddleware(Recorder(), **api_options())
    server = make_server("127.0.0.1", 0, app, handler_class=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield "127.0.0.1", server.server_port
    finally:
        server.shutdown()
        server.server_close()


def test_r13_several_request_header_lines_over_http(served: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*served, timeout=5)
    connection.putrequest("OPTIONS", "/api")
    connection.putheader("Origin", APP_ORIGIN)
    connection.putheader("Access-Control-Request-Method", "PUT")
    connection.putheader("Access-Control-Request-Headers", "content-type")
    connection.putheader("Access-Control-Request-Headers", "X-Token")
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 204
    assert response.getheader("Access-Control-Allow-Origin") == APP_ORIGIN


def test_v14_origin_with_odd_bytes_over_http(served: tuple[str, int]) -> None:
    connection = http.client.HTTPConnection(*served, timeout=5)
    connection.putrequest("GET", "/")
    connection.putheader("Origin", "https://app.example.com\xe9".encode("latin-1"))
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200
    assert response.getheader("Access-Control-Allow-Origin") is None
    assert response.getheader("Vary") == "Origin"


def test_paths_match_a_non_ascii_prefix_as_the_app_reads_it() -> None:
    # PEP 3333: PATH_INFO carries the request's bytes decoded as latin-1, so /café/ arrives
    # as "/cafÃ©/"; the prefix is what the user wrote, in real characters.
    raw = "/café/menu".encode().decode("latin-1")
    app = cors(Recorder(), paths={"/café/": api_options()})
    response = call(app, "GET", raw, ORIGIN=APP_ORIGIN)
    assert response.get("Access-Control-Allow-Origin") == APP_ORIGIN
    assert call(app, "GET", "/cafe/menu", ORIGIN=APP_ORIGIN).get("Vary") is None


def test_request_path_decodes_pep_3333_strings() -> None:
    assert request_path({"PATH_INFO": "/café/".encode().decode("latin-1")}) == "/café/"
    assert request_path({"PATH_INFO": "/\xff"}) == "/\ufffd"  # not UTF-8: replaced
    assert request_path({"PATH_INFO": "/caf\u00e9\u20ac"}) == "/caf\u00e9\u20ac"  # decoded already
    assert request_path({}) == "/"
    # Only the characters change: the generic middleware sees "//api" as the app does.
    assert request_path({"PATH_INFO": "//api"}) == "//api"


def test_preflight_status_float_is_refused_at_construction() -> None:
    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(Recorder(), allow_origins=[APP_ORIGIN], preflight_status=200.0)
    assert [problem.code for problem in caught.value.errors] == [Code.BAD_PREFLIGHT_STATUS]
