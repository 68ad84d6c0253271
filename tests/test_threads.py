"""Thread safety: one CORSMiddleware, many threads, never a header from another request.

Threads start together at a barrier and hammer the same middleware with different origins
(exact, wildcard, refused, run-time allowed) and preflights, with the interpreter switching
threads as often as it can; every response is checked against what its own request should
get. Then the shared precomputed values are checked to be immutable, and unchanged (R55, V21:
rs/cors #198, jub0bs #14).
"""

from __future__ import annotations

import dataclasses
import http.client
import random
import re
import sys
import threading
import types
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from wsgiref.util import setup_testing_defaults

import pytest

from cors_wsgi import CORSMiddleware, Decision, Policy
from cors_wsgi.core import headers as cors_headers
from cors_wsgi.core import methods as cors_methods
from cors_wsgi.core.origin_patterns import OriginPattern
from tests.waitress_thread import WaitressThread

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

THREADS = 16
REQUESTS_PER_THREAD = 150
APP_ORIGIN = "https://app.example.com"
Headers = list[tuple[str, str]]


def tenant_table(origin: str) -> bool:
    """A run-time allow-list shared by every thread: even tenants only."""
    match = re.fullmatch(r"https://t(\d+)\.tenants\.example", origin)
    return match is not None and int(match.group(1)) % 2 == 0


POLICY = Policy(
    allow_origins=[APP_ORIGIN, "https://*.example.com"],
    allow_origin_func=tenant_table,
    allow_origin_func_ttl=60,
    allow_methods=["GET", "PUT", "DELETE"],
    allow_headers=["content-type", "x-request-id"],
    allow_credentials=True,
    expose_headers=["x-request-id"],
    max_age=600,
)
ANY_HEADER_POLICY = Policy(
    allow_origins=["https://*.example.com"],
    allow_methods="*",
    allow_headers="*",
    allow_credentials=True,
)


def echo_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterator[bytes]:
    """Sends back which request it answered, with its own Vary and a stale CORS header."""
    request_id = environ.get("HTTP_X_REQUEST_ID", "")
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain"),
            ("X-Request-Id", request_id),
            ("Vary", "Cookie"),
            ("Access-Control-Allow-Origin", "https://stale.example.com"),
        ],
    )
    yield request_id.encode()


class Case:
    """One request, and exactly the response headers its own values call for."""

    def __init__(self, thread: int, index: int, kind: str) -> None:
        self.request_id = f"{thread}-{index}"
        self.kind = kind
        self.method = "GET"
        self.request_method: str | None = None
        self.request_headers: str | None = None
        tag = f"u{thread}x{index}"
        tenant = 2 * (thread * REQUESTS_PER_THREAD + index)
        self.origin: str | None = {
            "exact": APP_ORIGIN,
            "wildcard": f"https://{tag}.example.com",
            "tenant": f"https://t{tenant}.tenants.example",
            "odd tenant": f"https://t{tenant + 1}.tenants.example",
            "refused": f"https://{tag}.example.net",
            "no origin": None,
            "preflight": f"https://{tag}.example.com",
            "refused preflight": f"https://{tag}.example.com",
            "echoed preflight": f"https://{tag}.example.com",
        }[kind]
        if "preflight" in kind:
            self.method = "OPTIONS"
            self.request_method = "PATCH" if kind == "refused preflight" else "PUT"
            self.request_headers = "content-type,x-request-id"
            if kind == "echoed preflight":
                self.request_method = f"M{thread}X{index}"
                self.request_headers = f"x-{tag},x-request-id"

    @property
    def middleware_policy(self) -> Policy:
        return ANY_HEADER_POLICY if self.kind == "echoed preflight" else POLICY

    def environ(self) -> dict[str, Any]:
        environ: dict[str, Any] = {"REQUEST_METHOD": self.method, "PATH_INFO": "/"}
        setup_testing_defaults(environ)
        environ["HTTP_X_REQUEST_ID"] = self.request_id
        for key, value in (
            ("HTTP_ORIGIN", self.origin),
            ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", self.request_method),
            ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", self.request_headers),
        ):
            if value is not None:
                environ[key] = value
        return environ

    def expected(self) -> tuple[str, Headers, bytes]:
        vary_actual = ("Vary", "Cookie, Origin")
        allowed = [
            ("Access-Control-Allow-Origin", self.origin or ""),
            ("Access-Control-Allow-Credentials", "true"),
        ]
        plain = [("Content-Type", "text/plain"), ("X-Request-Id", self.request_id)]
        body = self.request_id.encode()
        preflight_vary = (
            "Vary",
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        )
        if self.kind in ("exact", "wildcard", "tenant"):
            expose = ("Access-Control-Expose-Headers", "x-request-id")
            return "200 OK", [*plain, *allowed, expose, vary_actual], body
        if self.kind in ("refused", "odd tenant", "no origin"):
            return "200 OK", [*plain, vary_actual], body
        if self.kind == "preflight":
            return (
                "204 No Content",
                [
                    *allowed,
                    ("Access-Control-Allow-Methods", "GET, PUT, DELETE"),
                    ("Access-Control-Allow-Headers", "content-type, x-request-id"),
                    ("Access-Control-Max-Age", "600"),
                    preflight_vary,
                ],
                b"",
            )
        if self.kind == "echoed preflight":
            return (
                "204 No Content",
                [
                    *allowed,
                    ("Access-Control-Allow-Methods", self.request_method or ""),
                    ("Access-Control-Max-Age", "600"),
                    ("Access-Control-Allow-Headers", self.request_headers or ""),
                    preflight_vary,
                ],
                b"",
            )
        return (
            "403 Forbidden",
            [
                preflight_vary,
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "0"),
            ],
            b"",
        )


