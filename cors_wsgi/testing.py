"""Test helpers: run the browser's CORS check on responses from your own test suite.

The check is :mod:`cors_wsgi.browser.fetch`, the same one ``cors-wsgi probe`` runs against live
servers, so a test passes exactly when a browser would let the page read the response.
It works on any server, not only on applications behind cors_wsgi.

Responses can come from Django's test client, Flask's (or Werkzeug's) test client, a WSGI
call given as ``(status, headers)``, or anything with ``status_code`` and ``headers``::

    from cors_wsgi.testing import assert_cors_allowed, assert_cors_refused, cors_fetch

    response = client.get("/api/items", headers={"Origin": "https://app.example.com"})
    assert_cors_allowed(response, credentials=True)          # origin read from the request

    # A preflighted request: let the helper send both, as the browser would.
    cors_fetch(client, "/api/items/1", origin="https://app.example.com", method="PUT",
               request_headers={"Content-Type": "application/json"}).assert_allowed()

In an async test (an ``httpx.AsyncClient``, Django's ``AsyncClient``, an ASGI app in the
running loop), ``await cors_fetch_async(...)`` takes the same arguments.

With pytest, the ``cors_check`` fixture offers the same (add ``pytest_plugins =
["cors_wsgi.testing"]`` to your root ``conftest.py`` if the plugin is not loaded
automatically), and the ini option ``cors_origin`` sets the default Origin.

No framework is imported here: Django, Flask and httpx (Starlette's TestClient) responses are
recognised by their shape.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import Any

from cors_wsgi.browser.exchange import CORSAssertionError, CORSExchange
from cors_wsgi.browser.fetch import (
    BrowserRequest,
    HeaderInput,
    ResponseHead,
    Verdict,
    check,
)
from cors_wsgi.browser.senders import async_sender_for, collected_cors_wsgi_log, sender_for
from cors_wsgi.core import headers as h
from cors_wsgi.core.policy import is_preflight

__all__ = [
    "CORSAssertionError",
    "CORSCheck",
    "CORSExchange",
    "assert_cors_allowed",
    "assert_cors_refused",
    "cors_fetch",
    "cors_fetch_async",
    "cors_verdict",
    "response_head",
]

_DJANGO_TEST_HOST = "http://testserver"


def response_head(response: object) -> ResponseHead:
    """What CORS looks at in ``response``: its status and header lines.

    Accepts a :class:`~cors_wsgi.browser.fetch.ResponseHead`, a ``(status, headers)`` or
    ``(status, headers, body)`` tuple from a WSGI call (status ``"200 OK"`` or ``200``), a
    Werkzeug/Flask response (repeated header lines kept), a Django response, an
    ``http.client`` response, or any object with ``status_code`` and ``headers``.
    """
    if isinstance(response, ResponseHead):
        return response
    if isinstance(response, tuple) and len(response) in (2, 3):
        return ResponseHead.create(response[0], response[1])
    status_code = getattr(response, "status_code", None)
    header_map: Any = getattr(response, "headers", None)
    if isinstance(status_code, int) and header_map is not None:
        if hasattr(header_map, "to_wsgi_list"):  # Werkzeug: keeps repeated lines apart
            return ResponseHead.create(status_code, header_map.to_wsgi_list())
        if hasattr(header_map, "multi_items"):  # httpx (Starlette's TestClient): likewise
            return ResponseHead.create(status_code, header_map.multi_items())
        return ResponseHead.create(status_code, list(header_map.items()))
    status = getattr(response, "status", None)
    if isinstance(status, int) and hasattr(response, "getheaders"):  # http.client
        return ResponseHead.create(status, response.getheaders())
    raise TypeError(
        f"cannot read a status and headers from {type(response).__name__}: give a Django or "
        "Flask test response, a (status, headers) tuple, or a cors_wsgi.browser.fetch.ResponseHead"
    )


class _SentRequest:
    """What a test client recorded about the request behind a response."""

    __slots__ = ("headers", "method", "url")

    def __init__(self, method: str, url: str, headers: dict[str, str]) -> None:
        self.method = method
        self.url = url
        self.headers = headers  # lowercased names

    @classmethod
    def of(cls, response: object) -> _SentRequest | None:
        sent: Any = getattr(response, "request", None)
        if isinstance(sent, Mapping):  # Django: the WSGI environ of the request
            headers = {
                key[5:].replace("_", "-").lower(): str(value)
                for key, value in sent.items()
                if key.startswith("HTTP_")
            }
            path = str(sent.get("PATH_INFO", "/"))
            return cls(str(sent.get("REQUEST_METHOD", "GET")), _DJANGO_TEST_HOST + path, headers)
        method = getattr(sent, "method", None)
        if isinstance(method, str) and hasattr(sent, "headers"):  # Werkzeug
            headers = {str(k).lower(): str(v) for k, v in sent.headers.items()}
            return cls(method, str(getattr(sent, "url", "")), headers)
        return None

    @property
    def is_preflight(self) -> bool:
        headers = self.headers
        return is_preflight(
            self.method, headers.get(h.ORIGIN.lower()), headers.get(h.REQUEST_METHOD.lower())
        )


def cors_verdict(
    response: object | None = None,
    *,
    preflight: object | None = None,
    origin: str | None = None,
    method: str | None = None,
    request_headers: HeaderInput = (),
    credentials: bool = False,
    url: str | None = None,
) -> Verdict:
    """The browser's verdict on ``response`` (and ``preflight``), without asserting.

    ``origin`` and ``method`` default to those of the request a Django or Flask test client
    recorded on the response. When ``response`` is itself the answer to a preflight
    (OPTIONS with Access-Control-Request-Method), it is judged as the preflight, and the
    method and headers default to what that preflight asked for. ``request_headers`` are
    the headers the page's script sets (they decide whether a preflight is needed, R12).
    """
    if response is None and preflight is None:
        raise TypeError("give the response to check (and preflight= for preflighted requests)")
    sent = _SentRequest.of(response) if response is not None else None
    if preflight is None and sent is not None and sent.is_preflight:
        preflight, response = response, None
    preflight_sent = _SentRequest.of(preflight) if preflight is not None else None
    recorded = sent or preflight_sent
    if origin is None:
        origin = recorded.headers.get("origin") if recorded is not None else None
        if origin is None:
            raise TypeError(
                "say which page makes the request: origin='https://app.example.com' (the "
                "response's request carried no Origin header)"
            )
    elif recorded is not None and recorded.headers.get("origin") not in (None, origin):
        raise ValueError(
            f"the response answers a request from {recorded.headers['origin']!r}, not from "
            f"{origin!r}; send the same Origin you check"
        )
    if method is None:
        method = _recorded_method(sent, preflight_sent)
    listed: list[str] = []
    if not request_headers and response is None:
        listed = _listed_header_names(preflight_sent)
    request = BrowserRequest.create(
        origin=origin,
        url=url if url is not None else (recorded.url if recorded is not None else ""),
        method=method,
        request_headers=request_headers,
        credentials=credentials,
        listed_header_names=listed,
    )
    if request.preflight_needed and preflight is None:
        raise ValueError(
            f"a browser sends a preflight before {request.method}"
            + (
                f" with {', '.join(request.unsafe_header_names)}"
                if request.unsafe_header_names
                else ""
            )
            + ": pass its response as preflight=, or let cors_fetch() send both requests"
        )
    return check(
        request,
        preflight=response_head(preflight) if preflight is not None else None,
        actual=response_head(response) if response is not None else None,
    )


def _recorded_method(sent: _SentRequest | None, preflight_sent: _SentRequest | None) -> str:
    """The method of the page's request, as the recorded requests show it (else GET)."""
    if sent is not None and not sent.is_preflight:
        return sent.method
    if preflight_sent is not None and preflight_sent.is_preflight:
        return preflight_sent.headers[h.REQUEST_METHOD.lower()]
    return "GET"


