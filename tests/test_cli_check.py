"""cors-wsgi check: flags named after the CORSMiddleware keywords, WSGI applications
(--wsgi) and Django settings (--django-settings)."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cors_wsgi.browser.cli import apps as cli_apps
from tests.cli_run import ANSI, cli_subprocess, run

if TYPE_CHECKING:
    from collections.abc import Iterator


# ---- check: flags named after the CORSMiddleware keywords


def test_check_reports_every_problem_under_the_flag_name_and_exits_1(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(
        capsys,
        "check",
        "--allow-origin",
        "frontend.example.com",
        "--allow-origin",
        "http://app.example.com",
        "--allow-credentials",
        "--allow-header",
        "cookie",
        "--max-age",
        "99999",
        "--expose-header",
        "*",
        "--preflight-status",
        "302",
    )
    assert status == 1
    assert "[E001] --allow-origin = 'frontend.example.com'" in out  # R47, V17
    assert "'https://frontend.example.com'" in out  # the fix
    assert "[E013] --allow-origin = 'http://app.example.com'" in out  # V10
    assert "[E018] --allow-header = 'cookie'" in out  # R14
    assert "[E021] --max-age = 99999" in out  # R24
    assert "[E020] --expose-header" in out  # R44
    assert "[E026] --preflight-status = 302" in out
    assert "6 errors" in out


def test_check_any_origin_with_credentials_is_an_error_r43(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, out, _ = run(capsys, "check", "--allow-origin", "*", "--allow-credentials")
    assert status == 1
    assert "[E012]" in out
    assert "1 error;" in out


def test_check_valid_configuration_describes_it(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "check",
        "--allow-origin",
        "https://app.example.com",
        "--allow-origin",
        "https://*.example.com",
        "--allow-origin-regex",
        r"https://[a-z]+\.example\.org",
        "--allow-method",
        "*",
        "--allow-header",
        "x-token",
        "--expose-header",
        "x-total-count",
        "--allow-credentials",
        "--allow-private-network",
        "--max-age",
        "none",
        "--preflight-status",
        "200",
        "--color",
        "never",
    )
    assert status == 0, out
    assert "origins: https://app.example.com, https://*.example.com" in out
    assert r"origin regexes: https://[a-z]+\.example\.org" in out
    assert "methods: any ('*')" in out
    assert "request headers: x-token" in out
    assert "exposed headers: x-total-count" in out
    assert "credentials: allowed" in out
    assert "preflight cache: no Access-Control-Max-Age" in out
    assert out.rstrip().endswith("the configuration: valid")


def test_check_warns_when_no_origin_is_allowed(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "check", "--allow-method", "PUT", "--expose-header", "*", "--max-age", "5"
    )
    assert status == 0
    assert "warning no origin is allowed" in out
    assert "valid, with 1 warning(s)" in out
    assert "methods: GET, HEAD, POST, PUT" in out
    assert "preflight cache: 5 s" in out


def test_check_colours_only_when_asked_or_on_a_terminal(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _, plain, _ = run(capsys, "check", "--allow-origin", "*")
    assert not ANSI.search(plain)  # captured output is not a terminal
    _, coloured, _ = run(capsys, "check", "--allow-origin", "*", "--color", "always")
    assert "\x1b[32m" in coloured
    _, errors, _ = run(capsys, "check", "--allow-origin", "x", "--color", "always")
    assert "\x1b[31;1merror\x1b[0m" in errors


# ---- check --wsgi: import an application and find its CORS layers


def _write_module(tmp_path: Path, name: str, source: str) -> str:
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
    return name


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("cli_app_"):
            del sys.modules[name]


APP_SOURCE = """
    from cors_wsgi import CORSMiddleware

    def inner(environ, start_response):
        start_response("200 OK", [])
        return [b""]
