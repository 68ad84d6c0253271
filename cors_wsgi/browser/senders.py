"""Sending one request through a test client or an application, as the browser sends it.

:func:`sender_for` picks the way by the client's shape (no framework is imported): a Django
test ``Client``, a Flask or Werkzeug test client, Starlette's ``TestClient`` or an
``httpx.Client``, an ASGI application or a WSGI application. :func:`async_sender_for` is
its twin for code that runs in an event loop (an async test): it also takes an
``httpx.AsyncClient``, and runs an ASGI application in the loop that is running.
:mod:`cors_wsgi.testing` sends its preflights and actual requests through them.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit
from wsgiref.util import setup_testing_defaults

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

# Sends (method, url, header pairs, body) and returns the client's own response object.
Sender = Callable[[str, str, list[tuple[str, str]], bytes], object]
AsyncSender = Callable[[str, str, list[tuple[str, str]], bytes], Awaitable[object]]


def _is_httpx_client(client: object) -> bool:
    # Starlette's and FastAPI's TestClient, httpx.Client and httpx.AsyncClient
    return hasattr(client, "request") and hasattr(client, "build_request")


def _is_asgi_app(client: object) -> bool:
    return inspect.iscoroutinefunction(client) or inspect.iscoroutinefunction(
        getattr(client, "__call__", None)  # noqa: B004 (an ASGI app is an async callable)
    )


def _is_django_client(client: object) -> bool:
    return hasattr(client, "generic") and hasattr(client, "handler")


def _sends_in_a_loop(client: object) -> bool:
    """An async test client: Django's ``AsyncClient``, an ``httpx.AsyncClient`` (both
    send through an ``async def request``)."""
    return inspect.iscoroutinefunction(getattr(client, "request", None))


def sender_for(client: object) -> Sender:
    """A function sending one request through ``client``, chosen by the client's shape."""
    if _sends_in_a_loop(client):
        raise TypeError(
            f"{type(client).__name__} sends its requests in an event loop: "
            "use `await cors_fetch_async(client, ...)` instead of cors_fetch(client, ...)"
        )
    if _is_django_client(client):
        return _django_sender(client)
    if hasattr(client, "open") and hasattr(client, "application"):
        return _werkzeug_sender(client)
    if _is_httpx_client(client):
        return _httpx_sender(client)
    if _is_asgi_app(client):
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


def async_sender_for(client: object) -> AsyncSender:
    """:func:`sender_for` for code in an event loop: Django's ``AsyncClient`` and an
    ``httpx.AsyncClient`` are awaited, an ASGI application runs in the running loop, and
    any other client is called as it is."""
    async_client: Any = client
    if _sends_in_a_loop(client):
        if _is_django_client(client):

            async def send_through_django(
                method: str, url: str, headers: list[tuple[str, str]], body: bytes
            ) -> object:
                arguments, keywords = _django_arguments(
                    method, url, headers, body, as_environ=False
                )
                return await async_client.generic(*arguments, **keywords)

            return send_through_django

        async def send_through_httpx(
            method: str, url: str, headers: list[tuple[str, str]], body: bytes
        ) -> object:
            return await async_client.request(method, url, headers=headers, content=body)

        return send_through_httpx
    if _is_asgi_app(client):
        app: Any = client

        async def send_into_app(
            method: str, url: str, headers: list[tuple[str, str]], body: bytes
        ) -> object:
            return await _asgi_exchange(app, method, url, headers, body)

        return send_into_app
    send = sender_for(client)

    async def send_blocking(
        method: str, url: str, headers: list[tuple[str, str]], body: bytes
    ) -> object:
        return send(method, url, headers, body)

    return send_blocking


def _asgi_sender(app: Any) -> Sender:
    """Runs an ASGI application for one request, in a fresh event loop."""

    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return asyncio.run(_asgi_exchange(app, method, url, headers, body))
        raise RuntimeError(
            "this code runs in an event loop (an async test?), where an ASGI application "
            "cannot be run in a loop of its own: use `await cors_fetch_async(...)` instead "
            "of cors_fetch(...)"
        )

    return send


async def _asgi_exchange(
    app: Any, method: str, url: str, headers: list[tuple[str, str]], body: bytes
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request into an ASGI application, as a server sends it: its status, header
    list and body."""
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

    await app(scope, receive, send_message)
    start = next(m for m in sent if m["type"] == "http.response.start")
    header_list = [
        (bytes(name).decode("latin-1"), bytes(value).decode("latin-1"))
        for name, value in start.get("headers", [])
    ]
    content = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return (int(start["status"]), header_list, content)


def _django_sender(client: Any) -> Sender:
    def send(method: str, url: str, headers: list[tuple[str, str]], body: bytes) -> object:
        arguments, keywords = _django_arguments(method, url, headers, body, as_environ=True)
        return client.generic(*arguments, **keywords)

    return send


def _django_arguments(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes, *, as_environ: bool
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """What Django's ``Client.generic`` (``as_environ``: environ keys, which every Django
    version takes) or ``AsyncClient.generic`` (``headers=``: it puts other keywords in the
    ASGI scope itself) takes for a request."""
    parts = urlsplit(url)
    by_name: dict[str, str] = {}  # lowercase names: repeated lines joined, as servers do
    content_type = ""
    for name, value in headers:
        key = name.lower()
        if key == "content-type":
            content_type = value
        else:
            by_name[key] = f"{by_name[key]},{value}" if key in by_name else value
    if parts.netloc:
        by_name["host"] = parts.netloc
    keywords: dict[str, Any] = {"secure": parts.scheme == "https"}
    path = parts.path or "/"
    if as_environ:
        keywords.update(
            ("HTTP_" + name.upper().replace("-", "_"), value) for name, value in by_name.items()
        )
        if parts.query:
            keywords["QUERY_STRING"] = parts.query
    else:
        keywords["headers"] = by_name
        path = f"{path}?{parts.query}" if parts.query else path
    return (method, path, body, content_type), keywords


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


@contextmanager
def collected_cors_wsgi_log(into: list[str]) -> Iterator[None]:
    """Collect what the cors_wsgi logger says while requests are sent to an application in
    this process (refusals are logged at DEBUG).

    The logger is opened to DEBUG for the duration; a record below the level it had is
    collected but not passed on, so the application's own logging sees no difference.
    """
    log = logging.getLogger("cors_wsgi")
    level_before = log.level
    effective_before = log.getEffectiveLevel()

    def collect(record: logging.LogRecord) -> bool:
        into.append(record.getMessage())
        return record.levelno >= effective_before

    log.addFilter(collect)
    log.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        log.removeFilter(collect)
        log.setLevel(level_before)