KINDS = (
    "exact",
    "wildcard",
    "tenant",
    "odd tenant",
    "refused",
    "no origin",
    "preflight",
    "refused preflight",
    "echoed preflight",
)


def call(middleware: CORSMiddleware, case: Case) -> tuple[str, Headers, bytes]:
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: Headers, exc_info: Any = None) -> Any:
        answer["status"], answer["headers"] = status, headers
        return lambda data: None

    result = middleware(case.environ(), start_response)
    chunks: list[bytes] = []
    for chunk in result:
        chunks.append(chunk)
    close = getattr(result, "close", None)
    if close is not None:
        close()
    return answer["status"], answer["headers"], b"".join(chunks)


def canonical(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers in a comparable form: order does not matter, Vary names are a set."""
    result = []
    for name, value in headers:
        if name.lower() == "vary":
            value = ", ".join(sorted(part.strip() for part in value.split(",")))
        result.append((name.lower(), value))
    return sorted(result)


@pytest.fixture
def fast_switching() -> Iterator[None]:
    """Switch threads as often as the interpreter allows, to interleave requests."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def hammer(worker: Callable[[int], None], threads: int = THREADS) -> None:
    """Run ``worker(thread_number)`` in ``threads`` threads that start together."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def run(number: int) -> None:
        try:
            barrier.wait(timeout=30)
            worker(number)
        except BaseException as error:  # reported below, with the thread's own traceback
            errors.append(error)

    pool = [threading.Thread(target=run, args=(n,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool), "a thread never finished"
    if errors:
        raise errors[0]


@pytest.mark.usefixtures("fast_switching")
def test_concurrent_requests_never_see_each_others_headers() -> None:
    middlewares = {
        id(POLICY): CORSMiddleware(echo_app, policy=POLICY),
        id(ANY_HEADER_POLICY): CORSMiddleware(echo_app, policy=ANY_HEADER_POLICY),
    }
    checked = [0] * THREADS

    def worker(number: int) -> None:
        chooser = random.Random(number)
        for index in range(REQUESTS_PER_THREAD):
            case = Case(number, index, chooser.choice(KINDS))
            status, headers, body = call(middlewares[id(case.middleware_policy)], case)
            expected_status, expected_headers, expected_body = case.expected()
            assert (status, body) == (expected_status, expected_body), case.request_id
            assert canonical(headers) == canonical(expected_headers), case.request_id
            checked[number] += 1

    hammer(worker)
    assert checked == [REQUESTS_PER_THREAD] * THREADS


def test_concurrent_requests_through_a_threaded_server() -> None:
    # The same check over sockets: waitress with 8 threads, 8 keep-alive clients.
    server = WaitressThread(CORSMiddleware(echo_app, policy=POLICY), threads=8)
    port = server.address[1]
    kinds = [k for k in KINDS if k != "echoed preflight"]

    def worker(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        chooser = random.Random(1000 + number)
        try:
            for index in range(60):
                case = Case(number, index, chooser.choice(kinds))
                headers = {
                    name[5:].replace("_", "-").title(): value
                    for name, value in case.environ().items()
                    if name.startswith("HTTP_") and name != "HTTP_HOST"
                }
                connection.request(case.method, "/", headers=headers)
                response = connection.getresponse()
                body = response.read()
                expected_status, expected_headers, expected_body = case.expected()
                assert response.status == int(expected_status[:3]), case.request_id
                assert body == expected_body, case.request_id
                got = [
                    (n, v)
                    for n, v in response.getheaders()
                    if n.lower().startswith(("access-control-", "vary", "x-request-id"))
                ]
                want = [
                    (n, v)
                    for n, v in expected_headers
                    if n.lower().startswith(("access-control-", "vary", "x-request-id"))
                ]
                assert canonical(got) == canonical(want), case.request_id
        finally:
            connection.close()

    try:
        hammer(worker, threads=8)
    finally:
        server.stop()


# ---- shared precomputed values are immutable ---------------------------------------------


def test_decisions_cannot_be_changed() -> None:
    decision = POLICY.decide("GET", APP_ORIGIN)
    with pytest.raises(AttributeError):
        decision.allowed = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        decision.headers = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        decision.headers[0] = ("Access-Control-Allow-Origin", "*")  # type: ignore[index]
    with pytest.raises(TypeError):
        decision.headers[0][1] = "*"  # type: ignore[index]
    assert isinstance(decision.vary, tuple)


def test_the_lists_handed_out_are_fresh_copies() -> None:
    # V21: a server or app that edits the header list it was given must not change what
    # the next request gets.
    first = POLICY.decide("GET", APP_ORIGIN)
    again = POLICY.decide("GET", APP_ORIGIN)
    decorated = first.decorate([("Content-Type", "text/plain")])
    decorated.append(("Access-Control-Allow-Origin", "https://evil.example"))
    decorated[0] = ("X-Clobbered", "1")
    assert again.decorate([("Content-Type", "text/plain")]) == [
        ("Content-Type", "text/plain"),
        ("Access-Control-Allow-Origin", APP_ORIGIN),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "x-request-id"),
        ("Vary", "Origin"),
    ]
    preflight = POLICY.decide("OPTIONS", APP_ORIGIN, "PUT")
    status, answer = preflight.preflight_response()
    answer.clear()
    assert POLICY.decide("OPTIONS", APP_ORIGIN, "PUT").preflight_response() == (
        status,
        [
            ("Access-Control-Allow-Origin", APP_ORIGIN),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, PUT, DELETE"),
            ("Access-Control-Allow-Headers", "content-type, x-request-id"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        ],
    )
    updates = first.header_updates("Accept-Encoding")
    updates.clear()
    assert first.header_updates("Accept-Encoding")[-1] == ("Vary", "Accept-Encoding, Origin")


def fresh_policy() -> Policy:
    return Policy(allow_origins=[APP_ORIGIN, "https://*.example.com"], allow_credentials=True)


def test_policy_and_its_public_values_cannot_be_changed() -> None:
    policy = fresh_policy()
    with pytest.raises(AttributeError):
        policy.allow_origins = ("https://evil.example",)
    with pytest.raises(AttributeError):
        policy.allow_origins.append("https://evil.example")  # type: ignore[attr-defined]
    pattern = policy.origin_patterns[1]
    assert isinstance(pattern, OriginPattern)
    with pytest.raises(dataclasses.FrozenInstanceError):
        pattern.host = ".evil.example"  # type: ignore[misc]
    assert policy.decide("GET", "https://evil.example").headers == ()


def test_policy_attributes_cannot_be_deleted() -> None:
    policy = fresh_policy()
    for name in ("allow_credentials", "_any_origin", "_actual_by_origin"):
        try:
            delattr(policy, name)
        except AttributeError:
            continue
        pytest.fail(f"del policy.{name} succeeded: the policy is no longer immutable")


def test_decision_attributes_cannot_be_deleted() -> None:
    decision = fresh_policy().decide("GET", APP_ORIGIN)
    with pytest.raises(AttributeError):
        del decision.headers


IMMUTABLE_LEAVES = (str, bytes, int, float, bool, type(None), re.Pattern)
IMMUTABLE_CONTAINERS = (tuple, frozenset)


def mutable_values(value: object, path: str, seen: set[int]) -> list[str]:
    """Paths to every mutable container reachable from ``value``'s public attributes."""
    if id(value) in seen or isinstance(value, IMMUTABLE_LEAVES) or callable(value):
        return []
    seen.add(id(value))
    if isinstance(value, IMMUTABLE_CONTAINERS):
        found = []
        for index, item in enumerate(value):
            found += mutable_values(item, f"{path}[{index}]", seen)
        return found
    if isinstance(value, types.MappingProxyType):
        # A read-only view of a private copy (Vocabulary's tables): immutable to its holders.
        found = []
        for key, item in value.items():
            found += mutable_values(item, f"{path}[{key!r}]", seen)
        return found
    if dataclasses.is_dataclass(value) and value.__dataclass_params__.frozen:  # type: ignore[union-attr]
        found = []
        for field in dataclasses.fields(value):
            found += mutable_values(getattr(value, field.name), f"{path}.{field.name}", seen)
        return found
    if isinstance(value, (Policy, Decision)):
        names = [n for n in dir(value) if not n.startswith("_") and hasattr(value, n)]
        found = []
        for name in names:
            found += mutable_values(getattr(value, name), f"{path}.{name}", seen)
        return found
    return [f"{path}: {type(value).__name__}"]


@pytest.mark.parametrize("policy", [POLICY, ANY_HEADER_POLICY], ids=["lists", "any"])
def test_everything_public_and_shared_is_immutable(policy: Policy) -> None:
    values: list[tuple[str, object]] = [
        ("policy", policy),
        ("actual decision", policy.decide("GET", APP_ORIGIN)),
        ("non-CORS decision", policy.decide("GET", None)),
        ("preflight decision", policy.decide("OPTIONS", APP_ORIGIN, "PUT")),
        ("OWNED_RESPONSE_HEADERS", cors_headers.OWNED_RESPONSE_HEADERS),
        ("FORBIDDEN_REQUEST_HEADERS", cors_headers.FORBIDDEN_REQUEST_HEADERS),
        ("SAFELISTED_METHODS", cors_methods.SAFELISTED_METHODS),
        ("FORBIDDEN_METHODS", cors_methods.FORBIDDEN_METHODS),
    ]
    found: list[str] = []
    for label, value in values:
        found += mutable_values(value, label, set())
    assert found == []


def snapshot(value: object, seen: set[int] | None = None) -> object:
    """A deep, comparable copy of an object's state, private slots included; locks and the
    run-time allow-list's cache (which is meant to change, under its lock) are left out."""
    seen = set() if seen is None else seen
    if isinstance(value, IMMUTABLE_LEAVES) or callable(value) or id(value) in seen:
        return repr(value) if not isinstance(value, IMMUTABLE_LEAVES) else value
    seen.add(id(value))
    if hasattr(value, "_lock"):
        return type(value).__name__
    if isinstance(value, dict):
        return {k: snapshot(v, seen) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, *(snapshot(v, seen) for v in value)]
    if isinstance(value, (set, frozenset)):
        return [type(value).__name__, *sorted(map(repr, value))]
    slots = [s for cls in type(value).__mro__ for s in getattr(cls, "__slots__", ())]
    names = [*slots, *getattr(value, "__dict__", {})]
    return {name: snapshot(getattr(value, name), seen) for name in names if hasattr(value, name)}


@pytest.mark.usefixtures("fast_switching")
def test_hammering_leaves_every_precomputed_value_as_it_was() -> None:
    before = snapshot(POLICY), snapshot(ANY_HEADER_POLICY)
    middleware = CORSMiddleware(echo_app, policy=POLICY)

    def worker(number: int) -> None:
        chooser = random.Random(number)
        for index in range(100):
            case = Case(number, index, chooser.choice(KINDS[:-1]))
            _, headers, _ = call(middleware, case)
            headers.append(("Access-Control-Allow-Origin", "https://evil.example"))
            headers.reverse()

    hammer(worker)
    assert (snapshot(POLICY), snapshot(ANY_HEADER_POLICY)) == before


def test_asgi_threads_with_their_own_loops_and_dropped_policies_never_mix_origins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Threads, each with its event loop, serve through ASGI middlewares whose policies are
    built and dropped (per-tenant policies, reloaded settings), while the small byte
    encoding tables fill and clear over and over: no response carries another origin."""
    import asyncio

    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware
    from cors_wsgi.core import decision as decision_module

    monkeypatch.setattr(decision_module, "_MAX_CACHED", 32)
    switch_interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    wrong: list[tuple[str, object]] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def serve(origin: str) -> None:
        sent: list[dict[str, Any]] = []

        async def send(message: Any) -> None:
            sent.append(message)

        headers = [(b"origin", origin.encode())]
        scope = {"type": "http", "method": "GET", "path": "/", "headers": headers}
        await ASGIMiddleware(app, allow_origins=[origin])(scope, receive, send)
        found = dict(sent[0]["headers"]).get(b"access-control-allow-origin")
        if found != origin.encode():
            wrong.append((origin, found))

    def worker(thread: int) -> None:
        async def requests() -> None:
            for serial in range(1500):
                await serve(f"https://tenant{thread}-{serial}.example")

        asyncio.run(requests())

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        sys.setswitchinterval(switch_interval)
    assert wrong == []
