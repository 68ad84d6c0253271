"""The demo's JSON API written with Flask: one blueprint per area, each with its own CORS.

It answers the route contract of :mod:`example_projects.plain_wsgi.api` (the demo page and
the browser tests rely on it), the Flask way:

- each area (``/api/``, ``/partner/``, ``/public/``, ``/internal/``) is a blueprint, and
  ``CORS(blueprint, ...)`` gives it its policy, with flask-cors's option names;
- ``PUT /api/items/TAG`` with a JSON body is the endpoint that needs a preflight (a
  non-safelisted method and ``Content-Type: application/json``); the preflight is answered
  by cors_wsgi, the view never sees it;
- ``POST /api/session/TAG`` logs in: it stores the user in Flask's signed session cookie,
  which the page then sends with ``credentials: 'include'`` to ``/api/whoami/TAG``; the
  API's policy allows credentials for the page's origin only;
- ``/AREA/fail/TAG`` answers a JSON 500, ``/AREA/crash/TAG`` raises (Flask turns it into a
  JSON 500 through an ``errorhandler``; cors_wsgi puts the CORS headers on it, so the page
  can read it), and any other URL is a JSON 404 from an ``errorhandler``, CORS headers
  included.
"""

from __future__ import annotations

import secrets
import string
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, abort, jsonify, request, session

from cors_wsgi.flask import CORS

if TYPE_CHECKING:
    from werkzeug.exceptions import HTTPException
    from werkzeug.wrappers import Response

__all__ = ["AREAS", "api_blueprint", "create_app"]

AREAS = ("api", "partner", "public", "internal")
SESSION_USER = "user"
_ITEMS = ("alpha", "beta", "gamma")
_ECHO_METHODS = ["POST", "PUT", "DELETE", "PATCH"]
_ALL_METHODS = ["GET", "HEAD", *_ECHO_METHODS]
_MAX_BODY_BYTES = 64 * 1024
_MAX_USER_NAME = 40
_USER_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-_.")


def api_blueprint(area: str) -> Blueprint:
    """The routes every area serves; CORS is added by :func:`create_app`, per area."""
    blueprint = Blueprint(area, __name__, url_prefix=f"/{area}")

    @blueprint.get("/items/<tag>")
    def items(tag: str) -> tuple[Response, int, dict[str, str]]:
        headers = {"X-Total-Count": str(len(_ITEMS)), "X-Request-Id": "demo-request"}
        return jsonify(items=list(_ITEMS)), 200, headers

    @blueprint.route("/items/<tag>", methods=_ECHO_METHODS)
    def echo(tag: str) -> Response:
        seen_headers = {
            name.lower(): value
            for name, value in request.headers.items()
            if name.lower().startswith("x-") or name.lower() == "authorization"
        }
        return jsonify(
            method=request.method,
            contentType=request.content_type,
            body=request.get_data(as_text=True)[:_MAX_BODY_BYTES],
            user=session.get(SESSION_USER),
            headers=seen_headers,
        )

    @blueprint.route("/session/<tag>", methods=_ALL_METHODS)
    def log_in(tag: str) -> Response:
        if request.method != "POST":
            abort(404)
        session[SESSION_USER] = _user_name(request.get_data(as_text=True)[:_MAX_BODY_BYTES])
        return jsonify(user=session[SESSION_USER])

    @blueprint.route("/whoami/<tag>", methods=_ALL_METHODS)
    def whoami(tag: str) -> Response:
        return jsonify(user=session.get(SESSION_USER))

    @blueprint.route("/fail/<tag>", methods=_ALL_METHODS)
    def fail(tag: str) -> tuple[Response, int]:
        return jsonify(error="the example API failed on purpose"), 500

    @blueprint.route("/crash/<tag>", methods=_ALL_METHODS)
    def crash(tag: str) -> Response:
        raise RuntimeError("the example API crashed on purpose")

    return blueprint


def create_app(page_origin: str) -> Flask:
    """The example API, allowing the demo page served from ``page_origin``."""
    app = Flask(__name__)
    # A fresh key per process: sessions only need to outlive one demo run.
    app.secret_key = secrets.token_hex(32)
    # Page and API are same-site (127.0.0.1, two ports): Lax cookies go with fetch().
    app.config.update(SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_HTTPONLY=True)

    api, partner, public, internal = (api_blueprint(area) for area in AREAS)
    CORS(
        api,
        origins=[page_origin],
        methods=["GET", "POST", "PUT", "DELETE", "PATCH"],
        allow_headers=["content-type", "authorization", "x-demo-token"],
        supports_credentials=True,
        expose_headers=["x-total-count"],
        max_age=600,
    )
    CORS(partner, origins=[page_origin])  # the page's origin, but never with cookies
    CORS(public, origins="*", methods=["GET", "POST"], allow_headers="*", max_age=0)
    # /internal/ gets no CORS() at all: browsers on other origins cannot read it.
    for blueprint in (api, partner, public, internal):
        app.register_blueprint(blueprint)

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=f"no route for {request.method} {request.path}"), 404

    @app.errorhandler(405)
    def not_allowed(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error=f"no route for {request.method} {request.path}"), 404

    @app.errorhandler(500)
    def server_error(error: HTTPException) -> tuple[Response, int]:
        return jsonify(error="the example API raised; the server log has the traceback"), 500

    return app


def _user_name(text: str) -> str:
    # Only a short token is stored, whatever the page sends.
    name = text.strip()
    if name and len(name) <= _MAX_USER_NAME and all(c in _USER_NAME_CHARS for c in name):
        return name
    return "demo-user"
