"""Error responses carry the CORS headers, for the extension and the decorator alike (R29).

Without them the browser hides the error from the page ("blocked by CORS policy") and the
frontend cannot tell a 401 from a network failure.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol, TypeVar

import pytest
from cors_flask_testing import FRONTEND, OTHER, acao_lines, actual, preflight, vary_names
from flask import Flask, abort, jsonify
from werkzeug.exceptions import HTTPException

from cors_wsgi.flask import CORS, cross_origin

View = TypeVar("View", bound=Callable[..., Any])


class RouteDecorator(Protocol):
    def __call__(self, view: View, /) -> View: ...


def no_route_cors(view: View) -> View:
    return view


class PaymentRequired(Exception):
    """An application exception that an errorhandler turns into a response."""


def build(kind: str, **config: Any) -> Flask:
    """The same erroring views, with CORS from the extension or from the decorator."""
    app = Flask(__name__)
    app.config.update(config)
    route_cors: RouteDecorator
    if kind == "extension":
        CORS(app, origins=[FRONTEND], supports_credentials=True)
        route_cors = no_route_cors
    else:
        route_cors = cross_origin(origins=[FRONTEND], supports_credentials=True)

    @app.get("/api/missing")
    @route_cors
    def missing() -> str:
        abort(404)

    @app.get("/api/private")
    @route_cors
    def private() -> str:
        abort(401)

    @app.get("/api/boom")
    @route_cors
    def boom() -> str:
        raise RuntimeError("boom")

    @app.get("/api/pay")
    @route_cors
    def pay() -> str:
        raise PaymentRequired

    @app.errorhandler(PaymentRequired)
    def payment_required(error: PaymentRequired) -> tuple[Any, int]:
        return jsonify(error="payment required"), 402

    return app


KINDS = ["extension", "decorator"]


def assert_cors(response: Any) -> None:
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert vary_names(response) == ["Origin"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("path", "status"), [("/api/missing", 404), ("/api/private", 401)])
def test_abort_carries_cors_headers(kind: str, path: str, status: int) -> None:
    response = actual(build(kind), path)
    assert response.status_code == status
    assert_cors(response)


@pytest.mark.parametrize("kind", KINDS)
def test_errorhandler_response_carries_cors_headers(kind: str) -> None:
    response = actual(build(kind), "/api/pay")
    assert response.status_code == 402
    assert response.json == {"error": "payment required"}
    assert_cors(response)


@pytest.mark.parametrize("kind", KINDS)
def test_unhandled_exception_500_carries_cors_headers(kind: str) -> None:
    """PROPAGATE_EXCEPTIONS off (production): Flask turns the exception into a 500."""
    app = build(kind, PROPAGATE_EXCEPTIONS=False)
    response = actual(app, "/api/boom")
    assert response.status_code == 500
    assert_cors(response)


@pytest.mark.parametrize("kind", KINDS)
def test_500_errorhandler_response_carries_cors_headers(kind: str) -> None:
    app = build(kind, PROPAGATE_EXCEPTIONS=False)

    @app.errorhandler(500)
    def server_error(error: HTTPException) -> tuple[Any, int]:
        return jsonify(error="server error"), 500

    response = actual(app, "/api/boom")
    assert (response.status_code, response.json) == (500, {"error": "server error"})
    assert_cors(response)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    "setting", [{"TESTING": True}, {"DEBUG": True}, {"PROPAGATE_EXCEPTIONS": True}]
)
def test_propagated_exception_is_left_alone(kind: str, setting: dict[str, bool]) -> None:
    """With PROPAGATE_EXCEPTIONS on (testing, debug) Flask makes no response; the exception
    must reach the test client or Werkzeug's debugger unchanged."""
    app = build(kind, **setting)
    with pytest.raises(RuntimeError, match="boom"):
        actual(app, "/api/boom")
    # ... and the next request is not affected by anything left behind.
    assert_cors(actual(app, "/api/private"))


@pytest.mark.parametrize("kind", KINDS)
def test_debug_mode_error_responses_carry_cors_headers(kind: str) -> None:
    app = build(kind, DEBUG=True)
    for path in ("/api/missing", "/api/private", "/api/pay"):
        assert_cors(actual(app, path))


@pytest.mark.parametrize("kind", KINDS)
def test_refused_origin_on_an_error_gets_no_cors_headers(kind: str) -> None:
    response = actual(build(kind), "/api/private", origin=OTHER)
    assert response.status_code == 401
    assert acao_lines(response) == []
    assert vary_names(response) == ["Origin"]


def test_routing_404_and_its_errorhandler_carry_cors_headers() -> None:
    app = build("extension")

    @app.errorhandler(404)
    def not_found(error: HTTPException) -> tuple[Any, int]:
        return jsonify(error="not found"), 404

    response = actual(app, "/api/no-such-route")
    assert (response.status_code, response.json) == (404, {"error": "not found"})
    assert_cors(response)


def test_405_for_an_actual_request_carries_cors_headers() -> None:
    response = actual(build("extension"), "/api/private", method="DELETE")
    assert response.status_code == 405
    assert_cors(response)


@pytest.mark.parametrize("registered", ["before CORS", "after CORS"])
def test_auth_hook_rejection_carries_cors_headers(registered: str) -> None:
    """A before_request auth hook that aborts 401: the browser must see the 401."""
    app = Flask(__name__)

    def require_token() -> None:
        abort(401)

    if registered == "before CORS":
        app.before_request(require_token)
        CORS(app, origins=[FRONTEND])
    else:
        CORS(app, origins=[FRONTEND])
        app.before_request(require_token)
    response = actual(app, "/api/anything")
    assert response.status_code == 401
    assert acao_lines(response) == [FRONTEND]


@pytest.mark.parametrize("registered", ["before CORS", "after CORS"])
@pytest.mark.parametrize("routing", ["by path", "by route"])
def test_preflight_is_answered_before_any_app_hook_v22_r28(registered: str, routing: str) -> None:
    """Preflights carry no credentials (R28): an auth hook must never see them, whatever
    the order it was registered in, and whether the policy is chosen by path or by route."""
    app = Flask(__name__)
    seen: list[str] = []

    def require_token() -> None:
        seen.append("auth")
        abort(401)

    def teardown(error: BaseException | None) -> None:
        seen.append("teardown")

    app.teardown_request(teardown)
    if registered == "before CORS":
        app.before_request(require_token)
    CORS(app, origins=[FRONTEND])
    if registered == "after CORS":
        app.before_request(require_token)
    if routing == "by route":

        @app.get("/api/report")
        @cross_origin(origins=[FRONTEND])
        def report() -> str:
            return "report"

    response = preflight(app, "/api/anything")
    assert response.status_code == 204
    assert acao_lines(response) == [FRONTEND]
    assert seen == []
    if routing == "by route":
        assert preflight(app, "/api/report").status_code == 204
        assert seen == []
