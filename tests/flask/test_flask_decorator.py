"""@cross_origin on its own, and together with the extension."""

from __future__ import annotations

import pytest
from cors_flask_testing import FRONTEND, OTHER, acao_lines, actual, preflight, vary_names
from flask import Blueprint, Flask, Response, request
from flask.views import MethodView

from cors_wsgi import ConfigError
from cors_wsgi.flask import CORS, cross_origin


def make_app(with_extension: bool) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    ran: list[str] = []
    if with_extension:
        CORS(app, origins=["https://site.example.com"])

    @app.route("/report", methods=["GET", "PUT"])
    @cross_origin(origins=[FRONTEND], methods=["PUT"], max_age=60)
    def report() -> str:
        ran.append(request.method)
        return "report"

    @app.get("/plain")
    def plain() -> str:
        return "plain"

    return app, ran


@pytest.mark.parametrize("with_extension", [False, True], ids=["alone", "with CORS(app)"])
def test_decorated_view_answers_its_preflight_and_never_runs(with_extension: bool) -> None:
    app, ran = make_app(with_extension)
    response = preflight(app, "/report")
    assert response.status_code == 204
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Max-Age"] == "60"
    assert ran == []
    assert preflight(app, "/report", origin=OTHER).status_code == 403
    assert ran == []


@pytest.mark.parametrize("with_extension", [False, True], ids=["alone", "with CORS(app)"])
def test_decorated_view_actual_request(with_extension: bool) -> None:
    app, ran = make_app(with_extension)
    response = actual(app, "/report")
    assert response.data == b"report"
    assert acao_lines(response) == [FRONTEND]
    assert vary_names(response) == ["Origin"]
    assert ran == ["GET"]


def test_decorator_wins_over_the_extension_exactly_one_acao_r18() -> None:
    app, _ = make_app(with_extension=True)
    assert acao_lines(actual(app, "/report", origin="https://site.example.com")) == []
    assert acao_lines(actual(app, "/plain", origin="https://site.example.com")) == [
        "https://site.example.com"
    ]
    assert acao_lines(actual(app, "/plain")) == []


def test_decorator_alone_leaves_other_views_alone() -> None:
    app, _ = make_app(with_extension=False)
    response = actual(app, "/plain")
    assert acao_lines(response) == []
    assert vary_names(response) == []


@pytest.mark.parametrize("with_extension", [False, True], ids=["alone", "with CORS(app)"])
def test_non_preflight_options_gets_flasks_automatic_answer_r3(with_extension: bool) -> None:
    app, ran = make_app(with_extension)
    response = app.test_client().options("/report", headers={"Origin": FRONTEND})
    assert response.status_code == 200
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "PUT", "OPTIONS"}
    assert acao_lines(response) == [FRONTEND]
    assert ran == []


@pytest.mark.parametrize("with_extension", [False, True], ids=["alone", "with CORS(app)"])
def test_decorator_with_automatic_options_false_lets_the_view_answer(with_extension: bool) -> None:
    app = Flask(__name__)
    if with_extension:
        CORS(app)

    @app.route("/custom", methods=["OPTIONS", "PUT"])
    @cross_origin(origins=[FRONTEND], automatic_options=False)
    def custom() -> Response:
        return Response("mine", headers={"X-View": request.method})

    response = preflight(app, "/custom")
    assert response.headers["X-View"] == "OPTIONS"
    assert acao_lines(response) == [FRONTEND]


def test_decorator_inherits_config_keys() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=[FRONTEND], CORS_SUPPORTS_CREDENTIALS=True)

    @app.get("/me")
    @cross_origin(expose_headers=["x-user"])
    def me() -> str:
        return "me"

    response = actual(app, "/me")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "x-user"


def test_decorator_policy_is_checked_against_each_apps_config() -> None:
    view = cross_origin(supports_credentials=True)(lambda: "x")
    good, bad = Flask("good"), Flask("bad")
    good.config["CORS_ORIGINS"] = [FRONTEND]
    good.add_url_rule("/x", view_func=view)
    bad.add_url_rule("/x", view_func=view)
    assert acao_lines(actual(good, "/x")) == [FRONTEND]
    bad.testing = True
    with pytest.raises(ConfigError, match="credentials"):
        actual(bad, "/x")


