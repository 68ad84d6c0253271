"""The cors-wsgi command: check (flags, Django settings, WSGI apps), probe (against the plain
WSGI example behind CORSMiddleware and against a deliberately misconfigured raw server,
both served by threaded wsgiref on 127.0.0.1, port 0), and demo."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cors_wsgi.browser import cli
from cors_wsgi.browser.cli import apps as cli_apps
from example_projects.demo import load_example
from example_projects.plain_wsgi import create_app
from example_projects.serve import BackgroundServer

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from tests.browser.engines import Tab

REPO = Path(__file__).resolve().parent.parent


def _clean_environ(**changes: str) -> dict[str, str]:
    """This process's environment for a child, without the Django settings module that
    another suite of this session may have set."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(changes)
    return environ


PAGE = "http://127.0.0.1:3000"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = cli.main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


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


def _cli_subprocess(
    cwd: Path, *arguments: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cors_wsgi", *arguments],
        cwd=cwd,
        env=_clean_environ(PYTHONPATH=f"{REPO}{os.pathsep}{cwd}"),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


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
    completed = _cli_subprocess(tmp_path, "check", "--django-settings", "bad_settings")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "cors_wsgi.E002" in completed.stdout
    assert "cors_wsgi.E001" in completed.stdout
    assert "cors_wsgi.W001" in completed.stdout
    (tmp_path / "good_settings.py").write_text(
        'SECRET_KEY = "x"\nINSTALLED_APPS = ["cors_wsgi.django"]\n'
        'MIDDLEWARE = ["cors_wsgi.django.middleware.CorsMiddleware"]\n'
        'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n'
    )
    completed = _cli_subprocess(tmp_path, "check", "--django-settings", "good_settings")
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
    completed = _cli_subprocess(tmp_path, "check", "--wsgi", "twice_wsgi:application")
    assert completed.returncode == 1, completed.stdout + completed.stderr
    assert "a Django project; checking its settings" in completed.stdout
    assert "2 CORS layers are stacked" in completed.stdout


# ---- probe: against the plain WSGI example behind CORSMiddleware


@pytest.fixture(scope="module", params=["plain", "flask"])
def example_api(request: pytest.FixtureRequest) -> Iterator[str]:
    """An example's API (the plain WSGI one, then the Flask one: the same routes and
    policies), for a page on PAGE; its base URL. The Django example runs in the demo test
    below, in a process of its own."""
    factory = create_app if request.param == "plain" else load_example(request.param)
    with BackgroundServer() as server:
        server.start(factory(PAGE))
        yield server.url


def test_probe_simple_get_is_allowed_exit_0(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "probe", f"{example_api}api/items/cli", "--origin", PAGE)
    assert status == 0, out
    assert "> GET" in out
    assert "(preflight)" not in out  # R9: a simple request has none
    assert "<   Access-Control-Allow-Origin: " + PAGE in out
    assert "ALLOWED: the script can read the response" in out
    assert "readable headers: content-type, content-length, x-total-count" in out
    assert not ANSI.search(out)  # piped: plain text


def test_probe_preflighted_put_with_credentials(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli-put",
        "--origin",
        PAGE,
        "--method",
        "PUT",
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Demo-Token: t",
        "--credentials",
        "--cookie",
        "session=alice",
        "--data",
        '{"a": 1}',
    )
    assert status == 0, out
    assert "> OPTIONS" in out
    assert ">   Access-Control-Request-Headers: content-type,x-demo-token" in out  # R13
    assert ">   Cookie: session=alice" in out
    assert "with credentials" in out


def test_probe_cookie_needs_credentials(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "probe", f"{example_api}api/whoami/cli", "--origin", PAGE, "--cookie", "a=b"
    )
    assert status == 0
    assert "--cookie is ignored without --credentials" in err
    assert "Cookie:" not in out


def test_probe_string_body_gets_fetchs_content_type_and_no_preflight_r12(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli-post",
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--data",
        "hello",
    )
    assert status == 0, out
    assert ">   Content-Type: text/plain;charset=UTF-8" in out
    assert "(preflight)" not in out


def test_probe_refused_origin_exit_1_with_chromiums_text(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli",
        "--origin",
        "https://evil.example",
        "--method",
        "DELETE",
        "--color",
        "always",
    )
    assert status == 1
    plain = ANSI.sub("", out)
    assert "BLOCKED" in plain
    assert "FAIL the preflight's Access-Control-Allow-Origin is missing" in plain
    assert "(status 403)" in plain
    assert "has been blocked by CORS policy: Response to preflight request" in plain
    assert "\x1b[31;1m" in out


def test_probe_authorization_is_not_covered_by_star_r22(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}public/items/cli",
        "--origin",
        "https://anyone.example",
        "--header",
        "Authorization: Bearer x",
        "--json",
    )
    assert status == 1
    data = json.loads(out)
    assert data["allowed"] is False
    assert data["verdict"]["failed_step"] == "preflight-allow-origin"
    assert data["http"][0]["kind"] == "preflight"
    assert ["Access-Control-Request-Headers", "authorization"] in data["http"][0][
        "request_headers"
    ]
    assert data["http"][0]["status"] == 403


