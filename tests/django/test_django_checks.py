"""System checks: core problems as Errors naming the setting written, and the Warnings."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest
from django.core.checks import Error, Tags, Warning, run_checks
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.middleware.common import CommonMiddleware
from django.test import override_settings

from cors_wsgi.django import checks

if TYPE_CHECKING:
    from django.core.checks import CheckMessage
    from pytest_django import Settings

MIDDLEWARE_PATH = "cors_wsgi.django.CorsMiddleware"


def cors_messages() -> list[CheckMessage]:
    return [m for m in run_checks(tags=[Tags.security]) if (m.id or "").startswith("cors_wsgi.")]


def ids_of(messages: list[CheckMessage]) -> list[str]:
    return [m.id or "" for m in messages]


def test_valid_test_settings_have_no_messages() -> None:
    assert cors_messages() == []


def test_checks_are_registered_under_the_security_tag() -> None:
    with override_settings(CORS_ALLOWED_ORIGINS=["frontend.example.com"]):
        assert "cors_wsgi.E001" in ids_of(run_checks(tags=[Tags.security]))
        assert "cors_wsgi.E001" not in ids_of(run_checks(tags=[Tags.models]))


def test_manage_py_check_deploy_fails_on_a_cors_error() -> None:
    with (
        override_settings(CORS_ALLOWED_ORIGINS=["https://app.example.com/"]),
        pytest.raises(SystemCheckError, match=r"cors_wsgi\.E002"),
    ):
        call_command("check", deploy=True, tags=[Tags.security])


@pytest.mark.parametrize(
    ("settings_kwargs", "expected_id", "named"),
    [
        ({"CORS_ALLOWED_ORIGINS": ["frontend.yourdomain.com"]}, "E001", "CORS_ALLOWED_ORIGINS"),
        ({"CORS_ALLOWED_ORIGINS": ["https://x.example.com:443"]}, "E005", "CORS_ALLOWED_ORIGINS"),
        ({"CORS_ALLOWED_ORIGINS": ["null"]}, "E009", "CORS_ALLOWED_ORIGINS"),
        (
            {"CORS_ALLOWED_ORIGINS": ["http://app.example.com"]},
            "E013",
            "CORS_ALLOWED_ORIGINS",
        ),
        (
            {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOWED_ORIGINS": []},
            "E012",
            "CORS_ALLOW_ALL_ORIGINS",
        ),
        ({"CORS_ALLOW_METHODS": ["GET", "TRACE"]}, "E016", "CORS_ALLOW_METHODS"),
        ({"CORS_ALLOW_HEADERS": ["cookie"]}, "E018", "CORS_ALLOW_HEADERS"),
        ({"CORS_EXPOSE_HEADERS": ["*"]}, "E020", "CORS_EXPOSE_HEADERS"),
        ({"CORS_PREFLIGHT_MAX_AGE": -1}, "E021", "CORS_PREFLIGHT_MAX_AGE"),
        ({"CORS_ALLOWED_ORIGIN_REGEXES": ["(unclosed"]}, "E022", "CORS_ALLOWED_ORIGIN_REGEXES"),
        ({"CORS_ALLOWED_ORIGIN_REGEXES": [r".*"]}, "E029", "CORS_ALLOWED_ORIGIN_REGEXES"),
        ({"CORS_ALLOW_CREDENTIALS": "yes"}, "E023", "CORS_ALLOW_CREDENTIALS"),
        ({"CORS_ALLOW_ALL_ORIGINS": "yes"}, "E023", "CORS_ALLOW_ALL_ORIGINS"),
        ({"CORS_PREFLIGHT_STATUS": 201}, "E026", "CORS_PREFLIGHT_STATUS"),
        ({"CORS_URLS_REGEX": "(unclosed"}, "E022", "CORS_URLS_REGEX"),
        ({"CORS_URLS_REGEX": 42}, "E023", "CORS_URLS_REGEX"),
        ({"CORS_ALLOWED_ORIGIN_FUNC": "no.such.module.func"}, "E023", "CORS_ALLOWED_ORIGIN_FUNC"),
    ],
)
def test_core_problem_becomes_an_error_naming_the_setting(
    settings_kwargs: dict[str, object], expected_id: str, named: str
) -> None:
    with override_settings(**settings_kwargs):
        messages = cors_messages()
    errors = [m for m in messages if isinstance(m, Error)]
    assert [m.id for m in errors] == [f"cors_wsgi.{expected_id}"]
    assert errors[0].msg.startswith(f"{named} = ")


@pytest.mark.parametrize(
    ("name", "value", "fix"),
    [
        ("CORS_ALLOWED_ORIGINS", "https://example.com", "['https://example.com']"),
        (
            "CORS_ALLOWED_ORIGINS",
            "https://a.example.com, https://b.example.com",
            "['https://a.example.com', 'https://b.example.com']",
        ),
        ("CORS_ALLOW_METHODS", "PUT", "['PUT']"),
        ("CORS_ALLOW_METHODS", "GET, POST", "['GET', 'POST']"),
        ("CORS_ALLOW_HEADERS", "x-token", "['x-token']"),
        ("CORS_EXPOSE_HEADERS", "x-total-count", "['x-total-count']"),
        ("CORS_ALLOWED_ORIGIN_REGEXES", r"^https://\w+\.example\.com$", "[r'^https://"),
        ("CORS_ORIGIN_WHITELIST", "https://example.com", "['https://example.com']"),
    ],
)
def test_a_string_where_a_list_belongs_is_e023_showing_the_list(
    settings: Settings, name: str, value: str, fix: str
) -> None:
    """Issue 10 item 15: django-cors-headers reports these; the README promised E023."""
    del settings.CORS_ALLOWED_ORIGINS
    setattr(settings, name, value)
    [message] = cors_messages()
    assert message.id == "cors_wsgi.E023"
    assert message.msg.startswith(f"{name} = {value!r}: ")
    assert fix in message.msg


def test_allowed_origins_star_string_never_means_every_origin(settings: Settings) -> None:
    settings.CORS_ALLOWED_ORIGINS = "*"
    settings.CORS_ALLOW_CREDENTIALS = False
    [message] = cors_messages()
    assert message.id == "cors_wsgi.E023"
    assert "CORS_ALLOW_ALL_ORIGINS = True" in message.msg
    settings.CORS_ALLOWED_ORIGINS = ["*"]
    assert "CORS_ALLOW_ALL_ORIGINS = True" in cors_messages()[0].msg


def test_star_strings_for_methods_and_headers_keep_their_documented_meaning(
    settings: Settings,
) -> None:
    settings.CORS_ALLOW_METHODS = "*"
    settings.CORS_ALLOW_HEADERS = ["*", "authorization"]
    assert cors_messages() == []


def test_every_problem_is_reported_at_once() -> None:
    with override_settings(
        CORS_ALLOWED_ORIGINS=["frontend.example.com", "https://ok.example.com/"],
        CORS_ALLOW_METHODS=["CONNECT"],
    ):
        assert sorted(ids_of(cors_messages())) == [
            "cors_wsgi.E001",
            "cors_wsgi.E002",
            "cors_wsgi.E016",
        ]


def test_problem_names_the_old_alias_the_user_wrote(settings: Settings) -> None:
    del settings.CORS_ALLOWED_ORIGINS
    settings.CORS_ORIGIN_WHITELIST = ["https://app.example.com/"]
    [message] = cors_messages()
    assert message.id == "cors_wsgi.E002"
    assert message.msg.startswith("CORS_ORIGIN_WHITELIST = ")


def test_problem_in_cors_paths_names_the_entry() -> None:
    paths = {
        "/api/": {"CORS_ALLOWED_ORIGINS": ["api.example.com"]},
        "/public/": {"CORS_ALLOW_ALL_ORIGINS": True},  # inherits credentials: refused
        "/other/": {"CORS_ALLOWED_ORIGIN": ["https://typo.example.com"]},
        "no-slash": {},
    }
    with override_settings(CORS_PATHS=paths):
        messages = {m.msg.split(" = ")[0]: m.id for m in cors_messages()}
    assert messages == {
        "CORS_PATHS['/api/']['CORS_ALLOWED_ORIGINS']": "cors_wsgi.E001",
        "CORS_PATHS['/public/']['CORS_ALLOW_ALL_ORIGINS']": "cors_wsgi.E012",
        "CORS_PATHS['/other/']['CORS_ALLOWED_ORIGIN']": "cors_wsgi.E024",
        "CORS_PATHS": "cors_wsgi.E027",
    }


def test_cors_paths_with_cors_urls_regex_conflict() -> None:
    with override_settings(CORS_PATHS={"/api/": {}}, CORS_URLS_REGEX=r"^/api/"):
        assert ids_of(cors_messages()) == ["cors_wsgi.E030"]


def test_cors_paths_of_the_wrong_type() -> None:
    with override_settings(CORS_PATHS=["/api/"]):
        assert ids_of(cors_messages()) == ["cors_wsgi.E023"]
    with override_settings(CORS_PATHS={"/api/": ["https://app.example.com"]}):
        assert ids_of(cors_messages()) == ["cors_wsgi.E023"]


# ---- warnings


@pytest.mark.parametrize(
    "above",
    [
        "django.middleware.common.CommonMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
    ],
)
def test_warning_when_cors_middleware_is_below_one_that_answers_first(above: str) -> None:
    with override_settings(MIDDLEWARE=[above, MIDDLEWARE_PATH]):
        [message] = cors_messages()
    assert isinstance(message, Warning)
    assert message.id == "cors_wsgi.W001"
    assert above in message.msg


def test_warning_for_a_subclass_of_a_middleware_that_answers_first() -> None:
    with override_settings(MIDDLEWARE=[f"{__name__}.StrictCommonMiddleware", MIDDLEWARE_PATH]):
        assert ids_of(cors_messages()) == ["cors_wsgi.W001"]


def test_no_order_warning_for_harmless_middleware_above() -> None:
    harmless = [
        "django.middleware.security.SecurityMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "no.such.module.Middleware",
    ]
    with override_settings(MIDDLEWARE=[*harmless, MIDDLEWARE_PATH]):
        assert cors_messages() == []


def test_w008_for_django_hosts_below_cors_middleware() -> None:
    """Issue 10 item 8: its URLconfs' per-view policies cannot apply from there."""
    hosts = "django_hosts.middleware.HostsRequestMiddleware"
    with override_settings(MIDDLEWARE=[MIDDLEWARE_PATH, hosts]):
        [message] = cors_messages()
    assert message.id == "cors_wsgi.W008"
    assert hosts in message.msg
    with override_settings(MIDDLEWARE=[hosts, MIDDLEWARE_PATH]):
        assert cors_messages() == []


