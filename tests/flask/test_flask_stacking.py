"""Property: whatever mix of CORS(app) calls, CORS(blueprint) and @cross_origin an app
has, and whatever a browser sends, a response never carries two
Access-Control-Allow-Origin lines or two Vary lines (R18, R30), and a preflight never
reaches a view (R7)."""

from __future__ import annotations

from cors_flask_testing import FRONTEND, OTHER, acao_lines
from flask import Blueprint, Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from cors_wsgi.flask import CORS, cross_origin

PARTNER = "https://partner.example.org"
ORIGINS: st.SearchStrategy[str | list[str]] = st.sampled_from(
    ["*", FRONTEND, PARTNER, [FRONTEND, PARTNER]]
)
RESOURCES = st.sampled_from(["/*", "/api/*", "/api/items", "/bp/*", "/public"])
APP_CALLS = st.lists(st.tuples(RESOURCES, ORIGINS), max_size=3)
PATHS = st.sampled_from(["/api/items", "/api/other", "/bp/thing", "/bp/none", "/public", "/x"])
REQUEST_ORIGINS = st.sampled_from([None, FRONTEND, PARTNER, OTHER])


def build(
    app_calls: list[tuple[str, str | list[str]]],
    decorated: bool,
    blueprint_origins: str | list[str] | None,
) -> tuple[Flask, list[str]]:
    app = Flask(__name__)
    ran: list[str] = []
    for resource, origins in app_calls:
        CORS(app, resources={resource: {"origins": origins}})

    def items() -> str:
        ran.append("items")
        return "items"

    view = cross_origin(origins=[PARTNER])(items) if decorated else items
    app.add_url_rule("/api/items", view_func=view, methods=["GET", "PUT"])

    @app.route("/public", methods=["GET", "PUT"])
    def public() -> str:
        ran.append("public")
        return "public"

    blueprint = Blueprint("bp", __name__, url_prefix="/bp")

    @blueprint.route("/thing", methods=["GET", "PUT"])
    def thing() -> str:
        ran.append("thing")
        return "thing"

    if blueprint_origins is not None:
        CORS(blueprint, origins=blueprint_origins)
    app.register_blueprint(blueprint)
    return app, ran


@settings(max_examples=150)
@given(
    app_calls=APP_CALLS,
    decorated=st.booleans(),
    blueprint_origins=st.one_of(st.none(), ORIGINS),
    path=PATHS,
    origin=REQUEST_ORIGINS,
    is_preflight=st.booleans(),
)
def test_never_two_allow_origin_or_vary_lines(
    app_calls: list[tuple[str, str | list[str]]],
    decorated: bool,
    blueprint_origins: str | list[str] | None,
    path: str,
    origin: str | None,
    is_preflight: bool,
) -> None:
    app, ran = build(app_calls, decorated, blueprint_origins)
    headers = {} if origin is None else {"Origin": origin}
    client = app.test_client()
    if is_preflight:
        headers["Access-Control-Request-Method"] = "PUT"
        response = client.options(path, headers=headers)
    else:
        response = client.get(path, headers=headers)
    assert len(acao_lines(response)) <= 1
    assert len(response.headers.getlist("Vary")) <= 1
    allowed = acao_lines(response)
    assert allowed in ([], ["*"], [origin])
    if is_preflight and origin is not None and allowed:
        assert response.status_code == 204
        assert ran == []
