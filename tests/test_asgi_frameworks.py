"""cors_wsgi.asgi.CORSMiddleware under Starlette's and FastAPI's TestClient, in both
placements: ``app.add_middleware(...)`` and wrapping the whole application."""

from __future__ import annotations

from typing import Any

import pytest

pytest.importorskip("starlette")
fastapi = pytest.importorskip("fastapi")

from fastapi import FastAPI, Request  # noqa: E402
from fastapi.responses import JSONResponse, PlainTextResponse  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.responses import Response  # noqa: E402
from starlette.routing import Route  # noqa: E402
from starlette.testclient import TestClient, WebSocketDenialResponse  # noqa: E402
from starlette.websockets import WebSocket  # noqa: E402

from cors_wsgi import ConfigError  # noqa: E402
from cors_wsgi.asgi import CORSMiddleware  # noqa: E402
from cors_wsgi.testing import assert_cors_allowed, assert_cors_refused, cors_fetch  # noqa: E402

APP = "https://app.example.com"
OPTIONS: dict[str, Any] = {
    "allow_origins": [APP],
    "allow_credentials": True,
    "allow_methods": ["GET", "POST", "PUT"],
    "allow_headers": ["content-type"],
}


class Boom(Exception):
    pass


def fastapi_app(handler_500: bool = False) -> FastAPI:
    app = FastAPI()

    @app.get("/api/items")
    def items() -> dict[str, list[int]]:
        return {"items": [1, 2]}

    @app.put("/api/items/{item}")
    def put_item(item: int) -> dict[str, int]:
        return {"item": item}

    @app.get("/api/boom")
    def boom() -> None:
        raise Boom("the view failed")

    if handler_500:

        @app.exception_handler(Boom)
        async def on_boom(request: Request, exc: Boom) -> JSONResponse:
            return JSONResponse({"error": "handled"}, status_code=500)

    return app


