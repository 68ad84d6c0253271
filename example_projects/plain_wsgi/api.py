"""A JSON API written as a bare WSGI callable, made cross-origin by CORSMiddleware.

The routes form the contract the demo page and the browser tests rely on (the Django and
Flask examples serve the same one). ``AREA`` is ``api``, ``partner``, ``public`` or
``internal``, and
``TAG`` is any text: each caller picks its own, because a browser caches a successful
preflight per URL and a cached preflight would hide the next one.

=====================  =======  ==========================================================
path                   method   response
=====================  =======  ==========================================================
/AREA/items/TAG        GET      200, three items; ``X-Total-Count`` (exposed to pages on
                                ``/api/``) and ``X-Request-Id`` (never exposed)
/AREA/items/TAG        other    200, echo of the method, body, content type, cookie user,
                                ``Authorization`` and ``X-*`` request headers
/AREA/session/TAG      POST     200, sets the cookie ``session`` to the body's text
/AREA/whoami/TAG       any      200, the ``session`` cookie's value (or null)
/AREA/fail/TAG         any      500, a JSON error the page should be able to read
/AREA/crash/TAG        any      the application raises
anything else          any      404, a JSON error
=====================  =======  ==========================================================

The CORS policies, one per path prefix (any other path gets no CORS headers at all):

- ``/api/``: only the page's origin, with cookies; methods GET, POST, PUT, DELETE, PATCH;
  request headers Content-Type, Authorization, X-Demo-Token; X-Total-Count exposed;
  preflights cached for 10 minutes.
- ``/partner/``: only the page's origin, but without cookies (allow_credentials=False).
- ``/public/``: any origin, without cookies; GET and POST; any request header (which, by
  the Fetch standard, never covers Authorization); preflights not cached.
"""

from __future__ import annotations

import json
import string
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from cors_wsgi import CORSMiddleware, Policy

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from cors_wsgi.core.paths import PathKey

__all__ = ["AREAS", "SESSION_COOKIE", "api_app", "create_app", "policies_for"]

AREAS = ("api", "partner", "public", "internal")
SESSION_COOKIE = "session"
_ITEMS = ("alpha", "beta", "gamma")
# Bounds the body the echo route reads: this is a demo, not an upload service.
_MAX_BODY_BYTES = 64 * 1024
_MAX_USER_NAME = 40
_USER_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-_.")


def policies_for(page_origin: str) -> dict[PathKey, Policy]:
    """The CORS policy of each path prefix, for a page served from ``page_origin``."""
    return {
        "/api/": Policy(
            allow_origins=[page_origin],
            allow_methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
            allow_headers=["content-type", "authorization", "x-demo-token"],
            allow_credentials=True,
            expose_headers=["x-total-count"],
            max_age=600,
        ),
        "/partner/": Policy(allow_origins=[page_origin]),
        "/public/": Policy(
            allow_origins="*",
            allow_methods=["GET", "POST"],
            allow_headers="*",
            max_age=0,
        ),
    }


def create_app(page_origin: str) -> WSGIApplication:
    """The example API behind CORSMiddleware, for a page served from ``page_origin``."""
    return CORSMiddleware(api_app, paths=policies_for(page_origin))


def api_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """The API itself: knows nothing about CORS."""
    method = environ["REQUEST_METHOD"]
    segments = environ.get("PATH_INFO", "").strip("/").split("/")
    route = segments[1] if len(segments) >= 3 and segments[0] in AREAS else ""
    if route == "items" and method == "GET":
        return _json(
            start_response,
            "200 OK",
            {"items": list(_ITEMS)},
            [("X-Total-Count", str(len(_ITEMS))), ("X-Request-Id", "demo-request")],
        )
    if route == "items":
        return _json(start_response, "200 OK", _echo(environ))
    if route == "session" and method == "POST":
        user = _user_name(_read_body(environ))
        cookie = f"{SESSION_COOKIE}={user}; Path=/; HttpOnly; SameSite=Lax"
        return _json(start_response, "200 OK", {"user": user}, [("Set-Cookie", cookie)])
    if route == "whoami":
        return _json(start_response, "200 OK", {"user": _session_user(environ)})
    if route == "fail":
        error = {"error": "the example API failed on purpose"}
        return _json(start_response, "500 Internal Server Error", error)
    if route == "crash":
        raise RuntimeError("the example API crashed on purpose")
    error = {"error": f"no route for {method} {environ.get('PATH_INFO', '')}"}
    return _json(start_response, "404 Not Found", error)


def _echo(environ: WSGIEnvironment) -> dict[str, object]:
    seen_headers = {
        key[5:].replace("_", "-").lower(): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_X_") or key == "HTTP_AUTHORIZATION"
    }
    return {
        "method": environ["REQUEST_METHOD"],
        "contentType": environ.get("CONTENT_TYPE") or None,
        "body": _read_body(environ),
        "user": _session_user(environ),
        "headers": seen_headers,
    }


def _read_body(environ: WSGIEnvironment) -> str:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    data: bytes = environ["wsgi.input"].read(min(max(length, 0), _MAX_BODY_BYTES))
    return data.decode("utf-8", "replace")


def _user_name(text: str) -> str:
    # Only a short token goes into Set-Cookie, so no text can smuggle cookie attributes in.
    name = text.strip()
    if name and len(name) <= _MAX_USER_NAME and all(c in _USER_NAME_CHARS for c in name):
        return name
    return "demo-user"


def _session_user(environ: WSGIEnvironment) -> str | None:
    cookies: SimpleCookie = SimpleCookie()
    try:
        cookies.load(environ.get("HTTP_COOKIE", ""))
    except CookieError:
        return None
    morsel = cookies.get(SESSION_COOKIE)
    return morsel.value if morsel is not None else None


def _json(
    start_response: StartResponse,
    status: str,
    payload: Mapping[str, object],
    extra_headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    body = json.dumps(payload).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *(extra_headers or []),
    ]
    start_response(status, headers)
    return [body]
