"""CORS(app) through Flask's test client: classification, preflights, Vary, stacking, scope."""

from __future__ import annotations

import re

import pytest
from cors_flask_testing import ACAO, FRONTEND, OTHER, acao_lines, actual, preflight, vary_names
from flask import Flask, Response, abort, request
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi import ConfigError
from cors_wsgi.flask import CORS


def make_app() -> tuple[Flask, list[str]]:
    """An app whose views record that they ran."""
    app = Flask(__name__)
    ran: list[str] = []

    @app.route("/api/items", methods=["GET", "POST", "PUT"])
    def items() -> dict[str, object]:
        ran.append(request.method)
        return {"items": []}

    @app.route("/api/only-get", methods=["GET"], provide_automatic_options=False)
    def only_get() -> str:
        ran.append(request.method)
        return "get"

    @app.get("/api/slash/")
    def slash() -> str:
        ran.append(request.method)
        return "slash"

    @app.get("/apiary")
    def apiary() -> str:
        return "bees"

    @app.get("/public")
    def public() -> str:
        return "public"

    @app.get("/vary-cookie")
    def vary_cookie() -> Response:
        return Response("x", headers={"Vary": "Accept-Encoding, Cookie"})

    @app.get("/sets-its-own")
    def sets_its_own() -> Response:
        return Response("x", headers={ACAO: "*", "Access-Control-Allow-Credentials": "true"})

    @app.get("/auth")
    def auth() -> str:
        abort(401)

    return app, ran


def test_any_origin_by_default_r31() -> None:
    app, _ = make_app()
    CORS(app)
    response = actual(app, "/api/items")
    assert acao_lines(response) == ["*"]
    assert vary_names(response) == []
    # '*' is static, so non-CORS requests get it too and nothing varies (R31).
    assert acao_lines(actual(app, "/api/items", origin=None)) == ["*"]


def test_allowed_origin_gets_it_back_with_credentials_r29() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND], supports_credentials=True, expose_headers=["x-total-count"])
    response = actual(app, "/api/items")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Allow-Credentials"] == "true"
    assert response.headers["Access-Control-Expose-Headers"] == "x-total-count"
    assert vary_names(response) == ["Origin"]


def test_refused_origin_gets_no_cors_headers_but_vary_r30() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = actual(app, "/api/items", origin=OTHER)
    assert response.status_code == 200
    assert acao_lines(response) == []
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert vary_names(response) == ["Origin"]


def test_no_origin_no_cors_headers_but_vary_r1_r30_v12() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = actual(app, "/api/items", origin=None)
    assert acao_lines(response) == []
    assert vary_names(response) == ["Origin"]


def test_wildcard_origin_pattern_matches_subdomains_only_v5() -> None:
    app, _ = make_app()
    CORS(app, origins=["https://*.example.com"])
    assert acao_lines(actual(app, "/api/items", origin="https://a.example.com")) == [
        "https://a.example.com"
    ]
    for origin in (
        "https://example.com",
        "https://evilexample.com",
        "https://a.example.com.evil.net",
    ):
        assert acao_lines(actual(app, "/api/items", origin=origin)) == []


def test_regex_origin_is_full_matched_v8() -> None:
    app, _ = make_app()
    CORS(app, origins=[re.compile(r"https://[a-z]+\.example\.com")])
    assert acao_lines(actual(app, "/api/items", origin="https://a.example.com")) == [
        "https://a.example.com"
    ]
    assert acao_lines(actual(app, "/api/items", origin="https://a.example.com.evil.net")) == []


def test_origin_null_is_never_allowed_by_a_list_v3() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    assert acao_lines(actual(app, "/api/items", origin="null")) == []


# ---- preflights


def test_preflight_is_answered_and_the_view_never_runs_r7() -> None:
    app, ran = make_app()
    CORS(app, origins=[FRONTEND], allow_headers=["content-type"], max_age=600)
    response = preflight(app, "/api/items", request_headers="content-type")
    assert response.status_code == 204
    assert response.data == b""
    assert acao_lines(response) == [FRONTEND]
    assert response.headers["Access-Control-Allow-Methods"] == (
        "GET, HEAD, POST, OPTIONS, PUT, PATCH, DELETE"
    )
    assert response.headers["Access-Control-Allow-Headers"] == "content-type"
    assert response.headers["Access-Control-Max-Age"] == "600"
    assert "Content-Type" not in response.headers  # R27
    assert ran == []