def test_probe_json_when_allowed(example_api: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}public/items/cli",
        "--origin",
        "https://anyone.example",
        "--header",
        "X-Anything: 1",
        "--force-preflight",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["allowed"] is True
    assert [step["name"] for step in data["verdict"]["steps"]][-1] == "expose-headers"
    assert [exchange["kind"] for exchange in data["http"]] == ["preflight", "actual"]


# ---- probe: against a deliberately misconfigured server


class MisconfiguredServer:
    """A raw WSGI app with classic CORS mistakes, one per path; records the Origin of
    every request it receives."""

    def __init__(self) -> None:
        self.origins_seen: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()
        self.other_origin_url = ""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        origin = environ.get("HTTP_ORIGIN")
        with self.lock:
            self.origins_seen.append((f"{method} {path}", origin))
        reflected = [("Access-Control-Allow-Origin", origin or "")]
        routes: dict[str, tuple[str, list[tuple[str, str]]]] = {
            # V1/R43: "*" with credentials, the mistake people "fix" by reflecting.
            "/star-credentials": (
                "200 OK",
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
            ),
            # R18: CORS applied twice.
            "/two-origins": ("200 OK", reflected * 2),
            # R8: a trailing-slash redirect answers the preflight.
            "/redirect-preflight": (
                "301 Moved Permanently",
                [("Location", "/redirect-preflight/"), *reflected],
            ),
            # A same-origin redirect, then an allowed response.
            "/hop": ("302 Found", [("Location", "/final"), *reflected]),
            "/final": ("200 OK", reflected),
            # A redirect to another origin (localhost is not 127.0.0.1): Origin becomes null.
            "/cross-hop": (
                "307 Temporary Redirect",
                [("Location", self.other_origin_url), *reflected],
            ),
            "/any": ("200 OK", [("Access-Control-Allow-Origin", "*")]),
            "/loop": ("302 Found", [("Location", "/loop"), *reflected]),
            # POST answered 303: the browser continues with GET.
            "/see-other": ("303 See Other", [("Location", "/final"), *reflected]),
        }
        status, headers = routes.get(path, ("404 Not Found", []))
        if method == "OPTIONS" and path in ("/hop", "/final", "/see-other"):
            status = "204 No Content"
            headers = [
                *reflected,
                ("Access-Control-Allow-Methods", "PUT, POST"),
                ("Access-Control-Allow-Headers", "content-type"),
            ]
        start_response(status, [("Content-Type", "text/plain"), *headers])
        return [] if status.startswith("204") else [b"body"]


@pytest.fixture(scope="module")
def misconfigured() -> Iterator[tuple[str, MisconfiguredServer]]:
    app = MisconfiguredServer()
    with BackgroundServer() as server:
        app.other_origin_url = f"http://localhost:{server.port}/any"
        server.start(app)
        yield server.origin, app


def test_probe_star_with_credentials_v1(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys, "probe", f"{base}/star-credentials", "--origin", PAGE, "--credentials"
    )
    assert status == 1
    assert "must not be the wildcard '*' when the request's credentials mode is 'include'" in out
    # Without credentials the same response is fine (R17).
    status, _, _ = run(capsys, "probe", f"{base}/star-credentials", "--origin", PAGE)
    assert status == 0


