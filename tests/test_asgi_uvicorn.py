"""cors_wsgi.asgi.CORSMiddleware under a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

uvicorn = pytest.importorskip("uvicorn")
pytest.importorskip("fastapi")

from fastapi import FastAPI  # noqa: E402

from cors_wsgi.asgi import CORSMiddleware  # noqa: E402

APP = "http://127.0.0.1:3000"


class Boom(Exception):
    pass


def make_app() -> FastAPI:
    app = FastAPI()

    @app.get("/api/items")
    def items() -> dict[str, list[int]]:
        return {"items": [1, 2]}

    @app.get("/api/boom")
    def boom() -> None:
        raise Boom("the view failed")

    app.add_middleware(
        CORSMiddleware, allow_origins=[APP], allow_credentials=True, allow_methods=["PUT"]
    )
    return app


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(make_app(), log_level="critical", lifespan="auto")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield sock.getsockname()[1]
    server.should_exit = True
    thread.join(10)
    sock.close()


def fetch(port: int, method: str, path: str, headers: dict[str, str]) -> http.client.HTTPResponse:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request(method, path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def test_preflight_and_actual_request_over_http(port: int) -> None:
    preflight = fetch(
        port,
        "OPTIONS",
        "/api/items",
        {"Origin": APP, "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status == 204
    assert preflight.getheader("access-control-allow-origin") == APP
    response = fetch(port, "GET", "/api/items", {"Origin": APP})
    assert response.status == 200
    assert response.getheader("access-control-allow-credentials") == "true"
    assert response.headers.get_all("access-control-allow-origin") == [APP]


def test_unhandled_exception_is_a_readable_500(port: int) -> None:
    response = fetch(port, "GET", "/api/boom", {"Origin": APP})
    assert response.status == 500
    assert response.getheader("access-control-allow-origin") == APP


def test_invalid_configuration_refuses_server_start_up(tmp_path: Path) -> None:
    """The FastAPI snippet, unchanged but for the import: uvicorn must not start, and its
    log must hold every problem with its fix."""
    (tmp_path / "snippet_app.py").write_text(
        textwrap.dedent(
            """
            from fastapi import FastAPI
            from cors_wsgi.asgi import CORSMiddleware

            app = FastAPI()
            app.add_middleware(
                CORSMiddleware,
                allow_origins=["*", "frontend-app.yourdomain.com"],
                allow_credentials=True,
                allow_methods=["*"],
                allow_headers=["*"],
            )
            """
        )
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "--app-dir",
            str(tmp_path),
            "--port=0",
            "snippet_app:app",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "[E012] allow_origins=['*', 'frontend-app.yourdomain.com']" in result.stderr
    assert "write 'https://frontend-app.yourdomain.com'" in result.stderr
    assert "Application startup failed. Exiting." in result.stderr
    assert "Uvicorn running" not in result.stderr