def test_warning_when_the_middleware_is_missing() -> None:
    with override_settings(MIDDLEWARE=["django.middleware.common.CommonMiddleware"]):
        assert ids_of(cors_messages()) == ["cors_wsgi.W004"]


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("CORS_REPLACE_HTTPS_REFERER", "removed"),
        ("CORS_ALLOWED_ORIGIN", "CORS_ALLOWED_ORIGINS"),
        ("CORS_SOMETHING_ELSE_ENTIRELY", "Remove it"),
    ],
)
def test_warning_for_a_cors_setting_that_is_not_read(name: str, hint: str) -> None:
    with override_settings(**{name: True}):
        [message] = cors_messages()
    assert message.id == "cors_wsgi.W002"
    assert name in message.msg
    assert hint in (message.hint or "")


def test_warning_when_django_cors_headers_is_installed_alongside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Overriding INSTALLED_APPS would run corsheaders' ready() and register its checks for
    # the rest of the session, so the check reads a stand-in settings object here.
    fake_settings = SimpleNamespace(
        INSTALLED_APPS=["django.contrib.auth", "corsheaders", "cors_wsgi.django"],
        MIDDLEWARE=[MIDDLEWARE_PATH, "corsheaders.middleware.CorsMiddleware"],
    )
    monkeypatch.setattr(checks, "settings", fake_settings)
    [message] = checks._check_corsheaders()
    assert message.id == "cors_wsgi.W003"
    assert "corsheaders, corsheaders.middleware.CorsMiddleware" in message.msg