"""


def test_check_wsgi_finds_the_layer_and_describes_its_policy(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_module(
        app_dir,
        "cli_app_one",
        APP_SOURCE
        + """
    class Logging:
        def __init__(self, app):
            self.app = app
        def __call__(self, environ, start_response):
            return self.app(environ, start_response)

    application = Logging(CORSMiddleware(inner, allow_origins=["https://app.example.com"]))
    """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_one:application")
    assert status == 0, out
    assert "app.app: CORSMiddleware" in out
    assert "origins: https://app.example.com" in out


def test_check_wsgi_refuses_stacked_layers_r18(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_module(
        app_dir,
        "cli_app_two",
        APP_SOURCE
        + """
    application = CORSMiddleware(
        CORSMiddleware(inner, allow_origins="*"),
        paths={"/api/": {"allow_origins": ["https://app.example.com"]}},
    )
    """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_two:application")
    assert status == 1
    assert "2 CORS layers are stacked" in out
    assert "CORSMiddleware '/api'" in out


def test_check_wsgi_reports_the_config_error_raised_at_import(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_module(
        app_dir,
        "cli_app_three",
        APP_SOURCE
        + """
    application = CORSMiddleware(inner, allow_origins=["https://app.example.com/"], max_age=-1)
    """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_three:application")
    assert status == 1
    assert "[E002] allow_origins = 'https://app.example.com/'" in out
    assert "[E021] max_age = -1" in out
    assert "raised ConfigError" in out


def test_check_wsgi_without_cors_warns_and_bad_paths_fail(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_module(app_dir, "cli_app_four", APP_SOURCE + "    application = inner\n")
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_four:application")
    assert status == 0
    assert "no cors_wsgi layer found in cli_app_four:application" in out
    # Nothing could be checked: a load failure, exit 2 (issue 11), not "1 error".
    status, _, err = run(capsys, "check", "--wsgi", "cli_app_four")
    assert status == 2
    assert "is not module:attribute" in err
    status, _, err = run(capsys, "check", "--wsgi", "cli_app_missing_module:app")
    assert status == 2
    assert "cannot import cli_app_missing_module:app" in err
    status, _, err = run(capsys, "check", "--wsgi", "cli_app_four:nothing")
    assert status == 2
    assert "cannot import" in err


def test_check_wsgi_recognises_a_flask_app_with_cors(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _write_module(
        app_dir,
        "cli_app_flask",
        """
    from flask import Flask
    from cors_wsgi.flask import CORS

    app = Flask(__name__)
    CORS(app, origins=["https://app.example.com"])
    """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_flask:app")
    assert status == 0, out
    assert "a Flask app with cors_wsgi.flask's CORS" in out


def test_check_text_values_go_to_the_core_as_written(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "check", "--allow-origin", "*", "--max-age", "ten", "--preflight-status", "ok"
    )
    assert status == 1
    assert "[E021] --max-age = 'ten'" in out
    assert "[E026] --preflight-status = 'ok'" in out


def test_check_wsgi_django_handler_counts_its_middleware_as_a_layer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, with a stand-in for Django's WSGIHandler and its settings (the real
    project runs in a subprocess below)."""
    import types

    from cors_wsgi import CORSMiddleware

    handler_class = type("WSGIHandler", (), {"__call__": lambda self, e, s: []})
    handler_class.__module__ = "django.core.handlers.wsgi"
    application = CORSMiddleware(handler_class(), allow_origins="*")
    module = types.ModuleType("cli_app_django_standin")
    module.application = application  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "cli_app_django_standin", module)
    monkeypatch.setattr(cli_apps, "run_django_checks", lambda report: None)
    # Django's settings are global to the session; the real lookup runs in a subprocess below.
    monkeypatch.setattr(cli_apps, "django_uses_cors_wsgi", lambda: True)
    status, out, _ = run(capsys, "check", "--wsgi", "cli_app_django_standin:application")
    assert status == 1
    assert "app.app: a Django project; checking its settings" in out
    assert "2 CORS layers are stacked" in out


# ---- check --django-settings: the adapter's system checks


