"""cors_wsgi.asgi.CORSMiddleware through raw ASGI 3 calls, checked by a strict server."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from cors_wsgi import ConfigError, Policy
from cors_wsgi.asgi import CORSMiddleware, decide_scope
from tests.asgi_server import (
    Exchange,
    Message,
    ProtocolError,
    communicator,
    http_scope,
    run,
    serve_http,
)

APP = b"https://app.example.com"
EVIL = b"https://evil.example"
OPTIONS: dict[str, Any] = {
    "allow_origins": ["https://app.example.com"],
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["content-type", "x-token"],
    "allow_credentials": True,
    "expose_headers": ["x-total"],
}


class Recorder:
    """An ASGI app that answers as told and records what it saw."""

    def __init__(self, headers: list[Any] | None = None, chunks: tuple[bytes, ...] = (b"hi",)):
        self.headers = headers if headers is not None else [(b"content-type", b"text/plain")]
        self.chunks = chunks
        self.scopes: list[dict[str, Any]] = []

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.scopes.append(scope)
        await send({"type": "http.response.start", "status": 200, "headers": self.headers})
        for i, chunk in enumerate(self.chunks):
            more = i < len(self.chunks) - 1
            await send({"type": "http.response.body", "body": chunk, "more_body": more})


def request(
    app: Any, method: str = "GET", path: str = "/", headers: tuple[Any, ...] = (), **extra: Any
) -> Exchange:
    result: Exchange = run(serve_http(app, http_scope(method, path, list(headers), **extra)))
    return result


def preflight_headers(method: bytes = b"PUT", *headers: bytes) -> tuple[Any, ...]:
    lines: list[Any] = [(b"origin", APP), (b"access-control-request-method", method)]
    lines += [(b"access-control-request-headers", value) for value in headers]
    return tuple(lines)


# ---- preflights (R7, R15, R16)


def test_allowed_preflight_is_answered_without_calling_the_app() -> None:
    app = Recorder()
    exchange = request(
        CORSMiddleware(app, **OPTIONS), "OPTIONS", headers=preflight_headers(b"PUT", b"x-token")
    )
    assert app.scopes == []
    assert exchange.status == 204
    assert exchange.values(b"access-control-allow-origin") == [APP]
    assert exchange.values(b"access-control-allow-credentials") == [b"true"]
    assert exchange.values(b"access-control-allow-methods") == [b"GET, POST, PUT"]
    assert exchange.body == b""
    assert exchange.values(b"vary") == [
        b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    ]


def test_refused_preflight_is_403_without_cors_headers() -> None:
    app = Recorder()
    exchange = request(
        CORSMiddleware(app, **OPTIONS), "OPTIONS", headers=preflight_headers(b"DELETE")
    )
    assert app.scopes == []
    assert exchange.status == 403
    assert not [n for n, _ in exchange.headers if n.startswith(b"access-control-")]


def test_preflight_status_200_says_its_body_is_empty() -> None:
    exchange = request(
        CORSMiddleware(Recorder(), **OPTIONS, preflight_status=200),
        "OPTIONS",
        headers=preflight_headers(),
    )
    assert exchange.status == 200
    assert exchange.values(b"content-length") == [b"0"]


def test_request_headers_in_several_lines_are_one_list_R13() -> None:
    exchange = request(
        CORSMiddleware(Recorder(), **OPTIONS),
        "OPTIONS",
        headers=preflight_headers(b"PUT", b"x-token", b"Content-Type"),
    )
    assert exchange.status == 204


def test_header_names_are_read_in_any_case() -> None:
    headers = ((b"Origin", APP), (b"Access-Control-Request-Method", b"PUT"))
    exchange = request(CORSMiddleware(Recorder(), **OPTIONS), "OPTIONS", headers=headers)
    assert exchange.status == 204
    exchange = request(CORSMiddleware(Recorder(), **OPTIONS), headers=((b"ORIGIN", APP),))
    assert exchange.values(b"access-control-allow-origin") == [APP]


def test_options_without_request_method_reaches_the_app_R3() -> None:
    app = Recorder()
    exchange = request(CORSMiddleware(app, **OPTIONS), "OPTIONS", headers=((b"origin", APP),))
    assert len(app.scopes) == 1
    assert exchange.values(b"access-control-allow-origin") == [APP]


def test_debug_mode_answers_a_refused_preflight_with_what_passed() -> None:
    exchange = request(
        CORSMiddleware(Recorder(), **OPTIONS, debug=True),
        "OPTIONS",
        headers=preflight_headers(b"PATCH"),
    )
    assert exchange.status == 204
    assert exchange.values(b"access-control-allow-origin") == [APP]
    # The methods that are allowed go out, so the console names PATCH as the failing step.
    assert exchange.values(b"access-control-allow-methods") == [b"GET, POST, PUT"]


def test_preflight_passthrough_reaches_the_app_and_is_decorated() -> None:
    app = Recorder()
    exchange = request(
        CORSMiddleware(app, **OPTIONS, preflight_passthrough=True),
        "OPTIONS",
        headers=preflight_headers(),
    )
    assert len(app.scopes) == 1
    assert exchange.values(b"access-control-allow-origin") == [APP]


# ---- actual responses (R18, R29, R30)


def test_allowed_response_gets_each_header_once_with_vary_merged() -> None:
    app = Recorder(
        headers=[
            [b"content-type", b"text/plain"],  # lists, as some apps send them
            (b"access-control-allow-origin", b"*"),
            (b"vary", b"Accept-Encoding"),
        ]
    )
    exchange = request(CORSMiddleware(app, **OPTIONS), headers=((b"origin", APP),))
    assert exchange.values(b"access-control-allow-origin") == [APP]
    assert exchange.values(b"access-control-expose-headers") == [b"x-total"]
    assert exchange.values(b"vary") == [b"Accept-Encoding, Origin"]
    assert exchange.values(b"content-type") == [b"text/plain"]
    assert exchange.body == b"hi"


def test_refused_origin_gets_only_vary() -> None:
    exchange = request(CORSMiddleware(Recorder(), **OPTIONS), headers=((b"origin", EVIL),))
    assert not [n for n, _ in exchange.headers if n.startswith(b"access-control-")]
    assert exchange.values(b"vary") == [b"Origin"]


def test_request_without_origin_varies_on_origin_R30() -> None:
    exchange = request(CORSMiddleware(Recorder(), **OPTIONS))
    assert exchange.values(b"vary") == [b"Origin"]


def test_two_origin_lines_are_never_an_allowed_origin_R41() -> None:
    exchange = request(
        CORSMiddleware(Recorder(), **OPTIONS), headers=((b"origin", APP), (b"origin", APP))
    )
    assert exchange.values(b"access-control-allow-origin") == []


def test_origin_lines_in_two_spellings_are_never_an_allowed_origin_R41() -> None:
    """A server that keeps the client's spelling passes both lines on: they are one value."""
    for second in (b"Origin", b"ORIGIN", b"oRiGiN"):
        exchange = request(
            CORSMiddleware(Recorder(), **OPTIONS), headers=((b"origin", APP), (second, APP))
        )
        assert exchange.values(b"access-control-allow-origin") == [], second


