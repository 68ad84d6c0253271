"""flask-cors's option names and CORS_* config keys, mapped to the core's Policy.

Every refusal is a ConfigError listing ConfigProblems under the name the user wrote.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from cors_wsgi import ConfigError
from cors_wsgi.flask import CORS, cross_origin
from cors_wsgi.flask.options import (
    DEFAULTS,
    OPTION_NAMES,
    build_path_policies,
    build_policy,
    read_config,
    read_keywords,
)

FLASK_CORS_OPTION_NAMES = (
    "origins",
    "methods",
    "allow_headers",
    "expose_headers",
    "supports_credentials",
    "max_age",
    "send_wildcard",
    "vary_header",
    "automatic_options",
    "allow_private_network",
    "intercept_exceptions",
    "always_send",
    "resources",
)
CORS_WSGI_OPTION_NAMES = ("origin_func_ttl", "preflight_status", "debug")


def policy_of(**options: Any) -> Any:
    layer, problems = read_keywords(options)
    return build_policy([layer], problems)


def problems_of(**options: Any) -> list[tuple[str, str]]:
    """(option label, code) of every problem CORS(app, **options) reports."""
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), **options)
    return [(problem.option, problem.code) for problem in caught.value.errors]


def test_every_flask_cors_option_name_is_accepted() -> None:
    assert set(OPTION_NAMES) == {*FLASK_CORS_OPTION_NAMES, *CORS_WSGI_OPTION_NAMES}
    CORS(Flask(__name__), **DEFAULTS)  # type: ignore[arg-type]


def test_defaults_are_flask_cors_defaults_any_origin_anonymous() -> None:
    policy = policy_of()
    assert policy.allow_origins == ("*",)
    assert policy.allow_credentials is False
    assert policy.allow_methods == ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE")
    assert policy.allow_headers == ("*",)
    assert policy.max_age is None
    assert policy.preflight_passthrough is False


def test_names_map_to_policy_keywords() -> None:
    policy = policy_of(
        origins=["https://app.example.com"],
        methods=["GET", "PATCH"],
        allow_headers=["Content-Type", "authorization"],
        expose_headers=["X-Total-Count"],
        supports_credentials=True,
        max_age=timedelta(minutes=10),
        allow_private_network=True,
        automatic_options=False,
    )
    assert policy.allow_origins == ("https://app.example.com",)
    assert policy.allow_methods == ("GET", "PATCH")
    assert policy.allow_headers == ("content-type", "authorization")
    assert policy.expose_headers == ("X-Total-Count",)
    assert policy.allow_credentials is True
    assert policy.max_age == 600
    assert policy.allow_private_network is True
    assert policy.preflight_passthrough is True


def test_cors_wsgi_options_map_to_the_core() -> None:
    policy = policy_of(
        origins=lambda origin: True, origin_func_ttl=0, preflight_status=200, debug="force"
    )
    assert (policy.allow_origin_func_ttl, policy.preflight_status, policy.debug) == (0, 200, True)
    assert problems_of(preflight_status=201) == [("preflight_status", "E026")]


@pytest.mark.parametrize(
    ("max_age", "seconds"), [(0, 0), (600, 600), ("600", 600), (timedelta(hours=2), 7200)]
)
def test_max_age_takes_what_flask_cors_took(max_age: object, seconds: int) -> None:
    assert policy_of(max_age=max_age).max_age == seconds


@pytest.mark.parametrize("max_age", ["ten", "-1", 1.5, timedelta(seconds=1.5), True, 86401])
def test_max_age_that_is_no_whole_seconds_is_refused(max_age: object) -> None:
    assert [label for label, _ in problems_of(max_age=max_age)] == ["max_age"]


def test_a_string_origin_is_never_read_as_a_regex_v7() -> None:
    """flask-cors sniffed regex characters; a str is an origin or a wildcard pattern here."""
    policy = policy_of(origins="https://*.example.com")
    assert policy.allow_origins == ("https://*.example.com",)
    assert policy.allow_origin_regex == ()
    problems = problems_of(origins=r"https://.*\.example\.com")
    assert problems and all(label == "origins" for label, _ in problems)


def test_a_compiled_pattern_is_a_full_match_regex() -> None:
    regex = re.compile(r"https://[a-z]+\.example\.com")
    policy = policy_of(origins=["https://app.example.org", regex])
    assert policy.allow_origins == ("https://app.example.org",)
    assert policy.allow_origin_regex == (regex,)


def test_a_callable_origin_is_a_run_time_allow_list() -> None:
    def tenant(origin: str) -> bool:
        return origin == "https://tenant.example.com"

    assert policy_of(origins=tenant).allow_origin_func is tenant


def test_any_origin_with_credentials_is_refused_v1_r43() -> None:
    """flask-cors reflected any Origin with credentials (send_wildcard=False): V1."""
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), supports_credentials=True)
    (problem,) = caught.value.errors
    # Issue 11: "[E012] origins with supports_credentials='*'" read as if the flag were '*'.
    assert str(problem).startswith("[E012] origins='*': with supports_credentials=True, ")
    assert "reflect" in problem.message


def test_vary_header_false_is_refused_v12() -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), vary_header=False)
    (problem,) = caught.value.errors
    assert problem.option == "vary_header"
    assert "caches and CDNs" in problem.message
    assert "V12" not in problem.message  # issue 11: no citation of an unshipped document


def test_intercept_exceptions_false_is_refused() -> None:
    assert problems_of(intercept_exceptions=False) == [("intercept_exceptions", "E031")]


def test_debug_needs_the_apps_debug_mode_or_force() -> None:
    # Debug mode reveals the allow-lists: refused outside development unless forced (E032).
    assert problems_of(debug=True) == [("debug", "E032")]
    assert problems_of(debug="yes") == [("debug", "E023")]
    assert policy_of(debug="force").debug
    assert not policy_of(debug=False).debug


@pytest.mark.parametrize(
    "name",
    ["send_wildcard", "always_send", "vary_header", "intercept_exceptions", "automatic_options"],
)
def test_flags_must_be_booleans(name: str) -> None:
    assert problems_of(**{name: "yes"}) == [(name, "E023")]


def test_send_wildcard_and_always_send_are_accepted_either_way() -> None:
    for value in (True, False):
        assert policy_of(send_wildcard=value, always_send=value).allow_origins == ("*",)


def test_regex_allow_headers_are_refused() -> None:
    assert problems_of(allow_headers=re.compile("x-.*")) == [("allow_headers", "E023")]


def test_all_problems_come_together_under_the_names_written() -> None:
    labels = {
        label
        for label, _ in problems_of(
            origins=["example.com"], methods=["TRACE"], max_age=-5, vary_header=False
        )
    }
    assert labels == {"origins", "methods", "max_age", "vary_header"}


def test_unknown_keyword_is_refused_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), origin=["https://app.example.com"])  # type: ignore[call-arg]
    (problem,) = caught.value.errors
    assert problem.code == "E024"
    assert "'origins'" in problem.message


def test_decorator_refuses_unknown_and_resources_at_decoration() -> None:
    with pytest.raises(ConfigError):
        cross_origin(resources="/api/*")  # type: ignore[call-arg]
    with pytest.raises(ConfigError):
        cross_origin(supports_credential=True)  # type: ignore[call-arg]


# ---- CORS_* config keys


def test_config_keys_are_read_and_none_means_unset() -> None:
    layer, problems = read_config(
        {"CORS_ORIGINS": ["https://app.example.com"], "CORS_MAX_AGE": None, "DEBUG": True}
    )
    assert problems == []
    assert {name: option.label for name, option in layer.items()} == {"origins": "CORS_ORIGINS"}


def test_every_option_has_its_config_key() -> None:
    values = {**DEFAULTS, "max_age": 5}  # None would mean "unset"
    config = {f"CORS_{name.upper()}": value for name, value in values.items()}
    layer, problems = read_config(config)
    assert problems == []
    assert set(layer) == set(OPTION_NAMES)


def test_unknown_config_key_is_reported_django_style_names_included() -> None:
    app = Flask(__name__)
    app.config["CORS_ALLOWED_ORIGINS"] = ["https://app.example.com"]
    with pytest.raises(ConfigError) as caught:
        CORS(app)
    (problem,) = caught.value.errors
    assert (problem.option, problem.code) == ("CORS_ALLOWED_ORIGINS", "E024")


def test_config_problems_are_named_by_their_key() -> None:
    app = Flask(__name__)
    app.config.update(CORS_ORIGINS="app.example.com", CORS_METHODS=["CONNECT"])
    with pytest.raises(ConfigError) as caught:
        CORS(app)
    assert {p.option for p in caught.value.errors} == {"CORS_ORIGINS", "CORS_METHODS"}


def test_precedence_resource_over_init_app_over_constructor_over_config() -> None:
    app = Flask(__name__)
    app.config.update(
        CORS_ORIGINS=["https://config.example.com"], CORS_MAX_AGE=1, CORS_METHODS=["PUT"]
    )
    cors = CORS(max_age=2, expose_headers=["x-constructor"])
    cors.init_app(
        app,
        expose_headers=["x-init"],
        resources={"/a/*": {}, "/b/*": {"origins": "https://resource.example.com"}},
    )
    paths = app.extensions["cors_wsgi"].app_paths[0]
    a_policy, b_policy = paths.policy_for("/a"), paths.policy_for("/b")
    assert a_policy.allow_origins == ("https://config.example.com",)
    assert b_policy.allow_origins == ("https://resource.example.com",)
    assert (a_policy.max_age, a_policy.expose_headers, a_policy.allow_methods) == (
        2,
        ("x-init",),
        ("PUT",),
    )


# ---- resources


@pytest.mark.parametrize(
    ("written", "inside", "outside"),
    [
        ("/api/*", ["/api", "/api/", "/api/users/7"], ["/apiary", "/ap", "/", "/v1/api"]),
        ("/api", ["/api", "/api/users"], ["/apiary"]),
        ("/*", ["/", "/anything/at/all"], []),
        ("*", ["/", "/x"], []),
        (
            re.compile(r"/v[0-9]+/items"),
            ["/v1/items"],
            ["/v1/items/2", "/x/v1/items", "/v1/itemsx"],
        ),
    ],
)
def test_resources_match_whole_segments_or_full_regexes(
    written: str | re.Pattern[str], inside: list[str], outside: list[str]
) -> None:
    """/api/* never matches /apiary, and a regex is full-matched (V4, V8 for paths)."""
    layer, _ = read_keywords({"resources": written})
    paths = build_path_policies([layer], [])
    assert all(paths.policy_for(path) is not None for path in inside)
    assert all(paths.policy_for(path) is None for path in outside)


@pytest.mark.parametrize(
    "written",
    [r"/api/v\d+/*", "/api/.*", "^/api/", "/api/(users|items)", "/api/*/items", "/files?"],
)
def test_regex_looking_resource_strings_are_refused_with_the_fix(written: str) -> None:
    with pytest.raises(ConfigError) as caught:
        CORS(Flask(__name__), resources={written: {}})
    (problem,) = caught.value.errors
    assert problem.code == "E027"
    assert "re.compile" in problem.message


