"""A record of what an HTTP server received, and of what cors_wsgi logged about each request.

The journal wraps the *outside* of a served application (outside any CORS middleware), so
it sees the preflights that the middleware answers without calling the application. The
demo page shows these entries next to what the browser allowed; the browser tests count
preflights with them and read the reason cors_wsgi gave for each refusal.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from _typeshed import OptExcInfo
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

__all__ = ["CORS_LOGGER_NAME", "JournalEntry", "RequestJournal"]

CORS_LOGGER_NAME = "cors_wsgi"


@dataclass
class JournalEntry:
    """One request as it reached the server, the status it got (or the exception the
    application raised), and cors_wsgi's log lines."""

    method: str
    path: str
    origin: str | None
    access_control_request_method: str | None
    access_control_request_headers: str | None
    had_cookie: bool
    status: str | None = None
    raised: str | None = None
    cors_log: list[str] = field(default_factory=list)

    @property
    def is_preflight(self) -> bool:
        """Whether the browser sent this as a preflight.

        An observation of what arrived (browsers send Access-Control-Request-Method only on
        preflights), not a CORS decision: deciding is cors_wsgi's job.
        """
        return self.method == "OPTIONS" and self.access_control_request_method is not None

    def as_json(self) -> dict[str, object]:
        """The entry as plain JSON data, for the demo page."""
        return {
            "method": self.method,
            "path": self.path,
            "origin": self.origin,
            "accessControlRequestMethod": self.access_control_request_method,
            "accessControlRequestHeaders": self.access_control_request_headers,
            "hadCookie": self.had_cookie,
            "preflight": self.is_preflight,
            "status": self.status,
            "raised": self.raised,
            "corsLog": list(self.cors_log),
        }


class _CurrentEntryLogHandler(logging.Handler):
    """Files each cors_wsgi log record under the request being served on its thread."""

    def __init__(self, journal: RequestJournal) -> None:
        super().__init__(level=logging.DEBUG)
        self._journal = journal

    def emit(self, record: logging.LogRecord) -> None:
        self._journal._file_log_message(record.getMessage())


class RequestJournal:
    """Thread-safe journal of requests; :meth:`wrap` an application to fill it.

    ``on_entry`` is called with each entry once its response is complete (the demo prints
    them). cors_wsgi's messages are only collected inside :meth:`capturing_cors_log`.
    """

    def __init__(self, on_entry: Callable[[JournalEntry], None] | None = None) -> None:
        self._lock = threading.Lock()
        self._entries: list[JournalEntry] = []
        self._current = threading.local()
        self._on_entry = on_entry
        self.unattributed_cors_log: list[str] = []

    def wrap(self, app: WSGIApplication) -> WSGIApplication:
        """``app`` with every request recorded in this journal."""

        def journaled_app(
            environ: WSGIEnvironment, start_response: StartResponse
        ) -> Iterable[bytes]:
            entry = JournalEntry(
                method=environ["REQUEST_METHOD"],
                path=environ.get("PATH_INFO", ""),
                origin=environ.get("HTTP_ORIGIN"),
                access_control_request_method=environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                access_control_request_headers=environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                had_cookie="HTTP_COOKIE" in environ,
            )
            with self._lock:
                self._entries.append(entry)

            def recording_start_response(
                status: str,
                headers: list[tuple[str, str]],
                exc_info: OptExcInfo | None = None,
            ) -> Callable[[bytes], object]:
                entry.status = status
                return start_response(status, headers, exc_info)

            with self._serving(entry):
                try:
                    body = app(environ, recording_start_response)
                except BaseException as error:
                    entry.raised = repr(error)
                    if self._on_entry is not None:
                        self._on_entry(entry)
                    raise
            return self._journaled_body(entry, body)

        return journaled_app

    def wrap_asgi(self, app: Any) -> Any:
        """An ASGI ``app`` with every ``http`` request recorded in this journal.

        cors_wsgi logs while it decides, before the request's first wait, so the entry set
        here as the thread's current one receives those lines (the server runs one loop).
        """

        async def journaled_app(scope: Any, receive: Any, send: Any) -> None:
            if scope["type"] != "http":
                await app(scope, receive, send)
                return
            headers = {
                name.decode("latin-1").lower(): value.decode("latin-1")
                for name, value in scope["headers"]
            }
            entry = JournalEntry(
                method=scope["method"],
                path=scope["path"],
                origin=headers.get("origin"),
                access_control_request_method=headers.get("access-control-request-method"),
                access_control_request_headers=headers.get("access-control-request-headers"),
                had_cookie="cookie" in headers,
            )
            with self._lock:
                self._entries.append(entry)

            async def recording_send(message: Any) -> None:
                if message["type"] == "http.response.start":
                    status = message["status"]
                    entry.status = f"{status} {HTTPStatus(status).phrase}"
                await send(message)

            self._current.entry = entry
            try:
                await app(scope, receive, recording_send)
            except BaseException as error:
                entry.raised = repr(error)
                raise
            finally:
                if self._on_entry is not None:
                    self._on_entry(entry)

        return journaled_app

    def entries(self, path_contains: str = "") -> list[JournalEntry]:
        """The entries so far (oldest first) whose path contains ``path_contains``."""
        with self._lock:
            return [entry for entry in self._entries if path_contains in entry.path]

    def preflights(self, path_contains: str = "") -> list[JournalEntry]:
        """The preflights received so far for paths containing ``path_contains``."""
        return [entry for entry in self.entries(path_contains) if entry.is_preflight]

    def cors_log(self, path_contains: str = "") -> list[str]:
        """What cors_wsgi logged while serving requests whose path contains ``path_contains``."""
        return [line for entry in self.entries(path_contains) for line in entry.cors_log]

    @contextlib.contextmanager
    def capturing_cors_log(self) -> Iterator[None]:
        """Collect the ``cors_wsgi`` logger's DEBUG records into the entries, then restore it."""
        logger = logging.getLogger(CORS_LOGGER_NAME)
        handler = _CurrentEntryLogHandler(self)
        previous_level = logger.level
        logger.setLevel(logging.DEBUG)
        logger.addHandler(handler)
        try:
            yield
        finally:
            logger.removeHandler(handler)
            logger.setLevel(previous_level)

    @contextlib.contextmanager
    def _serving(self, entry: JournalEntry) -> Iterator[None]:
        self._current.entry = entry
        try:
            yield
        finally:
            self._current.entry = None

    def _journaled_body(self, entry: JournalEntry, body: Iterable[bytes]) -> _JournaledBody:
        return _JournaledBody(self, entry, body)

    def _file_log_message(self, message: str) -> None:
        entry: JournalEntry | None = getattr(self._current, "entry", None)
        if entry is not None:
            entry.cors_log.append(message)
        else:
            with self._lock:
                self.unattributed_cors_log.append(message)


class _JournaledBody:
    """The application's body, still attributing log records to its request while it is
    produced (a framework may decide only when the first chunk is pulled), which always
    closes the inner body and reports the finished entry."""

    def __init__(self, journal: RequestJournal, entry: JournalEntry, body: Iterable[bytes]):
        self._journal = journal
        self._entry = entry
        self._body = body
        self._chunks: Iterator[bytes] | None = None

    def __iter__(self) -> _JournaledBody:
        return self

    def __next__(self) -> bytes:
        with self._journal._serving(self._entry):
            if self._chunks is None:
                self._chunks = iter(self._body)
            return next(self._chunks)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            if self._journal._on_entry is not None:
                self._journal._on_entry(self._entry)