def _listed_header_names(preflight_sent: _SentRequest | None) -> list[str]:
    """The names a recorded preflight's Access-Control-Request-Headers lists.

    Only the names are known, never the values: each listed name is checked as the unsafe
    header the browser said it was (an empty value would make accept or content-language
    look safelisted, and the verdict more lenient than the browser)."""
    if preflight_sent is None or not preflight_sent.is_preflight:
        return []
    asked = preflight_sent.headers.get(h.REQUEST_HEADERS.lower(), "")
    return [name.strip() for name in asked.split(",") if name.strip()]


def assert_cors_allowed(
    response: object | None = None,
    *,
    preflight: object | None = None,
    origin: str | None = None,
    method: str | None = None,
    request_headers: HeaderInput = (),
    credentials: bool = False,
    url: str | None = None,
) -> Verdict:
    """Assert that a browser lets the page on ``origin`` read ``response``.

    Arguments as for :func:`cors_verdict`. On failure, the message is the browser's verdict,
    step by step, ending with Chromium's console text. Returns the verdict (its
    ``readable_headers`` say which headers the script can read).
    """
    __tracebackhide__ = True
    verdict = cors_verdict(
        response,
        preflight=preflight,
        origin=origin,
        method=method,
        request_headers=request_headers,
        credentials=credentials,
        url=url,
    )
    if not verdict.allowed:
        raise CORSAssertionError(f"CORS refused, expected allowed:\n{verdict}", verdict)
    return verdict


