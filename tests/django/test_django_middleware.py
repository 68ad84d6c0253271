"""CorsMiddleware through Django's test client: preflights, actual responses, errors, scope.

Rule numbers (R..) and attack classes (V..) refer to shared/SPEC.md.
"""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING

import cors_django_test_views as views
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import Client, override_settings

from cors_wsgi.django import conf, middleware

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse
    from pytest_django import Settings

APP = "https://app.example.com"
EVIL = "https://evil.example"
CORS_RESPONSE_HEADERS = (
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Expose-Headers",
    "Access-Control-Max-Age",
)


def preflight(
    client: Client,
    path: str,
    origin: str = APP,
    method: str = "PUT",
    request_headers: str | None = None,
    **extra: str,
) -> TestResponse:
    headers = {"Origin": origin, "Access-Control-Request-Method": method, **extra}
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return client.options(path, headers=headers)


def cors_headers_of(response: TestResponse) -> dict[str, str]:
    return {name: response[name] for name in CORS_RESPONSE_HEADERS if response.has_header(name)}


def vary_of(response: TestResponse) -> list[str]:
    return [name.strip() for name in response.get("Vary", "").split(",") if name.strip()]


# ---- actual requests


def test_allowed_origin_gets_its_origin_credentials_and_exposed_headers() -> None:
    """R29: the literal origin, ACAC true, ACEH; R30: Vary: Origin."""
    response = Client().get("/api/items/", headers={"Origin": APP})
    assert response.status_code == 200
    assert cors_headers_of(response) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "x-total-count",
    }
    assert vary_of(response) == ["Origin"]
    assert views.calls == ["items GET"]


@pytest.mark.parametrize(
    "origin",
    [
        EVIL,
        "https://app.example.com.evil.net",  # V4 prefix match
        "https://evilapp.example.com",  # V5 suffix without a label boundary
        "http://app.example.com",  # V16 scheme confusion
        "https://app.example.com:8443",  # V16 port confusion
        "null",  # V3
        "HTTPS://APP.EXAMPLE.COM",  # R42 byte-exact
    ],
)
def test_refused_origin_gets_no_cors_headers_but_varies(origin: str) -> None:
    response = Client().get("/api/items/", headers={"Origin": origin})
    assert response.status_code == 200
    assert cors_headers_of(response) == {}
    assert vary_of(response) == ["Origin"]  # R30, V12


def test_request_without_origin_varies_on_origin() -> None:
    """R1, R30: a cached non-CORS response must not be replayed to a CORS request."""
    response = Client().get("/api/items/")
    assert cors_headers_of(response) == {}
    assert vary_of(response) == ["Origin"]


def test_vary_set_by_the_view_is_merged_into_one_line() -> None:
    """R30: append to the view's Vary, never overwrite it, never two lines."""
    response = Client().get("/api/varies-on-cookie/", headers={"Origin": APP})
    assert vary_of(response) == ["Cookie", "Origin"]
    assert response["Access-Control-Allow-Origin"] == APP


def test_cors_headers_set_by_the_view_are_replaced() -> None:
    """R18: exactly one Access-Control-Allow-Origin, from the allow-list."""
    response = Client().get("/api/sets-cors-headers/", headers={"Origin": APP})
    assert response["Access-Control-Allow-Origin"] == APP
    assert "TRACE" not in response.get("Access-Control-Allow-Methods", "")
    refused = Client().get("/api/sets-cors-headers/", headers={"Origin": EVIL})
    assert not refused.has_header("Access-Control-Allow-Origin")


def test_options_without_request_method_is_an_actual_request() -> None:
    """R3: OPTIONS + Origin without ACRM goes to the view and is decorated."""
    response = Client().options("/api/items/", headers={"Origin": APP})
    assert views.calls == ["items OPTIONS"]
    assert response["Access-Control-Allow-Origin"] == APP
    assert "TRACE" not in response.get("Access-Control-Allow-Methods", "")


def test_streaming_response_is_decorated() -> None:
    response = Client().get("/api/stream/", headers={"Origin": APP})
    assert response["Access-Control-Allow-Origin"] == APP
    assert response.getvalue() == b"ab"


def test_session_cookie_round_trip_carries_credentials_header() -> None:
    """A credentialed call: the session cookie set by one response is read by the next."""
    client = Client()
    login = client.post("/api/session/", headers={"Origin": APP})
    assert login["Access-Control-Allow-Credentials"] == "true"
    assert "sessionid" in login.cookies
    who = client.get("/api/whoami/", headers={"Origin": APP})
    assert who.json() == {"user": "ada"}
    assert who["Access-Control-Allow-Origin"] == APP
    assert who["Access-Control-Allow-Credentials"] == "true"