@pytest.mark.parametrize(
    "path",
    ["/api/nowhere", "/api/only-get", "/api/slash"],
    ids=["no route (404)", "no OPTIONS declared (405)", "trailing-slash redirect (308)"],
)
def test_preflight_is_answered_without_a_route_or_options_r7_r8(path: str) -> None:
    app, ran = make_app()
    app.url_map.strict_slashes = True
    CORS(app, origins=[FRONTEND])
    response = preflight(app, path)
    assert response.status_code == 204
    assert acao_lines(response) == [FRONTEND]
    assert ran == []


def test_route_without_options_really_would_be_405_without_cors() -> None:
    """The control for the test above: Flask itself answers 405 when OPTIONS is not declared."""

    def app_with_get_only_route() -> Flask:
        app = Flask(__name__)

        def only_get() -> str:
            return "get"

        only_get.provide_automatic_options = False  # type: ignore[attr-defined]
        app.add_url_rule("/only-get", view_func=only_get, methods=["GET"])
        return app

    assert preflight(app_with_get_only_route(), "/only-get").status_code == 405
    app = app_with_get_only_route()
    CORS(app)
    assert preflight(app, "/only-get").status_code == 204


def test_refused_preflight_is_403_without_cors_headers_r16() -> None:
    app, ran = make_app()
    CORS(app, origins=[FRONTEND])
    response = preflight(app, "/api/items", origin=OTHER)
    assert response.status_code == 403
    assert acao_lines(response) == []
    assert "Access-Control-Allow-Methods" not in response.headers
    assert vary_names(response) == [
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
    ]
    assert ran == []


def test_method_check_is_exact_r10() -> None:
    """flask-cors uppercased the requested method; 'patch' is not 'PATCH' for browsers."""
    app, _ = make_app()
    CORS(app, origins=[FRONTEND], methods=["PATCH"])
    assert preflight(app, "/api/items", method="PATCH").status_code == 204
    assert preflight(app, "/api/items", method="patch").status_code == 403
    assert preflight(app, "/api/items", method="DELETE").status_code == 403


def test_authorization_needs_naming_beside_star_r22() -> None:
    """Issue 11, migrations item 1: flask-cors's '*' echoed Authorization; ours follows the
    Fetch standard's '*' everywhere, and says so (W100 in check, a WARNING on the first
    refusal); the fix is to name it."""
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    assert preflight(app, "/api/items", request_headers="authorization").status_code == 403
    assert preflight(app, "/api/items", request_headers="x-anything").status_code == 204
    CORS(app, origins=[FRONTEND], allow_headers=["*", "authorization"])
    assert preflight(app, "/api/items", request_headers="authorization").status_code == 204


def test_options_without_request_method_is_an_actual_request_r3() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = app.test_client().options("/api/items", headers={"Origin": FRONTEND})
    assert response.status_code == 200
    assert "GET" in response.headers["Allow"]  # Flask's own automatic answer
    assert acao_lines(response) == [FRONTEND]


def test_options_with_request_method_but_no_origin_is_not_cors_r4() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = app.test_client().options(
        "/api/items", headers={"Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 200
    assert acao_lines(response) == []


def test_private_network_preflight_r51() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND], allow_private_network=True)
    response = app.test_client().options(
        "/api/items",
        headers={
            "Origin": FRONTEND,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Private-Network": "true",
        },
    )
    assert response.headers["Access-Control-Allow-Private-Network"] == "true"


def test_automatic_options_false_lets_the_view_answer_preflights() -> None:
    app = Flask(__name__)

    @app.route("/api/custom", methods=["OPTIONS", "PUT"])
    def custom() -> Response:
        return Response("mine", status=200, headers={"X-View": "ran"})

    CORS(app, origins=[FRONTEND], automatic_options=False)
    response = preflight(app, "/api/custom")
    assert response.headers["X-View"] == "ran"
    assert acao_lines(response) == [FRONTEND]
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]


