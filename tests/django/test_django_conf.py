"""The translation of CORS_* settings into core policies (cors_wsgi.django.conf)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi import Policy
from cors_wsgi.django import conf

if TYPE_CHECKING:
    from pytest_django import Settings

APP = "https://app.example.com"


def is_tenant_origin(origin: str) -> bool:
    """Stands for a project's run-time allow-list (CORS_ALLOWED_ORIGIN_FUNC)."""
    return origin == "https://tenant.example.net"


def policy_at(path: str) -> Policy | None:
    compiled, problems = conf.compile_settings()
    assert problems == []
    assert compiled is not None
    return compiled.policy_for_path(path)


def test_defaults_are_django_cors_headers_defaults(settings: Settings) -> None:
    for name in ("CORS_ALLOW_CREDENTIALS", "CORS_EXPOSE_HEADERS"):
        delattr(settings, name)
    policy = policy_at("/anything")
    assert policy is not None
    assert policy.allow_origins == (APP,)
    assert policy.allow_methods == ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
    assert policy.allow_headers == (
        "accept",
        "authorization",
        "content-type",
        "user-agent",
        "x-csrftoken",
        "x-requested-with",
    )
    assert policy.max_age == 86400
    assert policy.allow_credentials is False
    assert policy.expose_headers == ()
    assert policy.allow_private_network is False
    assert policy.preflight_status == 204


def test_every_setting_reaches_its_keyword() -> None:
    with override_settings(
        CORS_ALLOWED_ORIGINS=["https://a.example.com"],
        CORS_ALLOWED_ORIGIN_REGEXES=[r"https://[a-z]+\.example\.org"],
        CORS_ALLOWED_ORIGIN_FUNC=f"{__name__}.is_tenant_origin",
        CORS_ALLOWED_ORIGIN_FUNC_TTL=0,
        CORS_ALLOW_METHODS=["GET", "PUT"],
        CORS_ALLOW_HEADERS=["x-token"],
        CORS_EXPOSE_HEADERS=["x-count"],
        CORS_PREFLIGHT_MAX_AGE=None,
        CORS_ALLOW_CREDENTIALS=False,
        CORS_ALLOW_PRIVATE_NETWORK=True,
        CORS_PREFLIGHT_STATUS=200,
        CORS_PREFLIGHT_PASSTHROUGH=True,
    ):
        policy = policy_at("/")
    assert policy is not None
    assert policy.allow_origins == ("https://a.example.com",)
    assert [r.pattern for r in policy.allow_origin_regex] == [r"https://[a-z]+\.example\.org"]
    assert policy.allow_origin_func is is_tenant_origin
    assert policy.allow_origin_func_ttl == 0
    assert policy.preflight_passthrough is True
    assert policy.allow_methods == ("GET", "PUT")
    assert policy.allow_headers == ("x-token",)
    assert policy.expose_headers == ("x-count",)
    assert policy.max_age is None
    assert policy.allow_private_network is True
    assert policy.preflight_status == 200
    assert policy.decide("GET", "https://tenant.example.net").allowed


def test_allow_all_origins_becomes_star_and_drops_the_lists() -> None:
    with override_settings(
        CORS_ALLOW_ALL_ORIGINS=True,
        CORS_ALLOW_CREDENTIALS=False,
        CORS_ALLOWED_ORIGIN_REGEXES=[r"https://x\.example\.com"],
    ):
        policy = policy_at("/")
    assert policy is not None
    assert policy.allow_origins == ("*",)
    assert policy.allow_origin_regex == ()


def test_allow_all_origins_false_keeps_the_list() -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=False):
        policy = policy_at("/")
    assert policy is not None
    assert policy.allow_origins == (APP,)


def test_old_aliases(settings: Settings) -> None:
    del settings.CORS_ALLOWED_ORIGINS
    settings.CORS_ORIGIN_ALLOW_ALL = True
    settings.CORS_ALLOW_CREDENTIALS = False
    settings.CORS_ORIGIN_REGEX_WHITELIST = [r"https://r\.example\.com"]
    policy = policy_at("/")
    assert policy is not None
    assert policy.allow_origins == ("*",)


def test_problem_value_is_what_the_user_wrote() -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True):  # with credentials from the settings
        _compiled, [problem] = conf.compile_settings()
    assert problem.code == "E012"
    assert (problem.option, problem.value) == ("CORS_ALLOW_ALL_ORIGINS", True)


def test_problem_in_a_default_is_named_as_a_default() -> None:
    """A default can only go wrong together with another setting: say which default."""
    with override_settings(CORS_ALLOW_HEADERS=["*"], CORS_EXPOSE_HEADERS=["*"]):
        _compiled, problems = conf.compile_settings()
    assert [(p.code, p.option) for p in problems] == [("E020", "CORS_EXPOSE_HEADERS")]