def test_a_non_ascii_origin_is_read_as_latin_1_and_refused_R13(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = CORSMiddleware(Recorder(), **OPTIONS)
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        exchange = request(app, headers=((b"origin", b"https://caf\xe9.example"),))
    assert exchange.values(b"access-control-allow-origin") == []
    assert "'https://caf\xe9.example'" in caplog.text


def test_any_origin_sends_star_and_leaves_vary_alone_R31() -> None:
    app = Recorder(headers=[(b"vary", b"accept")])
    exchange = request(CORSMiddleware(app, allow_origins="*"), headers=((b"origin", EVIL),))
    assert exchange.values(b"access-control-allow-origin") == [b"*"]
    assert exchange.values(b"vary") == [b"accept"]


def test_the_apps_message_and_header_list_are_not_mutated_R55() -> None:
    headers = [(b"content-type", b"text/plain")]
    app = Recorder(headers=headers)
    request(CORSMiddleware(app, **OPTIONS), headers=((b"origin", APP),))
    assert headers == [(b"content-type", b"text/plain")]


def test_a_start_message_the_app_reuses_carries_each_requests_own_origin() -> None:
    """An app may send one constant start message on every request: it is copied, never
    changed, so no request's CORS headers reach another response (V21)."""
    app_headers = [(b"x-app", b"1")]
    start: dict[str, Any] = {"type": "http.response.start", "status": 200, "headers": app_headers}
    frozen = {**start, "headers": list(app_headers)}

    async def constant(scope: Any, receive: Any, send: Any) -> None:
        await send(start)
        await send({"type": "http.response.body", "body": b""})

    app = CORSMiddleware(
        constant, allow_origins=["https://a.example", "https://b.example"], allow_credentials=True
    )
    first = request(app, headers=((b"origin", b"https://a.example"),))
    second = request(app, headers=((b"origin", b"https://b.example"),))
    refused = request(app, headers=((b"origin", EVIL),))
    assert first.values(b"access-control-allow-origin") == [b"https://a.example"]
    assert second.values(b"access-control-allow-origin") == [b"https://b.example"]
    assert refused.values(b"access-control-allow-origin") == []
    assert start == frozen


def test_streamed_body_passes_chunk_by_chunk_as_it_comes() -> None:
    """Each chunk reaches the server before the app produces the next: nothing is buffered."""
    seen_by_server: list[bytes] = []
    produced: list[bytes] = []

    async def streaming_app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        for chunk in (b"a", b"b", b"c"):
            produced.append(chunk)
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
            assert seen_by_server == produced  # the server already has it
        await send({"type": "http.response.body", "body": b""})

    async def on_send(message: Message) -> None:
        if message["type"] == "http.response.body" and message["body"]:
            seen_by_server.append(message["body"])

    middleware = CORSMiddleware(streaming_app, **OPTIONS)
    exchange = run(serve_http(middleware, http_scope(), on_send=on_send))
    assert exchange.body == b"abc"
    assert [m["type"] for m in exchange.sent] == ["http.response.start"] + [
        "http.response.body"
    ] * 4


def test_trailers_pass_through() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [], "trailers": True})
        await send({"type": "http.response.body", "body": b"x"})
        await send({"type": "http.response.trailers", "headers": [(b"x-check", b"1")]})

    exchange = run(serve_http(CORSMiddleware(app, **OPTIONS), http_scope()))
    assert exchange.sent[-1] == {"type": "http.response.trailers", "headers": [(b"x-check", b"1")]}
    assert exchange.start["trailers"] is True