# ---- preflights


def test_allowed_preflight_is_answered_here_with_django_cors_headers_defaults() -> None:
    """R7, R15, R20, R21, R24; defaults are django-cors-headers's, so switching keeps them."""
    response = preflight(Client(), "/api/items/", request_headers="content-type,x-csrftoken")
    assert response.status_code == 204
    assert response.content == b""
    assert cors_headers_of(response) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": "DELETE, GET, OPTIONS, PATCH, POST, PUT",
        "Access-Control-Allow-Headers": (
            "accept, authorization, content-type, user-agent, x-csrftoken, x-requested-with"
        ),
        "Access-Control-Max-Age": "86400",
    }
    assert "Origin" in vary_of(response)
    assert not response.has_header("Content-Type")  # R27: a 204 has no body headers
    assert views.calls == []


@pytest.mark.parametrize(
    ("path", "what_would_answer_otherwise"),
    [
        ("/api/items", "CommonMiddleware's APPEND_SLASH redirect (R8)"),
        ("/api/private/", "login_required's redirect to the login page (V22)"),
        ("/api/no-such-page/", "a 404"),
        ("/api/post-only/", "the view, which only expects POST (R7)"),
    ],
)
def test_preflight_is_answered_before_anything_below_can(
    path: str, what_would_answer_otherwise: str
) -> None:
    response = preflight(Client(), path)
    assert response.status_code == 204, what_would_answer_otherwise
    assert response["Access-Control-Allow-Origin"] == APP
    assert views.calls == []


def test_refused_preflight_is_403_without_cors_headers() -> None:
    """R16: failure is signalled by a 403 and no CORS headers."""
    response = preflight(Client(), "/api/items/", origin=EVIL)
    assert response.status_code == 403
    assert cors_headers_of(response) == {}
    assert response.content == b""
    assert views.calls == []


@pytest.mark.parametrize(
    ("method", "request_headers"),
    [("TRACE", None), ("put", None), ("PUT", "x-not-allowed"), ("PUT", "," * 1_000_000)],
    ids=["forbidden-method", "lowercase-put-R10", "unlisted-header-R21", "megabyte-V18"],
)
def test_preflight_refused_for_method_or_headers(method: str, request_headers: str | None) -> None:
    response = preflight(Client(), "/api/items/", method=method, request_headers=request_headers)
    assert response.status_code == 403
    assert not response.has_header("Access-Control-Allow-Origin")


def test_refused_preflight_is_logged_at_debug_and_not_as_a_forbidden_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hostile client must not be able to flood the logs with Django's 'Forbidden: ...'."""
    with caplog.at_level(logging.DEBUG):
        for _ in range(3):
            assert preflight(Client(), "/api/items/", origin=EVIL).status_code == 403
    assert [r for r in caplog.records if r.name == "django.request"] == []
    refusals = [r for r in caplog.records if r.name == "cors_wsgi"]
    assert len(refusals) == 3
    assert all(r.levelno == logging.DEBUG for r in refusals)
    assert EVIL in refusals[0].getMessage()


def test_private_network_preflight() -> None:
    """R51: ACAPN only when enabled and asked for."""
    extra = {"Access-Control-Request-Private-Network": "true"}
    plain = preflight(Client(), "/api/items/", **extra)
    assert not plain.has_header("Access-Control-Allow-Private-Network")
    with override_settings(CORS_ALLOW_PRIVATE_NETWORK=True):
        allowed = preflight(Client(), "/api/items/", **extra)
    assert allowed["Access-Control-Allow-Private-Network"] == "true"
    assert "Access-Control-Request-Private-Network" in vary_of(allowed)


def test_preflight_status_200_on_request() -> None:
    with override_settings(CORS_PREFLIGHT_STATUS=200):
        response = preflight(Client(), "/api/items/")
    assert response.status_code == 200
    assert response["Content-Length"] == "0"


# ---- error responses made by Django carry the headers (R29)


def test_404_carries_cors_headers() -> None:
    response = Client().get("/api/no-such-page/", headers={"Origin": APP})
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == APP


