"""CORS(blueprint): per-blueprint policies that inherit the app's CORS_* config keys."""

from __future__ import annotations

import pytest
from cors_flask_testing import FRONTEND, acao_lines, actual, preflight, vary_names
from flask import Blueprint, Flask, abort, request

from cors_wsgi import ConfigError
from cors_wsgi.flask import CORS, cross_origin

PARTNER = "https://partner.example.org"


def make_api(ran: list[str]) -> Blueprint:
    api = Blueprint("api", __name__)

    @api.route("/items", methods=["GET", "PUT"])
    def items() -> dict[str, object]:
        ran.append(request.method)
        return {"items": []}

    @api.get("/secret")
    def secret() -> str:
        abort(401)

    return api


def test_blueprint_policy_applies_to_its_routes_only() -> None:
    app = Flask(__name__)
    ran: list[str] = []
    api = make_api(ran)
    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api, url_prefix="/api")

    @app.get("/home")
    def home() -> str:
        return "home"

    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    outside = actual(app, "/home")
    assert acao_lines(outside) == []
    assert vary_names(outside) == []
    assert preflight(app, "/api/items").status_code == 204
    assert ran == ["GET"]


def test_blueprint_inherits_config_at_registration() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS=[FRONTEND], CORS_SUPPORTS_CREDENTIALS=True)
    api = make_api([])
    CORS(api, expose_headers=["x-total-count"])
    app.register_blueprint(api, url_prefix="/api")
    response = actual(app, "/api/items")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "x-total-count"


def test_blueprint_policy_is_validated_at_registration_with_the_config() -> None:
    api = make_api([])
    CORS(api, supports_credentials=True)  # fine only if the app lists its origins
    with pytest.raises(ConfigError) as caught:
        Flask(__name__).register_blueprint(api, url_prefix="/api")
    assert caught.value.errors[0].code == "E012"


def test_blueprint_option_names_are_checked_at_once() -> None:
    with pytest.raises(ConfigError):
        CORS(Blueprint("bp", __name__), origin="https://app.example.com")  # type: ignore[call-arg]


def test_blueprint_preflight_without_a_route_below_its_prefix_r7() -> None:
    app = Flask(__name__)
    ran: list[str] = []
    api = make_api(ran)
    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api, url_prefix="/api")
    assert preflight(app, "/api/not-a-route").status_code == 204
    assert preflight(app, "/api").status_code == 204
    # Outside the blueprint's prefix: not its scope (no app-wide CORS here).
    assert preflight(app, "/apiary").status_code == 404
    assert ran == []


def test_blueprint_and_app_policies_never_stack_r18() -> None:
    app = Flask(__name__)
    CORS(app, origins=[PARTNER])
    api = make_api([])
    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api, url_prefix="/api")

    @app.get("/home")
    def home() -> str:
        return "home"

    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/api/items", origin=PARTNER)) == []
    assert acao_lines(actual(app, "/home", origin=PARTNER)) == [PARTNER]
    assert acao_lines(actual(app, "/api/secret")) == [FRONTEND]  # error path, blueprint's policy
    assert acao_lines(preflight(app, "/api/nowhere")) == [FRONTEND]
    assert acao_lines(preflight(app, "/elsewhere", origin=PARTNER)) == [PARTNER]


def test_blueprint_resources_fall_back_to_the_apps_policy() -> None:
    app = Flask(__name__)
    CORS(app, origins=[PARTNER])
    api = make_api([])
    CORS(api, resources={"/api/items": {"origins": [FRONTEND]}})
    app.register_blueprint(api, url_prefix="/api")
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/api/secret", origin=PARTNER)) == [PARTNER]


def test_nested_blueprints_innermost_wins() -> None:
    app = Flask(__name__)
    outer = Blueprint("outer", __name__)
    inner = Blueprint("inner", __name__)

    @inner.get("/deep")
    def deep() -> str:
        return "deep"

    @outer.get("/shallow")
    def shallow() -> str:
        return "shallow"

    CORS(outer, origins=[PARTNER])
    CORS(inner, origins=[FRONTEND])
    outer.register_blueprint(inner, url_prefix="/inner")
    app.register_blueprint(outer, url_prefix="/outer")
    assert acao_lines(actual(app, "/outer/inner/deep")) == [FRONTEND]
    assert acao_lines(actual(app, "/outer/shallow", origin=PARTNER)) == [PARTNER]
    assert acao_lines(preflight(app, "/outer/inner/nowhere")) == [FRONTEND]
    assert acao_lines(preflight(app, "/outer/nowhere", origin=PARTNER)) == [PARTNER]


def test_blueprint_registered_twice_under_two_names() -> None:
    app = Flask(__name__)
    api = make_api([])
    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api, url_prefix="/v1")
    app.register_blueprint(api, url_prefix="/v2", name="api_v2")
    assert acao_lines(actual(app, "/v1/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/v2/items")) == [FRONTEND]
    assert preflight(app, "/v2/nowhere").status_code == 204


def test_blueprint_on_two_apps_with_different_configs() -> None:
    api = make_api([])
    CORS(api)
    first, second = Flask("first"), Flask("second")
    first.config["CORS_ORIGINS"] = [FRONTEND]
    second.config["CORS_ORIGINS"] = [PARTNER]
    first.register_blueprint(api, url_prefix="/api")
    second.register_blueprint(api, url_prefix="/api")
    assert acao_lines(actual(first, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(second, "/api/items", origin=PARTNER)) == [PARTNER]
    assert acao_lines(actual(second, "/api/items")) == []


def test_blueprint_without_prefix_covers_its_routes() -> None:
    app = Flask(__name__)
    api = make_api([])
    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api)
    assert acao_lines(actual(app, "/items")) == [FRONTEND]
    assert preflight(app, "/items").status_code == 204
    # Without a prefix the blueprint owns no unrouted URL.
    assert preflight(app, "/nowhere").status_code == 404


def test_decorator_inside_a_blueprint_wins() -> None:
    app = Flask(__name__)
    api = Blueprint("api", __name__)

    @api.get("/special")
    @cross_origin(origins=[PARTNER])
    def special() -> str:
        return "special"

    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api, url_prefix="/api")
    assert acao_lines(actual(app, "/api/special", origin=PARTNER)) == [PARTNER]
    assert acao_lines(actual(app, "/api/special")) == []


def test_blueprint_with_a_variable_prefix_covers_its_routes() -> None:
    app = Flask(__name__)
    api = Blueprint("api", __name__, url_prefix="/<lang>/api")

    @api.get("/items")
    def items(lang: str) -> str:
        return lang

    CORS(api, origins=[FRONTEND])
    app.register_blueprint(api)
    assert acao_lines(actual(app, "/en/api/items")) == [FRONTEND]
    assert preflight(app, "/en/api/items").status_code == 204
    # Below a prefix with a variable, an unrouted URL cannot be told apart without a route.
    assert preflight(app, "/en/api/nowhere").status_code == 404