def test_no_url_regex_means_every_path() -> None:
    compiled = conf.compiled_settings()
    assert compiled.policy_for_path("/") is compiled.policy_for_path("/deep/path/") is not None


def test_cors_paths_inherit_top_level_settings_but_origins_only_as_a_group() -> None:
    paths = {
        "/api/": {"CORS_ALLOW_METHODS": ["GET"]},
        "/partner/": {"CORS_ALLOWED_ORIGIN_REGEXES": [r"https://p[0-9]\.example\.org"]},
        "/public/": {"CORS_ORIGIN_ALLOW_ALL": True, "CORS_ALLOW_CREDENTIALS": False},
    }
    with override_settings(CORS_PATHS=paths, CORS_PREFLIGHT_MAX_AGE=5):
        api, partner, public, other = (
            policy_at(p) for p in ("/api/x", "/partner/x", "/public/x", "/other/x")
        )
    assert api is not None
    assert partner is not None
    assert public is not None
    assert other is None
    assert (api.allow_origins, api.allow_methods, api.max_age) == ((APP,), ("GET",), 5)
    assert api.allow_credentials is True
    # The entry names its own origins, so the top-level CORS_ALLOWED_ORIGINS is not inherited.
    assert partner.allow_origins == ()
    assert partner.decide("GET", "https://p1.example.org").allowed
    assert not partner.decide("GET", APP).allowed
    assert public.allow_origins == ("*",)
    assert public.max_age == 5


def test_cors_paths_regex_key_is_full_matched() -> None:
    with override_settings(CORS_PATHS={re.compile(r"/v[0-9]+/"): {}}):
        assert policy_at("/v1/") is not None
        assert policy_at("/v1/items") is None


@pytest.mark.parametrize(
    ("source", "path", "in_scope"),
    [
        (r"^/api/.*$", "/api/items", True),
        (r"^/api/", "/api/items", True),  # re.match: only the start is anchored
        (r"/api/", "/public/api/", False),
        (r"^/api/", "/apiary", False),
        (re.compile(r"^/API/", re.IGNORECASE), "/api/x", True),
        # Issue 10 item 10: global flags at the start, as django-cors-headers accepts them.
        (r"(?i)^/api/.*$", "/API/items", True),
        (r"(?i)^/api/.*$", "/public/", False),
        (r"(?x) ^/api/  # the API only", "/api/items", True),
    ],
)
def test_urls_regex_keeps_the_meaning_of_re_match(
    source: str | re.Pattern[str], path: str, in_scope: bool
) -> None:
    with override_settings(CORS_URLS_REGEX=source):
        assert (policy_at(path) is not None) is in_scope


@given(path=st.text(alphabet="/apix.-\n0123456789", max_size=20))
def test_urls_regex_selects_exactly_what_re_match_does_on_any_path(path: str) -> None:
    """Property: CORS_URLS_REGEX, compiled as written, selects exactly what re.match does."""
    for source in (r"^/api/", r"/a(pi)?", r"^.*x$", r"^/[0-9]+", r"(?i)^/API/", r"a|^/x"):
        with override_settings(CORS_URLS_REGEX=source):
            assert (policy_at(path) is not None) == bool(re.match(source, path))


def test_compiled_settings_raises_improperly_configured_listing_every_problem() -> None:
    with (
        override_settings(CORS_ALLOWED_ORIGINS=["a.example.com", "https://b.example.com/"]),
        pytest.raises(ImproperlyConfigured) as raised,
    ):
        conf.compiled_settings()
    assert "[E001] CORS_ALLOWED_ORIGINS=" in str(raised.value)
    assert "[E002] CORS_ALLOWED_ORIGINS=" in str(raised.value)


def test_compiled_settings_follow_pytest_django_deletions(settings: Settings) -> None:
    """``del settings.X`` sends no setting_changed; the cache still notices."""
    assert conf.compiled_settings().policy_for_path("/") is not None
    settings.CORS_URLS_REGEX = r"^/api/"
    assert conf.compiled_settings().policy_for_path("/") is None
    del settings.CORS_URLS_REGEX
    assert conf.compiled_settings().policy_for_path("/") is not None


def test_cors_debug_needs_django_debug() -> None:
    with override_settings(CORS_DEBUG=True, DEBUG=False):
        _compiled, [problem] = conf.compile_settings()
    assert (problem.code, problem.option, problem.value) == ("E032", "CORS_DEBUG", True)
    with override_settings(CORS_DEBUG=True, DEBUG=True):
        policy = policy_at("/")
    assert policy is not None
    assert policy.debug is True


def test_cors_debug_can_be_forced() -> None:
    with override_settings(CORS_DEBUG="force", DEBUG=False):
        policy = policy_at("/")
    assert policy is not None
    assert policy.debug is True