def test_check_django_formats_the_system_checks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """In-process, with Django's set-up and the checks replaced (Django's settings are
    global; the real thing runs in a subprocess below)."""
    import django
    from django.core.checks import Error, Warning

    import cors_wsgi.django.checks as checks

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "unchanged")
    monkeypatch.setattr(django, "setup", lambda: None)
    monkeypatch.setattr(
        checks,
        "check_settings",
        lambda: [
            Error("CORS_ALLOWED_ORIGINS = ['x']: write https://x", id="cors_wsgi.E001"),
            Warning("CommonMiddleware above CorsMiddleware", hint="move it", id="cors_wsgi.W001"),
        ],
    )
    status, out, _ = run(capsys, "check", "--django-settings", "mysite.settings")
    assert status == 1
    assert "error [cors_wsgi.E001] CORS_ALLOWED_ORIGINS" in out
    assert "warning [cors_wsgi.W001] CommonMiddleware above CorsMiddleware (hint: move it)" in out
    assert "Django settings mysite.settings: 1 error" in out


def test_check_django_settings_that_do_not_load(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import django

    def fail() -> None:
        raise ImportError("No module named 'nowhere'")

    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "unchanged")
    monkeypatch.setattr(django, "setup", fail)
    status, out, err = run(capsys, "check", "--django-settings", "nowhere.settings")
    assert status == 2
    assert out == ""
    assert "cannot load the Django settings 'nowhere.settings'" in err


def test_check_real_django_settings_in_a_subprocess(tmp_path: Path) -> None:
    pytest.importorskip("django")
    (tmp_path / "bad_settings.py").write_text(
        textwrap.dedent(
            """
            SECRET_KEY = "x"
            INSTALLED_APPS = ["cors_wsgi.django"]
            MIDDLEWARE = [
                "django.middleware.common.CommonMiddleware",
                "cors_wsgi.django.middleware.CorsMiddleware",
            ]
            CORS_ALLOWED_ORIGINS = ["https://app.example.com/", "frontend.example.com"]
            CORS_ALLOW_CREDENTIALS = True
            CORS_ALLOW_ALL_ORIGINS = False
            """
        )
    )
    completed = cli_subprocess(tmp_path, "check", "--django-settings", "bad_settings")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "cors_wsgi.E002" in completed.stdout
    assert "cors_wsgi.E001" in completed.stdout
    assert "cors_wsgi.W001" in completed.stdout
    (tmp_path / "good_settings.py").write_text(
        'SECRET_KEY = "x"\nINSTALLED_APPS = ["cors_wsgi.django"]\n'
        'MIDDLEWARE = ["cors_wsgi.django.middleware.CorsMiddleware"]\n'
        'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n'
    )
    completed = cli_subprocess(tmp_path, "check", "--django-settings", "good_settings")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Django settings good_settings: valid" in completed.stdout


def test_check_real_django_project_wrapped_twice_in_a_subprocess(tmp_path: Path) -> None:
    pytest.importorskip("django")
    (tmp_path / "twice_settings.py").write_text(
        'SECRET_KEY = "x"\nINSTALLED_APPS = ["cors_wsgi.django"]\n'
        'ROOT_URLCONF = "twice_settings"\n'
        'MIDDLEWARE = ["cors_wsgi.django.middleware.CorsMiddleware"]\n'
        'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\nurlpatterns = []\n'
    )
    (tmp_path / "twice_wsgi.py").write_text(
        textwrap.dedent(
            """
            import os
            os.environ.setdefault("DJANGO_SETTINGS_MODULE", "twice_settings")
            from django.core.wsgi import get_wsgi_application
            from cors_wsgi import CORSMiddleware
            application = CORSMiddleware(get_wsgi_application(), allow_origins="*")
            """
        )
    )
    completed = cli_subprocess(tmp_path, "check", "--wsgi", "twice_wsgi:application")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "a Django project; checking its settings" in completed.stdout
    assert "2 CORS layers are stacked" in completed.stdout