def test_500_from_a_view_exception_carries_cors_headers(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/api/explode/", headers={"Origin": APP})
    assert response.status_code == 500
    assert views.calls == ["explode"]
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Allow-Credentials"] == "true"


def test_permission_denied_carries_cors_headers(caplog: pytest.LogCaptureFixture) -> None:
    response = Client().get("/api/forbidden/", headers={"Origin": APP})
    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == APP


def test_csrf_failure_carries_cors_headers(caplog: pytest.LogCaptureFixture) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/post-only/", headers={"Origin": APP})
    assert response.status_code == 403
    assert views.calls == []  # refused by CsrfViewMiddleware, not the view
    assert response["Access-Control-Allow-Origin"] == APP


def test_drf_permission_failure_carries_cors_headers(caplog: pytest.LogCaptureFixture) -> None:
    response = Client().get("/api/denied-things/", headers={"Origin": APP})
    assert response.status_code == 403
    assert response["Access-Control-Allow-Origin"] == APP


# ---- Django REST framework under the settings' policy


def test_drf_api_view_preflight_and_put() -> None:
    client = Client()
    answer = preflight(client, "/api/things/", request_headers="content-type")
    assert answer.status_code == 204
    assert views.calls == []
    response = client.put(
        "/api/things/", data=b'{"a": 1}', content_type="application/json", headers={"Origin": APP}
    )
    assert response.json() == {"received": {"a": 1}}
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Access-Control-Expose-Headers"] == "x-total-count"


# ---- which settings apply where


def test_allow_all_origins_sends_star_and_does_not_vary() -> None:
    """R31: with '*' nothing depends on the Origin."""
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=False):
        response = Client().get("/api/items/", headers={"Origin": EVIL})
        without_origin = Client().get("/api/items/")
    assert response["Access-Control-Allow-Origin"] == "*"
    assert "Origin" not in vary_of(response)
    assert without_origin["Access-Control-Allow-Origin"] == "*"


def test_new_name_wins_over_its_old_alias() -> None:
    with override_settings(CORS_ORIGIN_WHITELIST=["https://old.example.com"]):
        response = Client().get("/api/items/", headers={"Origin": "https://old.example.com"})
    # CORS_ALLOWED_ORIGINS is set by the test settings.
    assert not response.has_header("Access-Control-Allow-Origin")


def test_old_alias_is_used_when_the_new_name_is_absent(settings: Settings) -> None:
    del settings.CORS_ALLOWED_ORIGINS
    settings.CORS_ORIGIN_WHITELIST = ["https://old.example.com"]
    response = Client().get("/api/items/", headers={"Origin": "https://old.example.com"})
    assert response["Access-Control-Allow-Origin"] == "https://old.example.com"


def test_origin_regexes_are_full_matched() -> None:
    """V7, V8: django-cors-headers uses re.match; a suffix after the match must not pass."""
    with override_settings(
        CORS_ALLOWED_ORIGINS=[], CORS_ALLOWED_ORIGIN_REGEXES=[r"https://[a-z]+\.example\.com"]
    ):
        good = Client().get("/api/items/", headers={"Origin": "https://shop.example.com"})
        bad = Client().get("/api/items/", headers={"Origin": "https://shop.example.com.evil.net"})
    assert good["Access-Control-Allow-Origin"] == "https://shop.example.com"
    assert not bad.has_header("Access-Control-Allow-Origin")


def test_urls_regex_keeps_django_cors_headers_prefix_meaning() -> None:
    with override_settings(CORS_URLS_REGEX=r"^/api/"):
        inside = Client().get("/api/items/", headers={"Origin": APP})
        outside = Client().get("/other/items/", headers={"Origin": APP})
        outside_preflight = preflight(Client(), "/other/items/")
    assert inside["Access-Control-Allow-Origin"] == APP
    assert cors_headers_of(outside) == {}
    assert "Vary" not in outside  # out of scope: untouched
    assert views.calls == ["items GET", "items GET", "items OPTIONS"]
    assert not outside_preflight.has_header("Access-Control-Allow-Origin")