def test_warning_for_corsheaders_middleware_in_the_real_settings() -> None:
    middleware = [MIDDLEWARE_PATH, "corsheaders.middleware.CorsMiddleware"]
    with override_settings(MIDDLEWARE=middleware):
        assert ids_of(cors_messages()) == ["cors_wsgi.W003"]


def test_warning_when_a_setting_and_its_old_alias_are_both_set() -> None:
    with override_settings(CORS_ORIGIN_WHITELIST=["https://old.example.com"]):
        [message] = cors_messages()
    assert message.id == "cors_wsgi.W005"
    assert "CORS_ORIGIN_WHITELIST is ignored" in message.msg


def test_warning_when_allow_all_makes_an_allow_list_irrelevant() -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True, CORS_ALLOW_CREDENTIALS=False):
        [message] = cors_messages()
    assert message.id == "cors_wsgi.W006"
    assert re.search(r"CORS_ALLOWED_ORIGINS is ignored", message.msg)
    paths = {"/public/": {"CORS_ALLOW_ALL_ORIGINS": True, "CORS_ALLOWED_ORIGIN_REGEXES": [".+"]}}
    with override_settings(CORS_PATHS=paths, CORS_ALLOW_CREDENTIALS=False):
        assert "cors_wsgi.W006" in ids_of(cors_messages())


