"""``cors-wsgi check`` in-process on the Django test project (pytest-django's settings):
the policies it prints per path and per decorated view, and an ImproperlyConfigured at
import reported as the CORS problems it stands for, or as a load failure when the CORS
settings are not the cause. The same runs on real projects in subprocesses, in
tests/test_cli_check_apps.py."""

from __future__ import annotations

import re
import sys
import types
from typing import TYPE_CHECKING

import pytest
from django.core.exceptions import ImproperlyConfigured

from cors_wsgi.browser import cli
from cors_wsgi.browser.cli import apps as cli_apps
from cors_wsgi.browser.cli.django_settings import describe_django
from cors_wsgi.browser.cli.output import Report

if TYPE_CHECKING:
    from pytest_django import Settings


def test_check_describes_the_settings_policy_and_every_marked_view() -> None:
    report = Report()
    describe_django(report, "app")
    notes = "\n".join(report.notes)
    assert "app: every path\n    origins: https://app.example.com" in notes
    assert "app: view partner_feed (api/partner-feed/, @cross_origin)" in notes
    assert "app: view exempt (api/exempt/, cors_exempt): no CORS" in notes
    # A class-based view is found through the class the decorator marked.
    assert "app: view PartnerItemView (api/partner-item/, @cross_origin)" in notes


def test_check_names_the_urls_regex_scope(settings: Settings) -> None:
    settings.CORS_URLS_REGEX = r"^/api/.*$"
    report = Report()
    describe_django(report, "")
    assert "paths CORS_URLS_REGEX matches ('^/api/.*$')" in report.notes[0]


def test_check_notes_a_urlconf_that_fails(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = types.ModuleType("cli_broken_urls")
    monkeypatch.setitem(sys.modules, "cli_broken_urls", module)  # no urlpatterns at all
    settings.ROOT_URLCONF = "cli_broken_urls"
    report = Report()
    describe_django(report, "")
    assert any(note.startswith("per-view policies not listed") for note in report.notes)


def _module_raising(monkeypatch: pytest.MonkeyPatch, message: str) -> None:
    def fail(text: str) -> object:
        raise ImproperlyConfigured(message)

    monkeypatch.setattr(cli_apps, "load", fail)


def test_check_wsgi_improperly_configured_by_cors_settings_lists_the_problems(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    settings.CORS_ALLOWED_ORIGINS = ["frontend.example.com"]
    _module_raising(monkeypatch, "invalid CORS settings (run `manage.py check` for details)")
    status = cli.main(["check", "--wsgi", "mysite.wsgi:application", "--color", "never"])
    out = capsys.readouterr().out
    assert status == 1
    assert "Django refused its CORS settings" in out
    assert re.search(r"error \[cors_wsgi\.E001\] CORS_ALLOWED_ORIGINS", out), out


def test_check_wsgi_improperly_configured_for_another_reason_is_a_load_failure(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _module_raising(monkeypatch, "The SECRET_KEY setting\nmust not be empty.")
    status = cli.main(["check", "--wsgi", "mysite.wsgi:application"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.out == ""
    assert captured.err == (
        "cors-wsgi check: cannot import mysite.wsgi:application: importing it raised "
        "ImproperlyConfigured: The SECRET_KEY setting must not be empty.\n"
    )


def test_check_wsgi_counts_the_django_middleware_as_the_layer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.wsgi import get_wsgi_application

    handler = get_wsgi_application()
    monkeypatch.setattr(cli_apps, "load", lambda text: handler)
    status = cli.main(["check", "--wsgi", "mysite.wsgi:application", "--color", "never"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "app: a Django project; checking its settings" in out
    assert "app: every path" in out


def test_check_wsgi_django_without_the_middleware_says_where_it_goes(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.wsgi import get_wsgi_application

    settings.MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
    handler = get_wsgi_application()
    monkeypatch.setattr(cli_apps, "load", lambda text: handler)
    status = cli.main(["check", "--wsgi", "mysite.wsgi:application", "--color", "never"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "no cors_wsgi layer found in mysite.wsgi:application" in out
    assert "add 'cors_wsgi.django.middleware.CorsMiddleware' to MIDDLEWARE" in out
    assert "CORSMiddleware(app" not in out


def test_check_django_settings_describes_the_policies(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "cors_django_test_settings")
    status = cli.main(["check", "--django-settings", "cors_django_test_settings"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "every path\n    origins: https://app.example.com" in out
    assert "Django settings cors_django_test_settings: valid" in out
