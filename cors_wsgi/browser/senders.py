"""Sending one request through a test client or an application, as the browser sends it.

:func:`sender_for` picks the way by the client's shape (no framework is imported): a Django
test ``Client``, a Flask or Werkzeug test client, Starlette's ``TestClient`` or an
``httpx.Client``, an ASGI application or a WSGI application. :mod:`cors_wsgi.testing`
sends its preflights and actual requests through it.
"""

from __future__ import annotations

import asyncio
import inspect
import io
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# Sends (method, url, header pairs, body) and returns the client's own response object.
Sender = Callable[[str, str, list[tuple[str, str]], bytes], object]


def sender_for(client: object) -> Sender:
    """A function sending one request through ``client``, chosen by the client's shape."""
    if hasattr(client, "generic") and hasattr(client, "handler"):
        return _django_sender(client)
    if hasattr(client, "open") and hasattr(client, "application"):
        return _werkzeug_sender(client)
    if hasattr(client, "request") and hasattr(client, "build_request"):
        return _httpx_sender(client)  # Starlette's and FastAPI's TestClient, httpx.Client
    if inspect.iscoroutinefunction(client) or inspect.iscoroutinefunction(
        getattr(client, "__call__", None)  # noqa: B004 (an ASGI app is an async callable)
    ):
        return _asgi_sender(client)
    if callable(client):
        return _wsgi_sender(client)
    raise TypeError(
        f"cannot send requests through {type(client).__name__}: give a Django test Client, "
        "a Flask/Werkzeug test client, Starlette's TestClient (or an httpx.Client), or a "
        "WSGI or ASGI application"
    )


def _httpx_sender(client: Any) -> Sender:
    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        return client.request(method, url, headers=headers, content=body)

    return send


def _asgi_sender(app: Any) -> Sender:
    """Runs an ASGI application for one request, in a fresh event loop."""

    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        parts = urlsplit(url)
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": parts.scheme or "http",
            "path": parts.path or "/",
            "raw_path": (parts.path or "/").encode("latin-1"),
            "root_path": "",
            "query_string": parts.query.encode("latin-1"),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in [("host", parts.netloc or "testserver"), *headers]
            ],
            "client": ("127.0.0.1", 50000),
            "server": ("testserver", 80),
        }
        inbox = [{"type": "http.request", "body": body, "more_body": False}]
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return inbox.pop() if inbox else {"type": "http.disconnect"}

        async def send_message(message: dict[str, Any]) -> None:
            sent.append(message)

        async def call() -> None:
            await app(scope, receive, send_message)

        asyncio.run(call())
        start = next(m for m in sent if m["type"] == "http.response.start")
        header_list = [
            (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
            for name, value in start.get("headers", [])
        ]
        content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
        return (int(start["status"]), header_list, content)

    return send


def _django_sender(client: Any) -> Sender:
    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        parts = urlsplit(url)
        extra: dict[str, str] = {}
        content_type = ""
        for name, value in headers:
            if name.lower() == "content-type":
                content_type = value
                continue
            key = "HTTP_" + name.upper().replace("-", "_")
            extra[key] = f"{extra[key]},{value}" if key in extra else value
        if parts.netloc:
            extra["HTTP_HOST"] = parts.netloc
        if parts.query:
            extra["QUERY_STRING"] = parts.query
        return client.generic(
            method,
            parts.path or "/",
            body,
            content_type,
            secure=parts.scheme == "https",
            **extra,
        )

    return send


def _werkzeug_sender(client: Any) -> Sender:
    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        return client.open(url, method=method, headers=headers, data=body)

    return send


def _wsgi_sender(app: WSGIApplication) -> Sender:
    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        parts = urlsplit(url)
        environ: dict[str, Any] = {}
        setup_testing_defaults(environ)
        environ.update(
            {
                "REQUEST_METHOD": method,
                "PATH_INFO": parts.path or "/",
                "QUERY_STRING": parts.query,
                "wsgi.input": io.BytesIO(body),
                "CONTENT_LENGTH": str(len(body)) if body else "",
            }
        )
        if parts.scheme:
            environ["wsgi.url_scheme"] = parts.scheme
        if parts.netloc:
            environ["HTTP_HOST"] = parts.netloc
        for name, value in headers:
            key = name.upper().replace("-", "_")
            if key not in ("CONTENT_TYPE", "CONTENT_LENGTH"):
                key = "HTTP_" + key
            environ[key] = f"{environ[key]},{value}" if key in environ else value
        captured: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(
            status: str, header_list: list[tuple[str, str]], exc_info: object = None
        ) -> Callable[[bytes], object]:
            captured[:] = [(status, header_list)]
            return lambda data: None

        result: Iterable[bytes] = app(environ, start_response)
        try:
            body_out = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        status, header_list = captured[0]
        return (status, header_list, body_out)

    return send