def assert_cors_refused(
    response: object | None = None,
    *,
    preflight: object | None = None,
    origin: str | None = None,
    method: str | None = None,
    request_headers: HeaderInput = (),
    credentials: bool = False,
    url: str | None = None,
    step: str | None = None,
) -> Verdict:
    """Assert that a browser blocks the page on ``origin`` from reading ``response``.

    ``step``, when given, is the name of the step that must fail (``"allow-origin"``,
    ``"preflight-allow-headers"``...; see :mod:`cors_wsgi.browser.fetch`). Returns the verdict.
    """
    __tracebackhide__ = True
    verdict = cors_verdict(
        response,
        preflight=preflight,
        origin=origin,
        method=method,
        request_headers=request_headers,
        credentials=credentials,
        url=url,
    )
    if verdict.allowed:
        raise CORSAssertionError(f"CORS allowed, expected refused:\n{verdict}", verdict)
    failed = verdict.failed_step
    if step is not None and (failed is None or failed.name != step):
        raise CORSAssertionError(
            f"CORS refused at {failed.name if failed else None!r}, expected at {step!r}:\n"
            f"{verdict}",
            verdict,
        )
    return verdict


def cors_fetch(
    client: object,
    url: str,
    *,
    origin: str,
    method: str = "GET",
    request_headers: HeaderInput = (),
    credentials: bool = False,
    body: bytes | str = b"",
) -> CORSExchange:
    """Do what a browser does for ``fetch(url, ...)`` from a page on ``origin``.

    Sends the preflight when a browser would (with exactly its headers), stops when the
    preflight fails, otherwise sends the actual request with the Origin, then judges both.
    ``client`` is a Django test ``Client``, a Flask or Werkzeug test client, Starlette's or
    FastAPI's ``TestClient`` (any ``httpx.Client``), or a WSGI or ASGI application. ``url``
    is a path (``/api/items?page=2``) or an absolute URL. Redirects are not followed. In an
    async test, use :func:`cors_fetch_async`.
    """
    send = sender_for(client)
    server_log: list[str] = []
    steps = _fetch_steps(url, origin, method, request_headers, credentials, body, server_log)
    sent = next(steps)
    while True:
        with collected_cors_wsgi_log(server_log):
            response = send(*sent)
        try:
            sent = steps.send(response)
        except StopIteration as finished:
            exchange: CORSExchange = finished.value
            return exchange


async def cors_fetch_async(
    client: object,
    url: str,
    *,
    origin: str,
    method: str = "GET",
    request_headers: HeaderInput = (),
    credentials: bool = False,
    body: bytes | str = b"",
) -> CORSExchange:
    """:func:`cors_fetch` for async tests (``await cors_fetch_async(client, ...)``).

    ``client`` may also be an ``httpx.AsyncClient`` (FastAPI's async tests send through
    one, over ``httpx.ASGITransport``) or Django's ``AsyncClient``; an ASGI application
    runs in the test's event loop. Other clients are called as :func:`cors_fetch` calls
    them.
    """
    send = async_sender_for(client)
    server_log: list[str] = []
    steps = _fetch_steps(url, origin, method, request_headers, credentials, body, server_log)
    sent = next(steps)
    while True:
        with collected_cors_wsgi_log(server_log):
            response = await send(*sent)
        try:
            sent = steps.send(response)
        except StopIteration as finished:
            exchange: CORSExchange = finished.value
            return exchange