def test_cors_paths_give_each_prefix_its_policy_and_leave_the_rest_alone() -> None:
    paths = {
        "/api/": {"CORS_ALLOWED_ORIGINS": [APP]},
        "/public/": {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOW_CREDENTIALS": False},
        re.compile(r"/v[0-9]+/items/"): {"CORS_ALLOWED_ORIGINS": ["https://versioned.example"]},
    }
    with override_settings(CORS_PATHS=paths):
        api = Client().get("/api/items/", headers={"Origin": APP})
        public = Client().get("/public/items/", headers={"Origin": EVIL})
        versioned = Client().get("/v2/items/", headers={"Origin": "https://versioned.example"})
        other = Client().get("/other/items/", headers={"Origin": APP})
        public_preflight = preflight(Client(), "/public/items/", origin=EVIL, method="GET")
    # Entries inherit the top-level settings (credentials, exposed headers) they do not set.
    assert cors_headers_of(api) == {
        "Access-Control-Allow-Origin": APP,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "x-total-count",
    }
    assert public["Access-Control-Allow-Origin"] == "*"
    assert not public.has_header("Access-Control-Allow-Credentials")
    assert versioned["Access-Control-Allow-Origin"] == "https://versioned.example"
    assert cors_headers_of(other) == {}
    assert "Vary" not in other
    assert public_preflight.status_code == 204
    assert public_preflight["Access-Control-Allow-Origin"] == "*"


# ---- settings are compiled once, and again when they change


def test_settings_are_compiled_once_not_per_request(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[int] = []
    real_compile = conf.compile_settings

    def counting_compile() -> tuple[conf.CompiledSettings | None, list[object]]:
        compiled.append(1)
        return real_compile()  # type: ignore[return-value]

    monkeypatch.setattr(conf, "compile_settings", counting_compile)
    client = Client()
    client.get("/api/items/", headers={"Origin": APP})  # may compile (settings just reset)
    before = len(compiled)
    for _ in range(5):
        client.get("/api/items/", headers={"Origin": APP})
        preflight(client, "/api/items/")
    assert len(compiled) == before
    with override_settings(CORS_ALLOWED_ORIGINS=["https://new.example.com"]):
        response = client.get("/api/items/", headers={"Origin": "https://new.example.com"})
        client.get("/api/items/", headers={"Origin": "https://new.example.com"})
    assert response["Access-Control-Allow-Origin"] == "https://new.example.com"
    assert len(compiled) == before + 1


def test_override_settings_takes_effect_and_is_undone() -> None:
    client = Client()
    assert client.get("/api/items/", headers={"Origin": APP})["Access-Control-Allow-Origin"] == APP
    with override_settings(CORS_ALLOWED_ORIGINS=["https://other.example.com"]):
        assert not client.get("/api/items/", headers={"Origin": APP}).has_header(
            "Access-Control-Allow-Origin"
        )
    assert client.get("/api/items/", headers={"Origin": APP})["Access-Control-Allow-Origin"] == APP


def test_invalid_settings_refuse_to_serve() -> None:
    """V1: '*' with credentials is refused, not turned into reflection."""
    with (
        override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=True),
        pytest.raises(ImproperlyConfigured, match=r"E012.*CORS_ALLOW_ALL_ORIGINS"),
    ):
        Client().get("/api/items/", headers={"Origin": EVIL})


def test_debug_mode_refused_preflight_names_what_passed() -> None:
    """Debug mode (issue 6): an ok status with the headers that passed, so the browser
    console names the failing step; here the method fails, the origin passed."""
    with override_settings(CORS_DEBUG="force"):
        response = preflight(Client(), "/api/items/", method="TRACE")
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == APP
    assert "TRACE" not in response.get("Access-Control-Allow-Methods", "")


# ---- Django's public header API writes what the core's pair-list decoration writes


@pytest.mark.parametrize(
    ("origin", "app_headers"),
    [
        (APP, {}),
        (APP, {"Vary": "Cookie, Accept-Encoding", "Access-Control-Allow-Origin": "*"}),
        (EVIL, {"Access-Control-Allow-Origin": "*", "Access-Control-Max-Age": "5"}),
        (None, {"vary": "accept-language"}),
        (APP, {"Vary": "*"}),
    ],
)
def test_public_header_api_writes_what_the_pair_list_decoration_writes(
    origin: str | None, app_headers: dict[str, str]
) -> None:
    """The middleware's decoration through Django's public ResponseHeaders API gives the
    headers Decision.decorate gives for the same pairs, including the merged Vary (R30)
    and the removal of CORS headers the app set (R18)."""
    policy = conf.compiled_settings().policy_for_path("/api/items/")
    assert policy is not None
    decision = policy.decide("GET", origin)
    response = HttpResponse("body", headers=app_headers)
    middleware._decorate(decision, response)
    expected = decision.decorate(
        [("Content-Type", response["Content-Type"]), *app_headers.items()]
    )
    assert sorted((name.lower(), value) for name, value in response.items()) == sorted(
        (name.lower(), value) for name, value in expected
    )
    assert len([name for name, _ in response.items() if name.lower() == "vary"]) == 1


def test_public_header_methods_path_through_the_client() -> None:
    response = Client().get("/api/varies-on-cookie/", headers={"Origin": APP})
    assert response["Access-Control-Allow-Origin"] == APP
    assert vary_of(response) == ["Cookie", "Origin"]


def test_preflight_passthrough_lets_the_view_answer_and_decorates_it() -> None:
    with override_settings(CORS_PREFLIGHT_PASSTHROUGH=True):
        response = preflight(Client(), "/api/items/")
    assert views.calls == ["items OPTIONS"]
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert "PUT" in response["Access-Control-Allow-Methods"]