def test_the_fastapi_snippet_with_the_import_changed() -> None:
    app = fastapi_app()
    app.add_middleware(CORSMiddleware, **OPTIONS)
    client = TestClient(app)
    response = client.get("/api/items", headers={"Origin": APP})
    assert response.json() == {"items": [1, 2]}
    assert response.headers["access-control-allow-origin"] == APP
    assert response.headers["vary"] == "Origin"
    preflight = client.options(
        "/api/items/1",
        headers={
            "Origin": APP,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status_code == 204
    assert preflight.headers["access-control-allow-methods"] == "GET, POST, PUT"


def test_fastapis_star_with_credentials_is_refused_on_the_first_call() -> None:
    app = fastapi_app()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_credentials=True,
        allow_methods=["*"],
        allow_headers=["*"],
    )
    with pytest.raises(ConfigError, match=r"\[E012\] allow_origins=\['\*'\]"):
        TestClient(app).get("/api/items")


def test_fastapis_star_with_credentials_fails_lifespan_startup() -> None:
    app = fastapi_app()
    app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
    with pytest.raises(ConfigError, match=r"E012"), TestClient(app):
        pass  # pragma: no cover


@pytest.mark.parametrize("placement", ["add_middleware", "wrap"])
def test_unhandled_exception_gives_a_readable_500(placement: str) -> None:
    app = fastapi_app()
    if placement == "add_middleware":
        app.add_middleware(CORSMiddleware, **OPTIONS)
        asgi: Any = app
    else:
        asgi = CORSMiddleware(app, **OPTIONS)
    client = TestClient(asgi, raise_server_exceptions=False)
    response = client.get("/api/boom", headers={"Origin": APP})
    assert response.status_code == 500
    assert response.headers["access-control-allow-origin"] == APP
    assert response.text == "Internal Server Error"
    with pytest.raises(Boom):  # the exception still reaches the server
        TestClient(asgi).get("/api/boom", headers={"Origin": APP})


def test_wrapping_keeps_the_apps_own_500_handler() -> None:
    client = TestClient(CORSMiddleware(fastapi_app(handler_500=True), **OPTIONS))
    response = client.get("/api/boom", headers={"Origin": APP})
    assert response.status_code == 500
    assert response.json() == {"error": "handled"}
    assert response.headers["access-control-allow-origin"] == APP


def test_starlette_app_with_middleware_list_and_the_testing_helpers() -> None:
    from starlette.middleware import Middleware

    async def items(request: Any) -> Response:
        return PlainTextResponse("items", headers={"x-total": "2"})

    app = Starlette(
        routes=[Route("/api/items", items, methods=["GET", "PUT"])],
        middleware=[Middleware(CORSMiddleware, **OPTIONS, expose_headers=["x-total"])],
    )
    client = TestClient(app)
    verdict = assert_cors_allowed(
        client.get("/api/items", headers={"Origin": APP}), credentials=True
    )
    assert "x-total" in verdict.readable_headers
    assert_cors_refused(client.get("/api/items", headers={"Origin": "https://evil.example"}))
    cors_fetch(
        client,
        "/api/items",
        origin=APP,
        method="PUT",
        request_headers={"Content-Type": "application/json"},
        credentials=True,
        body=b"{}",
    ).assert_allowed()
    cors_fetch(client, "/api/items", origin=APP, method="DELETE").assert_refused(
        step="preflight-allow-origin"
    )


def test_websocket_guard_under_starlettes_test_client() -> None:
    app = fastapi_app()

    @app.websocket("/ws")
    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_text("hello")
        await websocket.close()

    client = TestClient(CORSMiddleware(app, **OPTIONS, check_websocket_origin=True))
    with client.websocket_connect("/ws", headers={"Origin": APP}) as ws:
        assert ws.receive_text() == "hello"
    # Starlette's TestClient offers the HTTP response extension: the refusal is a real 403.
    with (
        pytest.raises(WebSocketDenialResponse) as refused,
        client.websocket_connect("/ws", headers={"Origin": "https://evil.example"}),
    ):
        pass  # pragma: no cover
    assert refused.value.status_code == 403
    assert refused.value.text == "This origin may not open a WebSocket here."
    with client.websocket_connect("/ws") as ws:  # no Origin: not a browser
        assert ws.receive_text() == "hello"


# ---- the testing helpers in async tests (FastAPI's own way: httpx.AsyncClient)


def test_cors_fetch_async_through_httpx_async_client_as_fastapis_async_tests_do() -> None:
    import asyncio

    from cors_wsgi.testing import cors_fetch_async
    from tests.httpx_module import httpx

    app = fastapi_app()
    app.add_middleware(CORSMiddleware, **OPTIONS)

    async def main() -> tuple[Any, Any]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            allowed = await cors_fetch_async(
                client,
                "/api/items/1",
                origin=APP,
                method="PUT",
                request_headers={"Content-Type": "application/json"},
                credentials=True,
            )
            refused = await cors_fetch_async(
                client, "/api/items/1", origin="https://evil.example", method="PUT"
            )
        return allowed, refused

    allowed, refused = asyncio.run(main())
    allowed.assert_allowed()
    assert allowed.preflight.status_code == 204
    assert allowed.response.json() == {"item": 1}
    refused.assert_refused("preflight-allow-origin")
    # The application ran in the test's loop: the server's reason is there too.
    assert any("https://evil.example" in line for line in refused.server_log)


def test_cors_fetch_async_runs_an_asgi_app_in_the_running_loop() -> None:
    import asyncio

    from cors_wsgi.testing import CORSCheck, cors_fetch_async

    app = CORSMiddleware(fastapi_app(), **OPTIONS)

    async def main() -> tuple[Any, Any]:
        loop = asyncio.get_running_loop()
        exchange = await cors_fetch_async(app, "/api/items", origin=APP, credentials=True)
        assert asyncio.get_running_loop() is loop
        return exchange, await CORSCheck(APP).fetch_async(app, "/api/items/2", method="PUT")

    exchange, checked = asyncio.run(main())
    exchange.assert_allowed()
    checked.assert_allowed()


def test_cors_fetch_async_takes_sync_clients_too() -> None:
    import asyncio

    from cors_wsgi.testing import cors_fetch_async

    app = fastapi_app()
    app.add_middleware(CORSMiddleware, **OPTIONS)
    exchange = asyncio.run(cors_fetch_async(TestClient(app), "/api/items", origin=APP))
    exchange.assert_allowed()


def test_cors_fetch_in_an_async_test_says_to_await_cors_fetch_async() -> None:
    import asyncio

    from tests.httpx_module import httpx

    app = CORSMiddleware(fastapi_app(), **OPTIONS)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")
    with pytest.raises(TypeError, match=r"AsyncClient sends its requests in an event loop: "):
        cors_fetch(client, "/api/items", origin=APP)

    async def inside_a_loop() -> None:
        cors_fetch(app, "/api/items", origin=APP)

    with pytest.raises(RuntimeError, match=r"use `await cors_fetch_async\(\.\.\.\)`"):
        asyncio.run(inside_a_loop())
    asyncio.run(client.aclose())


@pytest.mark.anyio
async def test_cors_fetch_async_in_an_anyio_test_as_fastapis_docs_write_them() -> None:
    from cors_wsgi.testing import cors_fetch_async
    from tests.httpx_module import httpx

    app = fastapi_app()
    app.add_middleware(CORSMiddleware, **OPTIONS)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        exchange = await cors_fetch_async(client, "/api/items/3", origin=APP, method="PUT")
    exchange.assert_allowed()
    response: Any = exchange.response
    assert response.json() == {"item": 3}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"