def test_w006_names_the_old_alias_the_user_wrote(settings: Settings) -> None:
    """Issue 11: the warning named CORS_ALLOW_ALL_ORIGINS for CORS_ORIGIN_ALLOW_ALL."""
    del settings.CORS_ALLOWED_ORIGINS
    settings.CORS_ALLOW_CREDENTIALS = False
    settings.CORS_ORIGIN_ALLOW_ALL = True
    settings.CORS_ORIGIN_WHITELIST = ["https://app.example.com"]
    [message] = cors_messages()
    assert message.id == "cors_wsgi.W006"
    assert message.msg == (
        "CORS_ORIGIN_ALLOW_ALL is True in settings, so CORS_ORIGIN_WHITELIST is ignored: "
        "every origin is allowed."
    )
    assert "CORS_ORIGIN_ALLOW_ALL" in (message.hint or "")


def test_w006_is_silent_for_an_empty_allow_list(settings: Settings) -> None:
    """An empty list beside CORS_ALLOW_ALL_ORIGINS ignores nothing (a common template)."""
    settings.CORS_ALLOW_CREDENTIALS = False
    settings.CORS_ALLOW_ALL_ORIGINS = True
    settings.CORS_ALLOWED_ORIGINS = []
    settings.CORS_ALLOWED_ORIGIN_REGEXES = ()
    assert cors_messages() == []


def test_w001_says_what_the_append_slash_redirect_really_breaks() -> None:
    """Issue 11: preflights are answered above it; the redirected request is what fails."""
    with override_settings(
        MIDDLEWARE=["django.middleware.common.CommonMiddleware", MIDDLEWARE_PATH]
    ):
        [message] = cors_messages()
    assert "answers preflights with a 301" not in message.msg
    assert "without CORS headers" in message.msg


