"""CORSMiddleware for ASGI 3 applications (Starlette, FastAPI, Django, Litestar, any callable).

It translates only: the request's headers into the core's plain values, and the core's
decision into ASGI messages. Pure ASGI, standard library only.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any

from cors_wsgi.core import headers as h
from cors_wsgi.core.decision import decorate_bytes, preflight_response_bytes
from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.methods import OPTIONS
from cors_wsgi.core.paths import PathPolicies, PathsInput, ScopedPolicies, policies_from_options
from cors_wsgi.core.policy import Policy

if TYPE_CHECKING:
    from cors_wsgi.core.decision import Decision

__all__ = ["ASGIApp", "CORSMiddleware", "Message", "Receive", "Scope", "Send", "decide_scope"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger("cors_wsgi")


# The request headers the core reads, as ASGI spells them (lowercase bytes), and their
# position in decide()'s arguments after the method.
def _asgi_name(header: str) -> bytes:
    return header.lower().encode("latin-1")


_ORIGIN = _asgi_name(h.ORIGIN)
# Every spelling of the name in any case (64 of them): one set lookup for each request line.
_ORIGIN_SPELLINGS = frozenset(
    bytes(spelling) for spelling in itertools.product(*((c, c ^ 0x20) for c in _ORIGIN))
)
_PREFLIGHT_FIELDS = {
    _asgi_name(header): index
    for index, header in enumerate(
        (h.ORIGIN, h.REQUEST_METHOD, h.REQUEST_HEADERS, h.REQUEST_PRIVATE_NETWORK)
    )
}
_EMPTY_BODY = {"type": "http.response.body", "body": b""}
_ERROR_BODY = b"Internal Server Error"
_ERROR_HEADERS = [
    (_asgi_name(h.CONTENT_TYPE), b"text/plain; charset=utf-8"),
    (_asgi_name(h.CONTENT_LENGTH), str(len(_ERROR_BODY)).encode("ascii")),
]
_WEBSOCKET_REFUSAL = b"This origin may not open a WebSocket here."


def _latin1(value: bytes) -> str:
    # Origins are ASCII, for which UTF-8 is latin-1 and CPython's fastest decoder.
    return value.decode() if value.isascii() else value.decode("latin-1")


def _joined(values: list[bytes]) -> str:
    # Repeated lines are joined with ",", as WSGI servers join them: a list for
    # Access-Control-Request-Headers (R13), and never an allowed Origin (R41).
    return _latin1(b",".join(values))


def decide_scope(policy: Policy, scope: Scope) -> Decision:
    """The core's decision for an ``http`` scope.

    Header names are compared in any case (servers should, but need not, lowercase them);
    values are latin-1, and a header sent on several lines is read as one value, its lines
    joined by ``,`` (so two Origin lines are never an allowed origin). Each header is read
    in one pass over the list; only an OPTIONS request can be a preflight, so only then
    are the preflight headers looked for.
    """
    method = scope["method"]
    if method == OPTIONS:
        return _decide_options(policy, scope["headers"])
    origin: bytes | None = None
    more_lines: list[bytes] | None = None
    for name, value in scope["headers"]:
        if name in _ORIGIN_SPELLINGS:
            if origin is None:
                origin = value
            elif more_lines is None:
                more_lines = [origin, value]
            else:
                more_lines.append(value)
    if origin is None:
        return policy.decide(method, None)
    if more_lines is not None:
        return policy.decide(method, _joined(more_lines))
    # _latin1(), inlined: this is every CORS request's path.
    return policy.decide(method, origin.decode() if origin.isascii() else origin.decode("latin-1"))


def _decide_options(policy: Policy, headers: Iterable[tuple[bytes, bytes]]) -> Decision:
    found: list[list[bytes] | None] = [None, None, None, None]
    for name, value in headers:
        index = _PREFLIGHT_FIELDS.get(name)
        if index is None and not name.islower():
            index = _PREFLIGHT_FIELDS.get(name.lower())
        if index is not None:
            values = found[index]
            if values is None:
                found[index] = [value]
            else:
                values.append(value)
    origin, request_method, request_headers, private_network = found
    return policy.decide(
        OPTIONS,
        None if origin is None else _joined(origin),
        None if request_method is None else _joined(request_method),
        None if request_headers is None else _joined(request_headers),
        None if private_network is None else _joined(private_network),
    )


def _route_path(scope: Scope) -> str:
    """The path below ``root_path``, which ``paths=`` keys are matched against (as the WSGI
    middleware matches PATH_INFO, not SCRIPT_NAME)."""
    path: str = scope.get("path") or "/"
    root: str = scope.get("root_path") or ""
    if root and path.startswith(root) and (len(path) == len(root) or path[len(root)] == "/"):
        path = path[len(root) :]
    return path or "/"


def _inside_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def _app_given_by_keyword(scope: Scope, receive: Receive, send: Send) -> None:
    raise AssertionError("a placeholder, replaced in CORSMiddleware.__init__")  # pragma: no cover


class CORSMiddleware(ScopedPolicies):
    """Wraps an ASGI 3 application and gives it CORS.

    Takes the keywords of :class:`cors_wsgi.CORSMiddleware` (Starlette's names:
    ``allow_origins``, ``allow_origin_regex``, ``allow_methods``, ``allow_headers``,
    ``allow_credentials``, ``expose_headers``, ``max_age``, ... and the rest of
    :class:`~cors_wsgi.Policy`'s), or ``policy=``, or ``paths=``; plus
    ``check_websocket_origin=True`` to refuse WebSocket handshakes from origins the policy
    does not allow.

    What is promised, for ``http`` scopes in CORS scope:

    - preflights are answered here and never reach the application (R7), unless the
      policy sets ``preflight_passthrough``;
    - every other response, whatever its status, gets the decision's headers on
      ``http.response.start``: at most one of each (the app's copies are replaced) and one
      merged ``vary`` line; names are lowercase bytes. Body messages, ``more_body``
      chunks and trailers pass through as they come, never buffered;
    - when the application raises before ``http.response.start``, a 500 with the CORS
      headers is sent, so the browser shows the error and not a CORS failure, and the
      exception is re-raised for the server (or Starlette) to log. When it raises later,
      the exception propagates unchanged.

    ``lifespan`` scopes (and their ``state``) and ``websocket`` scopes pass through
    untouched, except for the WebSocket origin check when it is on.

    Invalid configuration raises :class:`~cors_wsgi.ConfigError` here. Built inside a
    running event loop (Starlette's ``add_middleware`` builds the stack during lifespan
    start-up, where servers swallow exceptions), it instead fails lifespan start-up with
    the problems, so the server refuses to start, and raises the error on every request.
    """

    __slots__ = ("_check_websocket_origin", "_config_error", "_paths", "_policy", "app")

    def __init__(
        self,
        app: ASGIApp = _app_given_by_keyword,
        /,
        *,
        paths: PathsInput | None = None,
        policy: Policy | Mapping[str, Any] | None = None,
        check_websocket_origin: bool = False,
        **options: Any,
    ) -> None:
        if app is _app_given_by_keyword:
            # Older Starlette releases build their stack with cls(app=app, ...).
            app = options.pop("app", None)
            if app is None:
                raise TypeError("CORSMiddleware needs the ASGI application it wraps")
        self.app = app
        self._policy: Policy | None = None
        self._paths: PathPolicies | None = None
        self._config_error: ConfigError | None = None
        self._check_websocket_origin = check_websocket_origin
        try:
            if not isinstance(check_websocket_origin, bool):
                raise ConfigError(
                    [
                        ConfigProblem(
                            Code.WRONG_TYPE,
                            "check_websocket_origin",
                            check_websocket_origin,
                            "give True or False",
                        )
                    ]
                )
            self._policy, self._paths = policies_from_options(
                "CORSMiddleware", paths, policy, options
            )
        except ConfigError as error:
            if not _inside_running_loop():
                raise
            self._config_error = error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._config_error is not None:
            await self._other_scope(scope, receive, send)
            return
        policy = self._policy
        if policy is None:
            policy = self._paths.policy_for(_route_path(scope))  # type: ignore[union-attr]
            if policy is None:
                await self.app(scope, receive, send)
                return
        decision = decide_scope(policy, scope)
        if decision.answer_here:
            status, headers = preflight_response_bytes(decision)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send(_EMPTY_BODY.copy())
            return
        started = False

        # A coroutine function, as send is everywhere: asgiref's async_to_sync (WsgiToAsgi,
        # Channels' consumers) warns of anything else. The app's message is copied, never
        # changed: it may be a constant the app sends on every request.
        async def send_with_cors(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                try:
                    app_headers = message["headers"]
                except KeyError:  # optional: a response without headers of its own
                    app_headers = ()
                message = message.copy()  # type: ignore[attr-defined]  # ASGI's are dicts
                message["headers"] = decorate_bytes(decision, app_headers)
            await send(message)

        try:
            await self.app(scope, receive, send_with_cors)
        except Exception:
            if not started:
                # Nobody has answered yet: without this 500 the server's own carries no
                # CORS headers and the browser reports a CORS error instead of the crash.
                # The client may be gone already; the app's exception is the one to report.
                with contextlib.suppress(Exception):
                    await send(
                        {
                            "type": "http.response.start",
                            "status": 500,
                            "headers": decorate_bytes(decision, _ERROR_HEADERS),
                        }
                    )
                    await send({"type": "http.response.body", "body": _ERROR_BODY})
            raise

    async def _other_scope(self, scope: Scope, receive: Receive, send: Send) -> None:
        error = self._config_error
        if error is not None:
            if scope["type"] == "lifespan":
                await _refuse_startup(error, receive, send)
            raise error
        if (
            scope["type"] == "websocket"
            and self._check_websocket_origin
            and not self._websocket_origin_allowed(scope)
        ):
            await _refuse_websocket(scope, receive, send)
            return
        await self.app(scope, receive, send)

    def _websocket_origin_allowed(self, scope: Scope) -> bool:
        """Browsers apply no CORS to WebSockets, but send the page's Origin on the
        handshake: a handshake is let in if the policy allows that origin as it would a
        GET (a refusal is logged by the core), or if there is no Origin (not a browser)."""
        policy = self.policy_for(_route_path(scope))
        if policy is None:
            return True
        origins = [value for name, value in scope["headers"] if name.lower() == _ORIGIN]
        if not origins:
            return True
        return bool(policy.decide("GET", _joined(origins)).allowed)


async def _refuse_startup(error: ConfigError, receive: Receive, send: Send) -> None:
    """Fail start-up with the problems, then raise them, as Starlette's own router does
    with a failing start-up handler: servers log the message and refuse to start."""
    message = await receive()
    if message["type"] == "lifespan.startup":
        await send({"type": "lifespan.startup.failed", "message": str(error)})
    raise error


async def _refuse_websocket(scope: Scope, receive: Receive, send: Send) -> None:
    """Refuse a handshake before the app sees it: an HTTP 403 with a body where the server
    offers the response extension, else a close before accept (which servers send as 403)."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    if "websocket.http.response" in (scope.get("extensions") or {}):
        await send(
            {
                "type": "websocket.http.response.start",
                "status": 403,
                "headers": [
                    (_asgi_name(h.CONTENT_TYPE), b"text/plain; charset=utf-8"),
                    (_asgi_name(h.CONTENT_LENGTH), str(len(_WEBSOCKET_REFUSAL)).encode("ascii")),
                ],
            }
        )
        await send({"type": "websocket.http.response.body", "body": _WEBSOCKET_REFUSAL})
    else:
        await send({"type": "websocket.close", "code": 1008})