# ---- Vary and stacking


def test_vary_is_merged_into_the_apps_vary_r30() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = actual(app, "/vary-cookie")
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Cookie, Origin"]


def test_session_vary_cookie_and_origin_coexist() -> None:
    app = Flask(__name__)
    app.secret_key = "test"

    @app.get("/login")
    def login() -> str:
        from flask import session

        session["user"] = "ada"
        return "ok"

    CORS(app, origins=[FRONTEND], supports_credentials=True)
    response = actual(app, "/login")
    assert sorted(vary_names(response)) == ["Cookie", "Origin"]
    assert len(response.headers.getlist("Vary")) == 1


def test_headers_the_view_set_are_replaced_not_stacked_r18() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = actual(app, "/sets-its-own")
    assert acao_lines(response) == [FRONTEND]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_several_cors_calls_never_stack_r18() -> None:
    app, _ = make_app()
    CORS(app)
    CORS(app, origins=[FRONTEND])
    CORS(app, resources={"/public": {"origins": "*"}})
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/public")) == ["*"]
    assert acao_lines(preflight(app, "/api/items")) == [FRONTEND]


def test_init_app_again_replaces_that_objects_policy() -> None:
    app, _ = make_app()
    cors = CORS(origins=["https://first.example.com"])
    cors.init_app(app)
    cors.init_app(app, origins=[FRONTEND])
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/api/items", origin="https://first.example.com")) == []


def test_application_factory_one_object_many_apps() -> None:
    cors = CORS(origins=[FRONTEND])
    first, _ = make_app()
    second, _ = make_app()
    second.config["CORS_SUPPORTS_CREDENTIALS"] = True
    cors.init_app(first)
    cors.init_app(second)
    assert "Access-Control-Allow-Credentials" not in actual(first, "/api/items").headers
    assert actual(second, "/api/items").headers["Access-Control-Allow-Credentials"] == "true"


def test_config_keys_configure_the_extension() -> None:
    app, _ = make_app()
    app.config.update(
        CORS_ORIGINS=[FRONTEND], CORS_EXPOSE_HEADERS=["x-total-count"], CORS_MAX_AGE=60
    )
    CORS(app)
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert actual(app, "/api/items").headers["Access-Control-Expose-Headers"] == "x-total-count"
    assert preflight(app, "/api/items").headers["Access-Control-Max-Age"] == "60"


# ---- scope


def test_resources_scope_never_matches_a_longer_segment_v4() -> None:
    app, _ = make_app()
    CORS(app, resources={"/api/*": {"origins": [FRONTEND]}})
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    outside = actual(app, "/apiary")
    assert acao_lines(outside) == []
    assert vary_names(outside) == []  # out of scope: untouched
    assert preflight(app, "/apiary").status_code != 204


def test_more_specific_resource_wins() -> None:
    app, _ = make_app()
    CORS(
        app,
        resources={
            "/*": {"origins": "https://site.example.com"},
            "/api/*": {"origins": FRONTEND},
        },
    )
    assert acao_lines(actual(app, "/api/items")) == [FRONTEND]
    assert acao_lines(actual(app, "/public", origin="https://site.example.com")) == [
        "https://site.example.com"
    ]


def test_resources_match_the_path_within_the_app_not_the_script_root() -> None:
    app, _ = make_app()
    CORS(app, resources={"/api/*": {"origins": [FRONTEND]}})
    response = app.test_client().get(
        "/api/items", headers={"Origin": FRONTEND}, base_url="http://localhost/mounted/"
    )
    assert response.status_code == 200
    assert acao_lines(response) == [FRONTEND]