@pytest.mark.parametrize(
    ("pattern", "written"),
    [
        (r"^https://\w+\.example\.com", r"^https://\w+\.example\.com.*"),
        (
            r"^https://a\.example\.com$|^https://b\.",
            r"(?:^https://a\.example\.com$|^https://b\.).*",
        ),
    ],
)
def test_w007_for_a_regex_whose_matches_shrink_under_full_match(
    settings: Settings, pattern: str, written: str
) -> None:
    """Issue 11 migrations item 3: django-cors-headers used re.match (a prefix)."""
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [pattern]
    [message] = cors_messages()
    assert message.id == "cors_wsgi.W007"
    assert repr(pattern) in message.msg
    assert f"r'{written}'" in (message.hint or "")
    # The old meaning is kept: what re.match allowed, the pattern to write full-matches.
    for origin in ("https://a.example.com:8443", "https://b.example.com", "https://c.org"):
        assert bool(re.fullmatch(written, origin)) == bool(re.match(pattern, origin))


@pytest.mark.parametrize(
    "pattern",
    [
        r"^https://\w+\.example\.com$",
        r"https://\w+\.example\.com\Z",
        # Ends in '.*' (no W007), after a ':' so no look-alike host gets in (no E029).
        r"^https://a\.b:.*",
        r"^https://(a|b)\.example\.com$",
        r"^https://[]|a]+\.example\.com$",  # '|' inside a class does not split
        r"^https://[\w|]+\.example\.com$",
    ],
)
def test_no_w007_for_a_regex_anchored_at_its_end(settings: Settings, pattern: str) -> None:
    settings.CORS_ALLOWED_ORIGIN_REGEXES = [pattern]
    assert cors_messages() == []


def test_w100_star_in_allow_headers_does_not_cover_authorization(settings: Settings) -> None:
    settings.CORS_ALLOW_HEADERS = ["*"]
    [message] = cors_messages()
    assert isinstance(message, Warning)
    assert message.id == "cors_wsgi.W100"
    assert "CORS_ALLOW_HEADERS = ['*', 'authorization']" in message.msg
    settings.CORS_ALLOW_HEADERS = ["*", "authorization"]
    assert cors_messages() == []


class StrictCommonMiddleware(CommonMiddleware):
    """A project's own CommonMiddleware: it still redirects preflights."""


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("CORS_PREFLIGHT_STATUS", 200.0),
        ("CORS_PREFLIGHT_STATUS", True),
        ("CORS_PREFLIGHT_MAX_AGE", 60.0),
    ],
)
def test_numeric_setting_that_is_no_int_is_an_error(setting: str, value: object) -> None:
    # issue 10, item 5: a float status passed in 0.1.0 and failed every preflight later.
    with override_settings(**{setting: value}):
        found = [m for m in cors_messages() if isinstance(m, Error)]
    assert [m.id for m in found] in (["cors_wsgi.E026"], ["cors_wsgi.E021"])
    assert setting in found[0].msg


def test_w100_for_a_cross_origin_view_names_the_view(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    # A per-view policy copied from FastAPI habits: allow_headers=["*"] never covers
    # Authorization (R22); the check says so for the view, as for top-level settings.
    (tmp_path / "cors_check_view_urls.py").write_text(
        "from django.http import HttpResponse\n"
        "from django.urls import path\n"
        "from cors_wsgi.django import cross_origin\n"
        "def items(request):\n"
        "    return HttpResponse('x')\n"
        "urlpatterns = [path('api/items/', cross_origin(\n"
        "    allow_origins=['https://app.example.com'], allow_headers=['*'])(items))]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.ROOT_URLCONF = "cors_check_view_urls"
    [warning] = [m for m in cors_messages() if m.id == "cors_wsgi.W100"]
    assert isinstance(warning, Warning)
    assert "view items (api/items/)" in warning.msg
    assert "allow_headers=['*', 'authorization']" in warning.msg


def test_a_broken_urlconf_leaves_the_cors_checks_running(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: Settings
) -> None:
    (tmp_path / "cors_check_broken_urls.py").write_text("raise RuntimeError('broken')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    settings.ROOT_URLCONF = "cors_check_broken_urls"
    from cors_wsgi.django import cross_origin

    cross_origin(allow_origins=["https://app.example.com"])(lambda request: None)
    settings.CORS_ALLOWED_ORIGINS = ["frontend.example.com"]
    assert "cors_wsgi.E001" in ids_of(cors_messages())