def test_resource_without_leading_slash_is_refused() -> None:
    assert problems_of(resources="api/*") == [("resources", "E027")]


def test_resources_naming_the_same_paths_twice_are_refused() -> None:
    assert problems_of(resources={"/api/*": {}, "/api": {}}) == [("resources", "E027")]


def test_resource_option_problems_name_the_resource() -> None:
    problems = problems_of(resources={"/api/*": {"origins": "app.example.com", "resources": "/"}})
    assert sorted(problems) == [
        ("resources['/api/*'].origins", "E001"),
        ("resources['/api/*'].resources", "E024"),
    ]


def test_resources_of_a_wrong_type_are_refused() -> None:
    assert problems_of(resources=42) == [("resources", "E023")]
    assert problems_of(resources={"/api/*": ["https://app.example.com"]}) == [
        ("resources['/api/*']", "E023")
    ]


def test_resources_as_a_list_apply_the_common_options() -> None:
    layer, _ = read_keywords(
        {"resources": ["/api/*", re.compile(r"/v[0-9]+/.*")], "origins": "https://a.example.com"}
    )
    paths = build_path_policies([layer], [])
    for path in ("/api/x", "/v2/feed"):
        policy = paths.policy_for(path)
        assert policy is not None
        assert policy.allow_origins == ("https://a.example.com",)
    assert paths.policy_for("/other") is None


def test_a_resource_key_of_a_wrong_type_is_refused() -> None:
    assert problems_of(resources={42: {}}) == [("resources", "E023")]


def test_a_single_compiled_origin_and_a_wrong_type() -> None:
    regex = re.compile(r"https://[a-z]+\.example\.com")
    assert policy_of(origins=regex).allow_origin_regex == (regex,)
    assert problems_of(origins=42) == [("origins", "E023")]


def test_blueprint_init_app_checks_option_names_at_once() -> None:
    from flask import Blueprint

    with pytest.raises(ConfigError):
        CORS().init_app(Blueprint("bp", __name__), origin="https://a.example.com")  # type: ignore[call-arg]


@pytest.mark.parametrize("status", [200.0, 204.0, True, "200"])
def test_preflight_status_that_is_no_int_is_refused_at_setup(status: Any) -> None:
    # issue 10, item 5: 200.0 passed in 0.1.0, then every preflight failed at run time.
    assert [label for label, _ in problems_of(preflight_status=status)] == ["preflight_status"]
    with pytest.raises(ConfigError):
        CORS(Flask(__name__), origins=["https://app.example.com"], preflight_status=status)
