"""CORSMiddleware: CORS for any WSGI application, through the core policy."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any

from cors_wsgi.core.methods import OPTIONS
from cors_wsgi.core.paths import PathsInput, ScopedPolicies, policies_from_options
from cors_wsgi.core.policy import Policy

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from cors_wsgi.core.decision import Decision, HeaderList

__all__ = ["CORSMiddleware", "answer_preflight", "decide_environ", "request_path"]

ExcInfo = tuple[type[BaseException], BaseException, TracebackType] | tuple[None, None, None]
_STATUS_LINES = {code: f"{code} {HTTPStatus(code).phrase}" for code in (200, 204, 403)}


def request_path(environ: WSGIEnvironment) -> str:
    """The request's path as the application reads it, for choosing a policy by path.

    PEP 3333 hands PATH_INFO over as latin-1-decoded bytes, so ``/café/`` arrives as
    ``'/cafÃ©/'``; it is decoded as UTF-8 here (undecodable bytes become U+FFFD). Every
    adapter that matches paths uses this, so that all of them see the same characters.
    An empty PATH_INFO is ``"/"``.
    """
    path: str = environ.get("PATH_INFO") or "/"
    # A character above U+00FF is no latin-1 byte: a server that decoded the path already.
    if not path.isascii() and max(path) <= "\xff":
        path = path.encode("latin-1").decode("utf-8", "replace")
    return path


def decide_environ(policy: Policy, environ: WSGIEnvironment) -> Decision:
    """The core's decision for the request in a WSGI ``environ``.

    Servers join repeated header lines with ``,``, which the core reads as a list (R13).
    Only an OPTIONS request can be a preflight, so only then are its headers read.
    """
    method = environ["REQUEST_METHOD"]
    if method == OPTIONS:
        return policy.decide(
            method,
            environ.get("HTTP_ORIGIN"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
        )
    return policy.decide(method, environ.get("HTTP_ORIGIN"))


def answer_preflight(decision: Decision, start_response: StartResponse) -> list[bytes]:
    """Answer a preflight the decision says to answer here (R7): its status, its headers and
    an empty body; the application is never called."""
    status, headers = decision.preflight_response()
    start_response(_STATUS_LINES[status], headers)
    return []


class CORSMiddleware(ScopedPolicies):
    """Wraps a WSGI application and gives it CORS.

    Give either the :class:`~cors_wsgi.Policy` keywords directly (``allow_origins=...``,
    ``allow_methods=...``, ...; see ``Policy`` for each), a ready ``policy=``, or
    ``paths=`` mapping path prefixes (or compiled regexes) to policies (see
    :class:`~cors_wsgi.PathPolicies` for which entry wins); paths no entry matches are
    left untouched.

    What is promised, on every path through it:

    - preflights in scope are answered here and never reach the application (R7), unless
      the policy sets ``preflight_passthrough``;
    - every other response in scope, whatever its status, gets the CORS headers of the
      decision: at most one of each (the app's own copies are replaced) and one merged
      ``Vary`` line;
    - the body is passed through as the application returned it: never buffered or
      wrapped, so streaming works and the server calls its ``close()``;
    - an exception raised by the application propagates unchanged (see the README,
      "When the application raises").
    """

    __slots__ = ("_decorate_without_origin", "_paths", "_policy", "app")

    def __init__(
        self,
        app: WSGIApplication,
        *,
        paths: PathsInput | None = None,
        policy: Policy | Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        self.app = app
        self._policy, self._paths = policies_from_options("CORSMiddleware", paths, policy, options)
        self._decorate_without_origin: Callable[[HeaderList], HeaderList] | None = None
        if self._policy is not None:
            self._decorate_without_origin = self._policy.decide("GET", None).decorate

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        origin = environ.get("HTTP_ORIGIN")
        decorate = self._decorate_without_origin  # None when policies differ by path
        if origin is None and decorate is not None:
            pass  # Policy.decide() promises one decision for every request without Origin
        else:
            policy = self._policy
            if policy is None:
                policy = self._paths.policy_for(request_path(environ))  # type: ignore[union-attr]
                if policy is None:
                    return self.app(environ, start_response)
            # decide_environ(), inlined: this is the request path.
            method = environ["REQUEST_METHOD"]
            if method == OPTIONS:
                decision = policy.decide(
                    method,
                    origin,
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS"),
                    environ.get("HTTP_ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK"),
                )
                if decision.answer_here:
                    return answer_preflight(decision, start_response)
            else:
                decision = policy.decide(method, origin)
            decorate = decision.decorate

        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: ExcInfo | None = None
        ) -> Callable[[bytes], object]:
            return start_response(status, decorate(headers), exc_info)

        return self.app(environ, start_cors_response)