def test_request_body_and_disconnect_reach_the_app_as_sent() -> None:
    received: list[Message] = []

    async def reader(scope: Any, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            received.append(message)
            if message["type"] == "http.disconnect":
                return  # the client went away mid-body: the app gives up, sends nothing

    exchange = run(
        serve_http(
            CORSMiddleware(reader, **OPTIONS),
            http_scope("POST", headers=[(b"origin", APP)]),
            request_body=(b"part 1", b"part 2"),
            disconnect_after_body=True,
        )
    )
    assert [m.get("body") for m in received] == [b"part 1", b"part 2", None]
    assert exchange.sent == []


def test_strict_server_catches_a_broken_app() -> None:
    """The checking server of these tests does reject what the spec forbids."""

    async def broken(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.body", "body": b"x"})

    with pytest.raises(ProtocolError):
        run(serve_http(CORSMiddleware(broken, **OPTIONS), http_scope()))


# ---- the unhandled exception


class Boom(Exception):
    pass


def test_app_raising_before_start_gets_a_500_with_cors_headers_and_reraises() -> None:
    async def raising(scope: Any, receive: Any, send: Any) -> None:
        raise Boom("the view failed")

    sent: list[Message] = []

    async def main() -> None:
        async def on_send(message: Message) -> None:
            sent.append(message)

        await serve_http(
            CORSMiddleware(raising, **OPTIONS),
            http_scope(headers=[(b"origin", APP)]),
            on_send=on_send,
        )

    with pytest.raises(Boom):
        run(main())
    exchange = Exchange(sent)
    assert exchange.status == 500
    assert exchange.values(b"access-control-allow-origin") == [APP]
    assert exchange.values(b"access-control-allow-credentials") == [b"true"]
    assert exchange.body == b"Internal Server Error"


def test_app_raising_after_start_propagates_with_nothing_added() -> None:
    async def raising(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"half", "more_body": True})
        raise Boom("mid-body")

    sent: list[Message] = []

    async def on_send(message: Message) -> None:
        sent.append(message)

    with pytest.raises(Boom):
        run(
            serve_http(
                CORSMiddleware(raising, **OPTIONS),
                http_scope(headers=[(b"origin", APP)]),
                on_send=on_send,
            )
        )
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert Exchange(sent).values(b"access-control-allow-origin") == [APP]


def test_a_gone_client_does_not_hide_the_apps_exception() -> None:
    async def raising(scope: Any, receive: Any, send: Any) -> None:
        raise Boom("first")

    async def receive() -> Message:
        return {"type": "http.disconnect"}

    async def send(message: Any) -> None:
        raise OSError("connection reset")

    with pytest.raises(Boom):
        run(CORSMiddleware(raising, **OPTIONS)(http_scope(), receive, send))


# ---- scopes, paths


def test_paths_are_matched_below_root_path() -> None:
    app = Recorder()
    middleware = CORSMiddleware(app, paths={"/api/": OPTIONS})
    mounted = request(middleware, path="/api/items", headers=((b"origin", APP),), root_path="/v1")
    assert mounted.values(b"access-control-allow-origin") == [APP]
    outside = request(middleware, path="/other", headers=((b"origin", APP),), root_path="/v1")
    assert outside.values(b"vary") == []
    assert outside.headers == [(b"content-type", b"text/plain")]
    # A root path is a whole segment: /v1api is not below /v1.
    assert middleware.policy_for("/api/x") is middleware.paths.policy_for("/api/x")  # type: ignore[union-attr]


def test_root_path_is_stripped_only_on_a_segment_boundary() -> None:
    middleware = CORSMiddleware(Recorder(), paths={"/v1api/": OPTIONS})
    exchange = request(middleware, path="/v1api/x", headers=((b"origin", APP),))
    assert exchange.values(b"access-control-allow-origin") == [APP]
    scope = http_scope(path="api/x", headers=[(b"origin", APP)])
    scope["path"], scope["root_path"] = "/v1api/x", "/v1"
    exchange = run(serve_http(middleware, scope))
    assert exchange.values(b"access-control-allow-origin") == [APP]


def test_lifespan_passes_through_with_its_state_object() -> None:
    seen: list[Any] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        seen.append(scope)
        message = await receive()
        assert message["type"] == "lifespan.startup"
        scope["state"]["ready"] = True
        await send({"type": "lifespan.startup.complete"})

    async def main() -> list[Message]:
        state: dict[str, Any] = {}
        talk = communicator(CORSMiddleware(app, **OPTIONS), {"type": "lifespan", "state": state})
        await talk.send_input({"type": "lifespan.startup"})
        output = [await talk.receive_output(1)]
        await talk.wait(1)
        assert seen[0]["state"] is state and state == {"ready": True}
        return output

    assert run(main()) == [{"type": "lifespan.startup.complete"}]


def test_decide_scope_reads_each_header_once() -> None:
    policy = Policy(**OPTIONS)
    scope = http_scope(
        "OPTIONS",
        headers=[
            (b"origin", APP),
            (b"access-control-request-method", b"PUT"),
            (b"access-control-request-headers", b"x-token"),
            (b"access-control-request-private-network", b"true"),
        ],
    )
    decision = decide_scope(policy, scope)
    assert decision.preflight and decision.allowed


# ---- configuration


def test_invalid_configuration_raises_when_built() -> None:
    async def app(scope: Any, receive: Any, send: Any) -> None: ...

    with pytest.raises(ConfigError) as caught:
        CORSMiddleware(app, allow_origins=["*"], allow_credentials=True)
    assert [p.code for p in caught.value.errors] == ["E012"]
    with pytest.raises(ConfigError, match="E030"):
        CORSMiddleware(app, policy=Policy(), allow_origins=["https://a.example"])
    with pytest.raises(ConfigError, match=re.escape("[E023] check_websocket_origin='yes'")):
        CORSMiddleware(app, check_websocket_origin="yes")  # type: ignore[arg-type]


def test_invalid_configuration_built_in_a_running_loop_fails_lifespan_startup() -> None:
    """Starlette's add_middleware builds the middleware during lifespan start-up, where a
    raised exception is taken by uvicorn as "lifespan unsupported" and the server starts."""

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("never reached")

    async def main() -> tuple[Message, Exception]:
        middleware = CORSMiddleware(app, allow_origins=["frontend.example.com"])
        talk = communicator(middleware, {"type": "lifespan", "state": {}})
        await talk.send_input({"type": "lifespan.startup"})
        failed = await talk.receive_output(1)
        with pytest.raises(ConfigError):
            await talk.wait(1)  # then raised, for servers that report exceptions
        with pytest.raises(ConfigError) as caught:
            await middleware(http_scope(), talk.input_queue.get, talk.output_queue.put)
        return failed, caught.value

    failed, error = run(main())
    assert failed["type"] == "lifespan.startup.failed"
    assert "[E001] allow_origins='frontend.example.com'" in failed["message"]
    assert "write 'https://frontend.example.com'" in failed["message"]
    assert str(error) == failed["message"]


# ---- WebSocket scopes


async def _websocket(
    middleware: Any, headers: list[tuple[bytes, bytes]], extensions: dict[str, Any] | None = None
) -> list[Message]:
    scope: dict[str, Any] = {"type": "websocket", "path": "/ws", "headers": headers}
    if extensions is not None:
        scope["extensions"] = extensions
    talk = communicator(middleware, scope)
    await talk.send_input({"type": "websocket.connect"})
    # Every answer to a handshake ends with a close or a response body. Wait for it as long
    # as a loaded machine may need (a short timeout took a slow answer for none), then for
    # the app to end, then take anything more it sent.
    output = [await talk.receive_output(5)]
    while output[-1]["type"] not in ("websocket.close", "websocket.http.response.body"):
        output.append(await talk.receive_output(5))
    await talk.wait(5)
    while not await talk.receive_nothing(0):
        output.append(await talk.receive_output(1))
    return output


async def echo_socket(scope: Any, receive: Any, send: Any) -> None:
    assert (await receive())["type"] == "websocket.connect"
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.close", "code": 1000})


def test_websocket_passes_untouched_without_the_guard() -> None:
    out = run(_websocket(CORSMiddleware(echo_socket, **OPTIONS), [(b"origin", EVIL)]))
    assert [m["type"] for m in out] == ["websocket.accept", "websocket.close"]


def test_websocket_guard_refuses_an_unlisted_origin_before_the_app(
    caplog: pytest.LogCaptureFixture,
) -> None:
    middleware = CORSMiddleware(echo_socket, **OPTIONS, check_websocket_origin=True)
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        out = run(_websocket(middleware, [(b"origin", EVIL)]))
    assert out == [{"type": "websocket.close", "code": 1008}]
    assert "'https://evil.example' refused" in caplog.text


def test_websocket_guard_uses_the_http_response_extension_when_offered() -> None:
    middleware = CORSMiddleware(echo_socket, **OPTIONS, check_websocket_origin=True)
    out = run(_websocket(middleware, [(b"origin", EVIL)], {"websocket.http.response": {}}))
    assert [m["type"] for m in out] == [
        "websocket.http.response.start",
        "websocket.http.response.body",
    ]
    assert out[0]["status"] == 403


def test_websocket_guard_lets_listed_origins_and_non_browsers_in() -> None:
    middleware = CORSMiddleware(echo_socket, **OPTIONS, check_websocket_origin=True)
    for headers in ([(b"origin", APP)], [(b"Origin", APP)], []):
        out = run(_websocket(middleware, headers))
        assert [m["type"] for m in out] == ["websocket.accept", "websocket.close"], headers


def test_websocket_guard_leaves_paths_out_of_scope_alone() -> None:
    middleware = CORSMiddleware(echo_socket, paths={"/api/": OPTIONS}, check_websocket_origin=True)
    out = run(_websocket(middleware, [(b"origin", EVIL)]))
    assert [m["type"] for m in out] == ["websocket.accept", "websocket.close"]


def test_cors_fetch_runs_a_bare_asgi_application() -> None:
    from cors_wsgi.testing import cors_fetch

    middleware = CORSMiddleware(Recorder(), **OPTIONS)
    origin = APP.decode()
    cors_fetch(middleware, "/x", origin=origin, method="PUT", credentials=True).assert_allowed()
    cors_fetch(middleware, "/x", origin=origin, method="PATCH").assert_refused(
        step="preflight-allow-origin"
    )
    cors_fetch(middleware, "/x", origin="https://evil.example").assert_refused(step="allow-origin")


def test_the_app_may_be_given_by_keyword_as_older_starlette_does() -> None:
    app = Recorder()
    middleware = CORSMiddleware(app=app, **OPTIONS)
    assert middleware.app is app
    with pytest.raises(TypeError, match="needs the ASGI application"):
        CORSMiddleware(**OPTIONS)


def test_explain_takes_the_asgi_middleware() -> None:
    from cors_wsgi import explain

    middleware = CORSMiddleware(Recorder(), paths={"/api/": OPTIONS})
    assert explain(middleware, origin=APP.decode(), path="/api/x", credentials=True).allowed
    refused = explain(middleware, origin="https://evil.example", path="/api/x")
    assert not refused.allowed
    assert "No 'Access-Control-Allow-Origin' header" in str(refused)


def test_a_start_message_without_headers_gets_the_cors_headers() -> None:
    """ASGI makes ``headers`` optional on http.response.start."""

    async def bare(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body"})

    exchange = request(CORSMiddleware(bare, **OPTIONS), headers=((b"origin", APP),))
    assert exchange.values(b"access-control-allow-origin") == [APP]


def test_the_send_the_app_gets_is_a_coroutine_function_as_asgiref_expects() -> None:
    """asgiref's WsgiToAsgi (and Channels' sync consumers) hand ``send`` to async_to_sync,
    which warns of anything else: under warnings as errors, every request would be a 500."""
    import inspect
    import warnings

    from asgiref.wsgi import WsgiToAsgi

    seen: list[bool] = []

    async def inspecting(scope: Any, receive: Any, send: Any) -> None:
        seen.append(inspect.iscoroutinefunction(send))
        await Recorder()(scope, receive, send)

    request(CORSMiddleware(inspecting, **OPTIONS), headers=((b"origin", APP),))
    assert seen == [True]

    def wsgi_app(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"from wsgi"]

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        wrapped = WsgiToAsgi(wsgi_app)  # type: ignore[no-untyped-call]
        exchange = request(CORSMiddleware(wrapped, **OPTIONS), headers=((b"origin", APP),))
    assert exchange.values(b"access-control-allow-origin") == [APP]
    assert exchange.body == b"from wsgi"
