"""Serve a WSGI application with a real threaded HTTP server on 127.0.0.1.

Used by the demo and by the browser test suite. Servers bind port 0 and read back the
port the kernel chose, so parallel runs never collide. The socket is bound as soon as a
:class:`BackgroundServer` is created and the application is attached later, because in a
CORS demo each side needs the other's origin before it can be configured.
"""

from __future__ import annotations

import inspect
import socket
import threading
import time
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import TYPE_CHECKING, Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

if TYPE_CHECKING:
    from collections.abc import Callable
    from types import TracebackType

    from _typeshed.wsgi import WSGIApplication

    from example_projects.journal import RequestJournal

__all__ = [
    "LOOPBACK",
    "BackgroundASGIServer",
    "BackgroundServer",
    "ExampleSite",
    "start_example_site",
]

# 127.0.0.1 on both sides keeps page and API cross-origin but same-site: Chromium then
# sends cookies with credentials: 'include' (on "localhost" it would block them as
# third-party cookies, and credential cases would fail for reasons that are not CORS).
LOOPBACK = "127.0.0.1"


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """wsgiref's server with one thread per connection, as browsers open several at once."""

    daemon_threads = True
    # Chromium opens a burst of connections per page; the default backlog of 5 can drop some.
    request_queue_size = 64


class _QuietRequestHandler(WSGIRequestHandler):
    """Keeps wsgiref's one-line-per-request access log off stderr."""

    def log_message(self, format: str, *args: object) -> None:
        return


class BackgroundServer:
    """A threaded WSGI server on ``127.0.0.1``, bound at construction, run in a thread.

    ``origin`` (``http://127.0.0.1:PORT``) is known as soon as the object exists; call
    :meth:`start` with the application, and :meth:`stop` (or use ``with``) to shut it down
    and close its socket.
    """

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self._server = _ThreadingWSGIServer((host, port), _QuietRequestHandler)
        self._thread: threading.Thread | None = None
        self.host = host
        self.port: int = self._server.server_address[1]

    @property
    def origin(self) -> str:
        """The serialized origin browsers send for pages served from here."""
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL, with a trailing slash."""
        return f"{self.origin}/"

    def start(self, app: WSGIApplication) -> BackgroundServer:
        """Serve ``app`` from a daemon thread; returns ``self``."""
        if self._thread is not None:
            raise RuntimeError(f"{self.origin} is already serving")
        self._server.set_app(app)
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"wsgi-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, wait for the serving thread and close the listening socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> BackgroundServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class BackgroundASGIServer:
    """An ASGI application under uvicorn on ``127.0.0.1``, bound at construction, run in a
    thread: the same interface as :class:`BackgroundServer` (uvicorn is imported only here)."""

    def __init__(self, host: str = LOOPBACK, port: int = 0) -> None:
        self._socket = socket.socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, port))
        self._server: Any = None
        self._thread: threading.Thread | None = None
        self.host = host
        self.port: int = self._socket.getsockname()[1]

    @property
    def origin(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.origin}/"

    def start(self, app: Any) -> BackgroundASGIServer:
        """Serve ``app`` from a daemon thread, once uvicorn has started it; returns ``self``."""
        import uvicorn

        if self._thread is not None:
            raise RuntimeError(f"{self.origin} is already serving")
        config = uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run,
            kwargs={"sockets": [self._socket]},
            name=f"asgi-server-{self.port}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"uvicorn did not start on {self.origin} (see its log)")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(15)
            self._thread = None
        self._socket.close()


def _is_asgi(app: object) -> bool:
    return inspect.iscoroutinefunction(app) or inspect.iscoroutinefunction(
        getattr(app, "__call__", None)  # noqa: B004 (ASGI apps are async callables)
    )


@dataclass
class ExampleSite:
    """An example API and the demo page on two other origins, all serving.

    ``page`` is on the origin the API's ``/api/`` policy lists, ``unlisted_page`` on one it
    does not; ``journal`` records what the API server received.
    """

    example: str
    api: BackgroundServer | BackgroundASGIServer
    page: BackgroundServer
    unlisted_page: BackgroundServer
    journal: RequestJournal

    def stop(self) -> None:
        """Stop all three servers."""
        for server in (self.page, self.unlisted_page, self.api):
            server.stop()


def start_example_site(
    example: str,
    create_app: Callable[[str], WSGIApplication],
    journal: RequestJournal,
    *,
    api_port: int = 0,
    page_port: int = 0,
    unlisted_page_port: int = 0,
) -> ExampleSite:
    """Serve ``create_app(page_origin)`` and the demo page, each on its own origin.

    ``create_app`` builds the example's API for a page served from the origin it is given;
    port 0 lets the kernel choose each port.
    """
    # Imported here so that serving a bare WSGI app never needs the demo page.
    from example_projects.frontend import create_page_app

    servers: list[Any] = []
    try:
        for port in (page_port, unlisted_page_port):
            servers.append(BackgroundServer(port=port))
        page, unlisted_page = servers
        app: Any = create_app(page.origin)
        if _is_asgi(app):  # the FastAPI example: under uvicorn
            api: Any = BackgroundASGIServer(port=api_port)
            servers.append(api)
            api.start(journal.wrap_asgi(app))
        else:
            api = BackgroundServer(port=api_port)
            servers.append(api)
            api.start(journal.wrap(app))
        unlisted_page.start(
            create_page_app(
                api_origin=api.origin, role="unlisted", journal=journal, example=example
            )
        )
        page.start(
            create_page_app(
                api_origin=api.origin,
                role="listed",
                journal=journal,
                example=example,
                unlisted_page_url=unlisted_page.url,
            )
        )
    except BaseException:
        for server in servers:
            server.stop()
        raise
    return ExampleSite(example, api, page, unlisted_page, journal)