@pytest.mark.parametrize("with_extension", [False, True], ids=["alone", "with CORS(app)"])
def test_decorator_on_a_method_view(with_extension: bool) -> None:
    """as_view() resets provide_automatic_options from the class, after the decorators ran:
    alone, the decorator needs the class to say False so that OPTIONS reaches it."""

    class Items(MethodView):
        decorators = [cross_origin(origins=[FRONTEND])]  # noqa: RUF012
        provide_automatic_options = False if not with_extension else None

        def get(self) -> str:
            return "items"

        def delete(self) -> str:
            return "deleted"

    app = Flask(__name__)
    if with_extension:
        CORS(app, origins=["https://site.example.com"])
    app.add_url_rule("/items", view_func=Items.as_view("items"))
    assert acao_lines(actual(app, "/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/items", method="DELETE")) == [FRONTEND]
    response = preflight(app, "/items", method="DELETE")
    assert response.status_code == 204
    assert acao_lines(response) == [FRONTEND]


def test_decorator_under_another_wrapping_decorator() -> None:
    import functools
    from collections.abc import Callable
    from typing import Any

    def logged(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return view(*args, **kwargs)

        return wrapper

    app = Flask(__name__)
    CORS(app, origins=["https://site.example.com"])

    @app.get("/wrapped")
    @logged
    @cross_origin(origins=[FRONTEND])
    def wrapped() -> str:
        return "w"

    assert acao_lines(actual(app, "/wrapped")) == [FRONTEND]
    assert preflight(app, "/wrapped").status_code == 204


def test_async_view_is_supported() -> None:
    pytest.importorskip("asgiref")
    app = Flask(__name__)

    @app.get("/async")
    @cross_origin(origins=[FRONTEND])
    async def async_view() -> str:
        return "async"

    response = actual(app, "/async")
    assert response.data == b"async"
    assert acao_lines(response) == [FRONTEND]


def test_decorator_alone_replaces_headers_the_view_set_r18() -> None:
    app = Flask(__name__)

    @app.get("/own")
    @cross_origin(origins=[FRONTEND])
    def own() -> Response:
        return Response("x", headers={"Access-Control-Allow-Origin": "*", "Vary": "Cookie"})

    response = actual(app, "/own")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers.getlist("Vary") == ["Cookie, Origin"]


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"origins": "nope.example.com"}, "E001"),
        ({"origins": "*", "supports_credentials": True}, "E012"),
        ({"methods": ["TRACE"]}, "E016"),
        ({"max_age": -5}, "E021"),
    ],
)
def test_decorator_configuration_errors_are_raised_when_applied(
    options: dict[str, object], code: str
) -> None:
    """Issue 11: never a 500 on every request to the view; the import fails instead."""
    with pytest.raises(ConfigError) as caught:
        cross_origin(**options)(lambda: "x")  # type: ignore[arg-type]
    assert [problem.code for problem in caught.value.errors] == [code]


def test_decorator_options_that_the_app_config_completes_are_not_refused_early() -> None:
    """supports_credentials alone is valid once the app's CORS_ORIGINS lists origins."""
    view = cross_origin(supports_credentials=True)(lambda: "x")
    assert callable(view)


def test_extension_set_up_checks_decorated_views_against_the_app_config() -> None:
    app = Flask("late")
    app.add_url_rule("/x", view_func=cross_origin(supports_credentials=True)(lambda: "x"))
    with pytest.raises(ConfigError) as caught:
        CORS(app, resources="/other/*", origins=[FRONTEND])
    assert [problem.code for problem in caught.value.errors] == ["E012"]


def test_a_view_routed_after_cors_app_is_checked_when_routed_not_on_a_request() -> None:
    # The commonest order: CORS(app) first, routes below it. The decorator's own options are
    # valid; with flask-cors's default origins ('*') they are not (credentials): raised by
    # @app.route at import, never as a 500 on a request.
    app = Flask(__name__)
    CORS(app, origins=["https://a.example.com"])
    with pytest.raises(ConfigError) as caught:

        @app.route("/v")
        @cross_origin(supports_credentials=True)
        def view() -> str:
            return "x"

    assert [problem.code for problem in caught.value.errors] == ["E012"]
    assert "supports_credentials=True" in str(caught.value)


def test_a_view_routed_after_cors_app_reads_the_apps_config_when_checked() -> None:
    app = Flask(__name__)
    app.config["CORS_ORIGINS"] = ["https://a.example.com"]
    CORS(app)

    @app.route("/v")
    @cross_origin(supports_credentials=True)
    def view() -> str:
        return "x"

    response = app.test_client().get("/v", headers={"Origin": "https://a.example.com"})
    assert response.headers["Access-Control-Allow-Origin"] == "https://a.example.com"
    assert response.headers["Access-Control-Allow-Credentials"] == "true"


def test_a_blueprint_view_is_checked_when_the_blueprint_is_registered() -> None:
    app = Flask(__name__)
    CORS(app, origins=["https://a.example.com"])
    blueprint = Blueprint("api", __name__)

    @blueprint.route("/v")
    @cross_origin(supports_credentials=True)
    def view() -> str:
        return "x"

    with pytest.raises(ConfigError):
        app.register_blueprint(blueprint)