def test_probe_two_allow_origin_lines_r18(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/two-origins", "--origin", PAGE, "--json")
    assert status == 1
    data = json.loads(out)
    assert f"contains multiple values '{PAGE}, {PAGE}'" in data["verdict"]["console_message"]
    assert data["verdict"]["failed_step"] == "allow-origin"


def test_probe_redirected_preflight_r8(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys, "probe", f"{base}/redirect-preflight", "--origin", PAGE, "--method", "PUT"
    )
    assert status == 1
    assert "< 301 Moved Permanently" in out
    assert "<   Location: /redirect-preflight/" in out
    assert "Redirect is not allowed for a preflight request." in out


def test_probe_follows_a_same_origin_redirect_and_checks_each_hop(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/hop", "--origin", PAGE, "--method", "PUT")
    assert status == 0, out
    assert out.count("(preflight)") == 2  # a new preflight for the new URL
    assert "302 redirect to /final" in out
    assert f"> PUT {base}/final" in out


def test_probe_cross_origin_redirect_sends_origin_null_r35(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, app = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/cross-hop", "--origin", PAGE, "--json")
    assert status == 0, out
    data = json.loads(out)
    assert [hop["request"]["origin"] for hop in data["hops"]] == [PAGE, "null"]
    assert ("GET /any", "null") in app.origins_seen


def test_probe_303_turns_post_into_get(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys,
        "probe",
        f"{base}/see-other",
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--header",
        "Content-Type: application/json",
        "--data",
        "{}",
        "--json",
    )
    assert status == 0, out
    data = json.loads(out)
    assert [hop["request"]["method"] for hop in data["hops"]] == ["POST", "GET"]
    assert data["hops"][1]["preflight_needed"] is False


def test_probe_redirect_loop_is_a_network_error(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, _, err = run(capsys, "probe", f"{base}/loop", "--origin", PAGE)
    assert status == 2
    assert "more than 20 redirects" in err


def test_probe_404_without_cors_headers(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/nothing-here", "--origin", PAGE)
    assert status == 1
    assert "< 404 Not Found" in out
    assert "No 'Access-Control-Allow-Origin' header is present" in out


PROBE_CASES_FOR_BROWSERS = [
    pytest.param("/hop", "PUT", {}, False, id="R8-same-origin-redirect-then-allowed"),
    pytest.param("/cross-hop", "GET", {}, False, id="R35-cross-origin-redirect-origin-null"),
    pytest.param(
        "/see-other", "POST", {"Content-Type": "application/json"}, False, id="303-post-to-get"
    ),
    pytest.param("/loop", "GET", {}, False, id="too-many-redirects"),
    pytest.param("/two-origins", "GET", {}, False, id="R18-two-allow-origin-lines"),
    pytest.param("/star-credentials", "GET", {}, True, id="V1-star-with-credentials"),
    pytest.param("/star-credentials", "GET", {}, False, id="R17-star-without-credentials"),
    pytest.param("/redirect-preflight", "PUT", {}, False, id="R8-redirected-preflight"),
]


@pytest.fixture(scope="module", params=["chromium", "firefox"])
def browser_tab_for_probe(request: pytest.FixtureRequest) -> Iterator[tuple[Tab, str]]:
    # The browser suite's launch rules (standard-following flags and prefs), and a skip
    # (or, with CORS_WSGI_REQUIRE_BROWSER=1 or CI set, a failure) when a browser is missing.
    from tests.browser.engines import STANDARD, EngineVariant
    from tests.browser.harness import running_browser, skip_unless_selected

    skip_unless_selected(request.config, request.param)

    def page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>page</title>"]

    with BackgroundServer() as page_server:
        page_server.start(page_app)
        with running_browser(EngineVariant(request.param, STANDARD)) as browser:
            tab = browser.new_tab()
            try:
                tab.goto(page_server.url)
                yield tab, page_server.origin
            finally:
                tab.close()


@pytest.mark.browser
@pytest.mark.parametrize(("path", "method", "headers", "credentials"), PROBE_CASES_FOR_BROWSERS)
def test_probe_agrees_with_the_browsers_on_the_misconfigured_server(
    browser_tab_for_probe: tuple[Tab, str],
    misconfigured: tuple[str, MisconfiguredServer],
    capsys: pytest.CaptureFixture[str],
    path: str,
    method: str,
    headers: dict[str, str],
    credentials: bool,
) -> None:
    tab, page_origin = browser_tab_for_probe
    base, _ = misconfigured
    init = {
        "method": method,
        "headers": headers,
        "credentials": "include" if credentials else "same-origin",
        "body": "{}" if method == "POST" else None,
    }
    browser_read = tab.call(
        "(url, init) => fetch(url, init).then(() => true, () => false)", f"{base}{path}", init
    )
    arguments = ["probe", f"{base}{path}", "--origin", page_origin, "--method", method]
    for name, value in headers.items():
        arguments += ["--header", f"{name}: {value}"]
    if credentials:
        arguments.append("--credentials")
    if method == "POST":
        arguments += ["--data", "{}"]
    status, out, err = run(capsys, *arguments)
    assert (status == 0) is browser_read, out + err


# ---- probe: usage and network errors exit 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["http://127.0.0.1:9/", "--origin", "https://app.example.com/"], "trailing slash"),
        (["http://127.0.0.1:9/", "--origin", "app.example.com"], "starts with its scheme"),
        (["http://127.0.0.1:9/", "--origin", "https://App.example.com"], "lowercase"),
        (["http://127.0.0.1:9/", "--origin", "https://*.example.com"], "not a pattern"),
        (["ftp://127.0.0.1/", "--origin", PAGE], "not an http:// or https:// URL"),
        (["http://127.0.0.1:9/", "--origin", PAGE, "--header", "Bad Name: 1"], "--header"),
    ],
)
def test_probe_usage_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "probe", *arguments)
    assert status == 2
    assert message in err


def test_probe_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with BackgroundServer() as closed:
        url = closed.url
    status, out, err = run(capsys, "probe", url, "--origin", "null", "--json", "--timeout", "5")
    assert status == 2
    assert "network error" in err
    assert "error" in json.loads(out)


def test_probe_insecure_flag_builds_an_unverified_context(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(
        capsys, "probe", f"{example_api}public/items/x", "--origin", PAGE, "--insecure"
    )
    assert status == 0


def test_python_dash_m_runs_the_command() -> None:
    # A separate interpreter: in-process runpy meets pytest's assertion-rewriting import
    # hook, which claims cors_wsgi's modules on some Python versions.
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-m", "cors_wsgi", "check", "--allow-origin", "*"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "the configuration: valid" in completed.stdout


def test_missing_command_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "0.1.0"


# ---- demo


def test_demo_calls_the_example_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    import example_projects.demo as demo

    calls: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr(demo, "main", fake_main)
    assert cli.main(["demo", "flask", "--quiet"]) == 0
    assert calls == [["flask", "--quiet"]]


def test_demo_outside_a_checkout_says_where_it_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    def no_examples(name: str) -> Any:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(importlib, "import_module", no_examples)
    import cors_wsgi

    monkeypatch.setattr(cors_wsgi, "__file__", str(tmp_path / "cors_wsgi" / "__init__.py"))
    assert cli.main(["demo"]) == 2
    assert "the demo runs from a checkout of the repository (scripts/demo there)" in (
        capsys.readouterr().err
    )


def test_demo_from_a_checkout_adds_it_to_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real_import = importlib.import_module
    attempts: list[str] = []

    def first_fails(name: str) -> Any:
        attempts.append(name)
        if len(attempts) == 1:
            raise ModuleNotFoundError(name)
        module = real_import(name)
        monkeypatch.setattr(module, "main", lambda argv: 7)
        return module

    monkeypatch.setattr(importlib, "import_module", first_fails)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert cli.main(["demo"]) == 7
    assert sys.path[0] == str(REPO)


@pytest.mark.parametrize("example", ["plain", "flask", "django"])
def test_demo_serves_and_the_probe_agrees(tmp_path: Path, example: str) -> None:
    """``python -m cors_wsgi demo EXAMPLE`` starts the example; the probe is allowed from the
    listed page's origin, refused from the unlisted one; Ctrl+C stops it cleanly."""
    with subprocess.Popen(
        [sys.executable, "-m", "cors_wsgi", "demo", example, "--quiet"],
        cwd=tmp_path,
        env=_clean_environ(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines: list[str] = []
            for line in process.stdout:
                lines.append(line)
                if "Press Ctrl+C" in line:
                    break
            text = "".join(lines)
            api = re.search(r"API behind cors_wsgi:\s+(\S+)", text)
            page = re.search(r"open this page:\s+(http://[^/\s]+)", text)
            assert api is not None and page is not None, text
            probe = _cli_subprocess(
                tmp_path, "probe", f"{api.group(1)}api/items/demo", "--origin", page.group(1)
            )
            assert probe.returncode == 0, probe.stdout + probe.stderr
            unlisted = re.search(r"the same page, unlisted:\s+(http://[^/\s]+)", text)
            assert unlisted is not None, text
            refused = _cli_subprocess(
                tmp_path,
                "probe",
                f"{api.group(1)}api/items/demo",
                "--origin",
                unlisted.group(1),
                "--method",
                "PUT",
                "--json",
            )
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert json.loads(refused.stdout)["verdict"]["failed_step"] == "preflight-allow-origin"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