# A request to send: method, url, header pairs, body.
_Request = tuple[str, str, list[tuple[str, str]], bytes]


def _fetch_steps(
    url: str,
    origin: str,
    method: str,
    request_headers: HeaderInput,
    credentials: bool,
    body: bytes | str,
    server_log: list[str],
) -> Generator[_Request, object, CORSExchange]:
    """The browser's side of one ``fetch()``, written once for both drivers above: it
    yields each request to send and is sent back its response, so the sending (in an
    event loop or not) is the driver's."""
    request = BrowserRequest.create(
        origin=origin,
        url=url,
        method=method,
        request_headers=request_headers,
        credentials=credentials,
    )
    preflight_response = None
    if request.preflight_needed:
        preflight_response = yield ("OPTIONS", url, request.preflight_headers(), b"")
        verdict = check(request, preflight=response_head(preflight_response))
        if not verdict.allowed:
            return CORSExchange(verdict, preflight_response, None, tuple(server_log))
    data = body.encode() if isinstance(body, str) else body
    response = yield (request.method, url, request.actual_headers(), data)
    verdict = check(
        request,
        preflight=response_head(preflight_response) if preflight_response is not None else None,
        actual=response_head(response),
    )
    return CORSExchange(verdict, preflight_response, response, tuple(server_log))


class CORSCheck:
    """The ``cors_check`` fixture: the helpers above with a default Origin.

    ``origin`` comes from the ini option ``cors_origin``. It is used when a call gives no
    ``origin=`` and the response does not record the Origin its request carried.
    """

    def __init__(self, origin: str | None = None) -> None:
        self.origin = origin

    def _with_origin(self, response: object | None, options: dict[str, Any]) -> dict[str, Any]:
        """``options`` with the default Origin, unless the call or the request recorded on
        the response already names one."""
        if options.get("origin") is None:
            recorded = [
                _SentRequest.of(item)
                for item in (response, options.get("preflight"))
                if item is not None
            ]
            if not any(sent is not None and "origin" in sent.headers for sent in recorded):
                options["origin"] = self.origin
        return options

    def verdict(self, response: object | None = None, **options: Any) -> Verdict:
        """:func:`cors_verdict`, with the default Origin."""
        return cors_verdict(response, **self._with_origin(response, options))

    def allowed(self, response: object | None = None, **options: Any) -> Verdict:
        """:func:`assert_cors_allowed`, with the default Origin."""
        __tracebackhide__ = True
        return assert_cors_allowed(response, **self._with_origin(response, options))

    def refused(self, response: object | None = None, **options: Any) -> Verdict:
        """:func:`assert_cors_refused`, with the default Origin."""
        __tracebackhide__ = True
        return assert_cors_refused(response, **self._with_origin(response, options))

    def fetch(self, client: object, url: str, **options: Any) -> CORSExchange:
        """:func:`cors_fetch`, with the default Origin."""
        return cors_fetch(client, url, origin=self._origin_of(options), **options)

    async def fetch_async(self, client: object, url: str, **options: Any) -> CORSExchange:
        """:func:`cors_fetch_async`, with the default Origin."""
        return await cors_fetch_async(client, url, origin=self._origin_of(options), **options)

    def _origin_of(self, options: dict[str, Any]) -> str:
        origin = options.pop("origin", None) or self.origin
        if origin is None:
            raise TypeError("give origin=, or set the ini option cors_origin")
        return str(origin)


# ---- the pytest plugin (entry point "cors_wsgi" in the pytest11 group)

try:
    import pytest
except ImportError:  # pragma: no cover - the helpers above work without pytest
    pass
else:

    def pytest_addoption(parser: pytest.Parser) -> None:
        parser.addini(
            "cors_origin",
            "the Origin that cors_wsgi's cors_check fixture uses when a call gives none",
            default="",
        )

    @pytest.fixture
    def cors_check(request: pytest.FixtureRequest) -> CORSCheck:
        """Run the browser's CORS check on responses: ``cors_check.allowed(response)``,
        ``cors_check.refused(response, step=...)``, ``cors_check.fetch(client, url, ...)``."""
        origin = str(request.config.getini("cors_origin") or "") or None
        return CORSCheck(origin)
