"""Fuzzing CORSMiddleware: hostile requests in, wsgiref.validate on both sides of it.

The request values arrive as a WSGI server hands them over (PEP 3333: the bytes decoded as
latin-1), on random paths, to an application that sets its own (wrong) CORS headers and
Vary lines. For every input: no exception escapes, the WSGI contract holds (the validator
asserts it), a preflight in scope never reaches the application (R7), paths out of scope are
left exactly as the application answered, and nothing outside the allow-list is reflected.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.validate import validator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi import CORSMiddleware, Policy
from cors_wsgi.core.paths import PathKey

from .reference import Reference
from .strategies import (
    ORIGINS,
    PATHS,
    REQUEST_HEADER_VALUES,
    REQUEST_METHODS,
    REQUEST_PRIVATE_NETWORK,
    WSGI_METHODS,
    policy_options,
)
from .test_fuzz_core import (
    CORS_NAMES,
    PREFLIGHT_EXTRA,
    check_browser_accepts_preflight,
    check_no_foreign_values,
    lowered,
    naive_policy_for,
)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

pytestmark = pytest.mark.fuzz

Headers = list[tuple[str, str]]

APP_HEADERS = st.lists(
    st.tuples(
        st.sampled_from(
            ["Vary", "Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "X-App"]
        ),
        st.sampled_from(["*", "Cookie", "https://evil.example", "GET, TRACE"]),
    ),
    max_size=3,
)
STATUSES = st.sampled_from(["200 OK", "404 Not Found", "500 Server Error"])


def as_wsgi_string(value: str) -> str:
    """What a server hands over for a header the client sent as UTF-8 (PEP 3333)."""
    return value.encode("utf-8", "surrogatepass").decode("latin-1")


class App:
    """Answers with the given status and headers; records each call and each close()."""

    def __init__(self, status: str, headers: Headers) -> None:
        self.status = status
        self.headers = headers
        self.calls = 0
        self.closed = 0

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
        self.calls += 1
        start_response(self.status, [("Content-Type", "text/plain"), *self.headers])
        return self.body()

    def body(self) -> Iterator[bytes]:
        try:
            yield b"body"
        finally:
            self.closed += 1


def run(app: Callable[..., Any], environ: dict[str, Any]) -> tuple[str, Headers, bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    result = validator(app)(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        result.close()  # type: ignore[attr-defined]
    return answer["status"], answer["headers"], body


@given(
    options=policy_options(),
    other_options=policy_options(),
    mounted=st.sampled_from(["one policy", "paths"]),
    method=st.sampled_from(WSGI_METHODS),
    path=PATHS,
    origin=ORIGINS,
    request_method=REQUEST_METHODS,
    request_headers=REQUEST_HEADER_VALUES,
    private_network=REQUEST_PRIVATE_NETWORK,
    status=STATUSES,
    app_headers=APP_HEADERS,
)
def test_middleware_reflects_only_the_allow_list(
    options: dict[str, Any],
    other_options: dict[str, Any],
    mounted: str,
    method: str,
    path: str,
    origin: str | None,
    request_method: str | None,
    request_headers: str | None,
    private_network: str | None,
    status: str,
    app_headers: Headers,
) -> None:
    values = [
        None if v is None else as_wsgi_string(v)
        for v in (path, origin, request_method, request_headers, private_network)
    ]
    wsgi_path, origin, request_method, request_headers, private_network = values
    assert wsgi_path is not None
    path = wsgi_path
    app = App(status, app_headers)
    if mounted == "paths":
        prefixes: dict[str, Policy] = {"/api/": Policy(**options)}
        regexes = [(r"/v[0-9]+/.*", Policy(**other_options))]
        keys: dict[PathKey, Policy] = {re.compile(regexes[0][0]): regexes[0][1]}
        keys.update(prefixes)
        middleware = CORSMiddleware(validator(app), paths=keys)
        policy = naive_policy_for(prefixes, regexes, path)
        in_scope = None
        if policy is not None:
            in_scope = options if policy is prefixes["/api/"] else other_options
    else:
        middleware = CORSMiddleware(validator(app), **options)
        in_scope = options
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": io.StringIO(),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for key, value in (
        ("HTTP_ORIGIN", origin),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", request_method),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", request_headers),
        ("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK", private_network),
    ):
        if value is not None:
            environ[key] = value

    response_status, headers, body = run(middleware, environ)

    if in_scope is None:
        # Out of CORS scope: exactly what the application answered, nothing added or taken.
        assert (app.calls, response_status) == (1, status)
        assert headers == [("Content-Type", "text/plain"), *app_headers]
        return
    reference = Reference(in_scope)
    preflight = method == "OPTIONS" and origin is not None and request_method is not None
    answered_here = preflight and not in_scope.get("preflight_passthrough", False)
    assert app.calls == (0 if answered_here else 1)  # R7
    assert app.closed == app.calls
    cors = lowered([h for h in headers if h[0].lower() in CORS_NAMES | {"vary"}])
    check_no_foreign_values(reference, cors, origin, request_method, request_headers)
    if answered_here:
        assert body == b""
        assert {name.lower() for name, _ in headers} <= CORS_NAMES | PREFLIGHT_EXTRA
        code = int(response_status[:3])
        assert origin is not None and request_method is not None
        if reference.preflight_allowed(origin, request_method, request_headers):
            if reference.request_headers_short_enough(request_headers):
                assert code == in_scope.get("preflight_status", 204)
                check_browser_accepts_preflight(
                    reference, cors, origin, request_method, request_headers
                )
        elif not in_scope.get("debug", False):
            assert code == 403 and set(cors) <= {"vary"}  # R16
        return
    assert response_status == status and body == b"body"
    if not preflight:
        assert cors.get("access-control-allow-origin") == reference.allow_origin(origin)
    assert [h for h in headers if h[0].lower() not in CORS_NAMES | {"vary"}] == [
        ("Content-Type", "text/plain"),
        *[h for h in app_headers if h[0].lower() not in CORS_NAMES | {"vary"}],
    ]