@given(
    segments=st.lists(st.text(alphabet="abipy-", min_size=1, max_size=6), min_size=1, max_size=4)
)
def test_scope_is_whole_segments_for_any_path(segments: list[str]) -> None:
    """Property: '/api/*' covers a path iff its first segment is exactly 'api'."""
    app = Flask(__name__)
    CORS(app, resources={"/api/*": {"origins": [FRONTEND]}})
    path = "/" + "/".join(segments)
    response = actual(app, path)
    assert (acao_lines(response) == [FRONTEND]) == (segments[0] == "api")


@pytest.mark.parametrize("registered", ["before CORS", "after CORS"])
def test_after_request_hooks_cannot_stack_headers_in_any_order_r18_r30(registered: str) -> None:
    """Whatever order the app's own after_request hooks run in, the response leaves with one
    Access-Control-Allow-Origin line and one Vary line."""
    app, _ = make_app()

    def meddle(response: Response) -> Response:
        response.headers.add(ACAO, "*")
        response.headers.add("Vary", "Accept-Language")
        return response

    if registered == "before CORS":
        app.after_request(meddle)
        CORS(app, origins=[FRONTEND])
    else:
        CORS(app, origins=[FRONTEND])
        app.after_request(meddle)
    response = actual(app, "/vary-cookie")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers.getlist("Vary") == ["Accept-Encoding, Cookie, Accept-Language, Origin"]


def test_preflight_answer_is_not_decorated_again_by_the_wsgi_layer() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND])
    response = preflight(app, "/api/items")
    assert acao_lines(response) == [FRONTEND]
    assert response.headers.getlist("Vary") == [
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
    ]


def test_cors_wraps_wsgi_app_once_and_keeps_other_middleware() -> None:
    app, _ = make_app()
    seen: list[str] = []
    inner = app.wsgi_app

    def recording(environ: dict[str, object], start_response: object) -> object:
        seen.append(str(environ["PATH_INFO"]))
        return inner(environ, start_response)  # type: ignore[arg-type]

    app.wsgi_app = recording  # type: ignore[method-assign,assignment]
    CORS(app, origins=[FRONTEND])
    CORS(app, origins=[FRONTEND])
    response = actual(app, "/api/items")
    assert acao_lines(response) == [FRONTEND]
    assert seen == ["/api/items"]


def test_non_ascii_path_is_matched_as_flask_reads_it() -> None:
    app = Flask(__name__)

    @app.get("/café/menu")
    def menu() -> str:
        return "menu"

    CORS(app, resources={"/café/*": {"origins": [FRONTEND]}})
    response = actual(app, "/café/menu")
    assert response.data == b"menu"
    assert acao_lines(response) == [FRONTEND]
    assert preflight(app, "/café/nowhere").status_code == 204
    assert acao_lines(actual(app, "/cafe/menu")) == []


def test_preflight_status_200_for_old_clients_r15_r27() -> None:
    app, _ = make_app()
    CORS(app, origins=[FRONTEND], preflight_status=200)
    response = preflight(app, "/api/items")
    assert response.status_code == 200
    assert response.headers["Content-Length"] == "0"
    assert acao_lines(response) == [FRONTEND]


def test_debug_mode_tells_the_console_which_step_failed_r16() -> None:
    """Development only: a refused preflight gets an ok status and the headers that passed,
    so the browser names the failing step; the refusal is logged at WARNING."""
    app, _ = make_app()
    with pytest.raises(ConfigError, match="only runs when the Flask app is in debug mode"):
        CORS(app, origins=[FRONTEND], methods=["GET"], debug=True)
    app.debug = True
    CORS(app, origins=[FRONTEND], methods=["GET"], debug=True)
    response = preflight(app, "/api/items", method="DELETE")
    assert response.status_code == 204
    assert acao_lines(response) == [FRONTEND]
    assert "DELETE" not in response.headers.get("Access-Control-Allow-Methods", "")
    CORS(app, origins=[FRONTEND], methods=["GET"])
    assert preflight(app, "/api/items", method="DELETE").status_code == 403


def test_config_keys_of_cors_wsgi_options() -> None:
    app, _ = make_app()
    app.config.update(CORS_ORIGINS=[FRONTEND], CORS_PREFLIGHT_STATUS=200)
    CORS(app)
    assert preflight(app, "/api/items").status_code == 200
