"""``cors-wsgi check --wsgi`` and ``--django-settings`` on real projects: factories, load
failures (exit 2, one line), broken Django settings reported like any configuration
(exit 1, one line per problem, no traceback), imports from the current directory, and the
policies a valid Django or Flask app holds, printed per path, blueprint and view."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cors_wsgi.browser import cli

if TYPE_CHECKING:
    from collections.abc import Iterator

REPO = Path(__file__).resolve().parent.parent


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = cli.main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    before = set(sys.modules)
    yield tmp_path
    for name in set(sys.modules) - before:
        if name.startswith("cli_factory_"):
            del sys.modules[name]


def write(directory: Path, name: str, source: str) -> None:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(source))


def as_console_script(cwd: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """Run the command as the installed ``cors-wsgi`` script runs: from a script file in
    another directory, so the current directory is NOT on sys.path by Python's doing (as
    it is with ``python -m``)."""
    script = cwd.parent / f"{cwd.name}-bin" / "cors-wsgi"
    script.parent.mkdir(exist_ok=True)
    script.write_text("import sys\nfrom cors_wsgi.browser.cli import main\nsys.exit(main())\n")
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ["PYTHONPATH"] = str(REPO)
    return subprocess.run(
        [sys.executable, str(script), *arguments],
        cwd=cwd,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


# ---- load failures are exit 2 and one line


def test_check_wsgi_module_not_found_is_a_load_failure_exit_2(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(capsys, "check", "--wsgi", "cli_factory_missing:app")
    assert status == 2
    assert out == ""
    assert err.strip().splitlines() == [
        "cors-wsgi check: cannot import cli_factory_missing:app: "
        "No module named 'cli_factory_missing' (run it from the directory that holds it)"
    ]


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("cli_factory_plain", "is not module:attribute"),
        ("cli_factory_plain:nothing", "has no attribute 'nothing'"),
        ("cli_factory_plain:boom()", "the factory boom() raised RuntimeError: no"),
        ("cli_factory_plain:needs_arguments()", "missing 1 required positional argument"),
        ("cli_factory_plain:create_app(", "is not module:attribute"),
        ("cli_factory_raises", "importing it raised ZeroDivisionError"),
    ],
)
def test_check_wsgi_load_failures_are_one_line_exit_2(
    app_dir: Path, capsys: pytest.CaptureFixture[str], target: str, fragment: str
) -> None:
    write(
        app_dir,
        "cli_factory_plain.py",
        """
        def boom():
            raise RuntimeError("no")

        def needs_arguments(config):
            return None
        """,
    )
    write(app_dir, "cli_factory_raises.py", "1 / 0\n")
    if target == "cli_factory_raises":
        target += ":app"
    status, out, err = run(capsys, "check", "--wsgi", target)
    assert status == 2, out + err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cors-wsgi check: "), err
    assert fragment in lines[0]


def test_check_django_settings_not_found_is_exit_2(tmp_path: Path) -> None:
    pytest.importorskip("django")
    completed = as_console_script(tmp_path, "check", "--django-settings", "nowhere.settings")
    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert completed.stdout == ""
    lines = completed.stderr.strip().splitlines()
    assert len(lines) == 1, completed.stderr
    assert "cannot load the Django settings 'nowhere.settings'" in lines[0]


# ---- app factories (gunicorn's module:create_app() and Flask's module:create_app)

FACTORY_SOURCE = """
    from flask import Flask
    from cors_wsgi.flask import CORS

    cors = CORS(origins=["https://app.example.com"])
    app = Flask(__name__)  # the module-level app the factory does not configure

    def create_app(name="default"):
        made = Flask(name)
        cors.init_app(made)
        return made
"""


@pytest.mark.parametrize(
    "target",
    [
        "cli_factory_flask:create_app()",
        "cli_factory_flask:create_app",
        "cli_factory_flask:create_app('production')",
        "cli_factory_flask:create_app(name='production')",
    ],
)
def test_check_wsgi_calls_an_app_factory(
    app_dir: Path, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    pytest.importorskip("flask")
    write(app_dir, "cli_factory_flask.py", FACTORY_SOURCE)
    status, out, err = run(capsys, "check", "--wsgi", target, "--color", "never")
    assert status == 0, out + err
    assert "a Flask app with cors_wsgi.flask's CORS" in out
    assert "origins: https://app.example.com" in out


def test_check_wsgi_no_layer_advice_for_a_flask_app_names_init_app_and_the_factory(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("flask")
    write(app_dir, "cli_factory_flask.py", FACTORY_SOURCE)
    status, out, _ = run(capsys, "check", "--wsgi", "cli_factory_flask:app", "--color", "never")
    assert status == 0
    assert "no cors_wsgi layer found in cli_factory_flask:app" in out
    assert "CORS(app) or cors.init_app(app)" in out
    assert "cli_factory_flask:create_app()" in out  # the factory found in the module
    assert "CORSMiddleware(app" not in out  # the WSGI advice is wrong for a Flask app


# ---- what a valid Flask app holds: per path, per blueprint, per decorated view


def test_check_wsgi_flask_prints_every_policy_it_found(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("flask")
    write(
        app_dir,
        "cli_factory_scopes.py",
        """
        from flask import Blueprint, Flask
        from cors_wsgi.flask import CORS, cross_origin

        app = Flask(__name__)
        CORS(app, resources={
            "/api/*": {"origins": ["https://app.example.com"], "supports_credentials": True},
            "/public/*": {"origins": "*"},
        })
        admin = Blueprint("admin", __name__, url_prefix="/admin")
        CORS(admin, origins=["https://admin.example.com"], methods=["GET", "PUT"])

        @admin.route("/ping")
        def ping():
            return "pong"

        app.register_blueprint(admin)

        @app.route("/widget")
        @cross_origin(origins=["https://widget.example.net"])
        def widget():
            return "w"
        """,
    )
    status, out, err = run(capsys, "check", "--wsgi", "cli_factory_scopes:app", "--color", "never")
    assert status == 0, out + err
    text = out.replace("\\\\", "\\")
    assert "CORS(app) resources '/api/*'" in text or "CORS(app) '/api" in text, out
    assert "origins: https://app.example.com" in out
    assert "credentials: allowed" in out
    assert "origins: *" in out
    assert "blueprint 'admin'" in out
    assert "origins: https://admin.example.com" in out
    assert "methods: GET, HEAD, POST, PUT" in out
    assert "view 'widget' (@cross_origin)" in out
    assert "origins: https://widget.example.net" in out


# ---- Django: broken settings, the current directory, and the policies it found

DJANGO_SETTINGS = """
SECRET_KEY = "x"
INSTALLED_APPS = ["cors_wsgi.django"]
ROOT_URLCONF = "mysite.urls"
MIDDLEWARE = ["cors_wsgi.django.middleware.CorsMiddleware"]
"""
DJANGO_WSGI = """
import os
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
"""
DJANGO_URLS = """
from django.http import HttpResponse
from django.urls import path
from cors_wsgi.django import cross_origin

def items(request):
    return HttpResponse("items")

@cross_origin(allow_origins=["https://partner.example.org"])
def partner(request):
    return HttpResponse("partner")

urlpatterns = [path("api/items/", items), path("partner/", partner, name="partner")]
"""


def django_project(directory: Path, cors_settings: str) -> None:
    write(directory, "mysite/__init__.py", "")
    write(directory, "mysite/settings.py", DJANGO_SETTINGS + cors_settings)
    write(directory, "mysite/wsgi.py", DJANGO_WSGI)
    write(directory, "mysite/urls.py", DJANGO_URLS)


def test_check_wsgi_django_with_invalid_cors_settings_reports_each_problem(
    tmp_path: Path,
) -> None:
    pytest.importorskip("django")
    django_project(
        tmp_path,
        'CORS_ALLOWED_ORIGINS = ["frontend.example.com", "https://app.example.com/"]\n'
        "CORS_PREFLIGHT_MAX_AGE = -1\n",
    )
    completed = as_console_script(tmp_path, "check", "--wsgi", "mysite.wsgi:application")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "Traceback" not in output
    assert "ImproperlyConfigured" not in output
    errors = [line for line in completed.stdout.splitlines() if line.startswith("error ")]
    assert len(errors) == 3, output
    assert any(
        "CORS_ALLOWED_ORIGINS" in line and "frontend.example.com" in line for line in errors
    )
    assert any("CORS_PREFLIGHT_MAX_AGE" in line for line in errors)
    assert "3 errors" in completed.stdout


def test_check_django_settings_import_from_the_current_directory(tmp_path: Path) -> None:
    pytest.importorskip("django")
    django_project(tmp_path, 'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n')
    completed = as_console_script(tmp_path, "check", "--django-settings", "mysite.settings")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Django settings mysite.settings: valid" in completed.stdout


def test_check_django_prints_the_policies_per_path_and_per_view(tmp_path: Path) -> None:
    pytest.importorskip("django")
    django_project(
        tmp_path,
        textwrap.dedent(
            """
            CORS_PATHS = {
                "/api/": {"CORS_ALLOWED_ORIGINS": ["https://app.example.com"],
                          "CORS_ALLOW_CREDENTIALS": True},
                "/public/": {"CORS_ALLOW_ALL_ORIGINS": True},
            }
            """
        ),
    )
    for arguments in (
        ("--django-settings", "mysite.settings"),
        ("--wsgi", "mysite.wsgi:application"),
    ):
        completed = as_console_script(tmp_path, "check", *arguments)
        out = completed.stdout
        assert completed.returncode == 0, out + completed.stderr
        assert "CORS_PATHS['/api/']" in out
        assert "origins: https://app.example.com" in out
        assert "credentials: allowed" in out
        assert "CORS_PATHS['/public/']" in out
        assert "origins: *" in out
        assert "view partner (partner/, @cross_origin)" in out
        assert "origins: https://partner.example.org" in out


def test_check_wsgi_flask_regex_resources_and_a_view_whose_policy_is_invalid(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("flask")
    write(
        app_dir,
        "cli_factory_views.py",
        """
        import re
        from flask import Flask
        from cors_wsgi.flask import CORS, cross_origin

        app = Flask(__name__)
        CORS(app, resources={re.compile(r"/v[0-9]+/.*"): {"origins": "*"}})

        other = Flask("other")
        other.config["CORS_MAX_AGE"] = -1  # inherited by the view: invalid there

        @other.route("/widget")
        @cross_origin(origins=["https://widget.example.net"])
        def widget():
            return "w"
        """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_factory_views:app", "--color", "never")
    assert status == 0, out
    assert "app: CORS(app) paths matching re.compile('/v[0-9]+/.*')" in out
    status, out, _ = run(capsys, "check", "--wsgi", "cli_factory_views:other", "--color", "never")
    assert status == 1, out
    assert "app: view 'widget' (@cross_origin): " in out
    assert "max_age" in out.lower()


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("cli_factory_more:create_app(**{'a': 1})", "with literal arguments"),
        ("cli_factory_more:create_app(x)", "with literal arguments"),
        ("cli_factory_more:create_app(1)+(2)", "with literal arguments"),
        ("cli_factory_more:create_app[0]", "is not module:attribute"),
        ("cli_factory_more:NUMBER()", "NUMBER is not a function"),
        ("cli_factory_dependency:app", "raised ModuleNotFoundError: No module named 'absent_"),
    ],
)
def test_check_wsgi_more_targets_that_cannot_load(
    app_dir: Path, capsys: pytest.CaptureFixture[str], target: str, fragment: str
) -> None:
    write(app_dir, "cli_factory_more.py", "NUMBER = 3\ndef create_app(a=0):\n    return None\n")
    write(app_dir, "cli_factory_dependency.py", "import absent_dependency_of_the_app\n")
    status, _, err = run(capsys, "check", "--wsgi", target)
    assert status == 2
    assert fragment in err


def test_check_wsgi_a_factory_raising_config_error_reports_the_problems(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        app_dir,
        "cli_factory_config.py",
        """
        from cors_wsgi import CORSMiddleware

        def create_app():
            return CORSMiddleware(lambda e, s: [], allow_origins=["frontend.example.com"])
        """,
    )
    status, out, _ = run(capsys, "check", "--wsgi", "cli_factory_config:create_app()")
    assert status == 1
    assert "[E001] allow_origins = 'frontend.example.com'" in out


def test_check_wsgi_flask_prints_the_warnings_of_its_policies_in_flask_cors_words(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The flask-cors idiom: allow_headers="*" with bearer tokens; '*' never covers
    # Authorization (R22), and check says so in the extension's own option names.
    pytest.importorskip("flask")
    write(
        app_dir,
        "cli_factory_star_headers.py",
        """
        from flask import Flask
        from cors_wsgi.flask import CORS

        app = Flask(__name__)
        CORS(app, origins=["https://app.example.com"], allow_headers="*")
        """,
    )
    status, out, err = run(
        capsys, "check", "--wsgi", "cli_factory_star_headers:app", "--color", "never"
    )
    assert status == 0, out + err
    warning = next(line for line in out.splitlines() if "[W100]" in line)
    assert "allow_headers" in warning
    assert "authorization" in warning.lower()


DJANGO_ASGI = """
import os
from django.core.asgi import get_asgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")
application = get_asgi_application()
"""


def test_check_asgi_django_with_invalid_cors_settings_reports_each_problem(
    tmp_path: Path,
) -> None:
    # The same project as under --wsgi, served by Django's ASGI handler: the same report.
    pytest.importorskip("django")
    django_project(tmp_path, 'CORS_ALLOWED_ORIGINS = "https://example.com"\n')
    write(tmp_path, "mysite/asgi.py", DJANGO_ASGI)
    completed = as_console_script(tmp_path, "check", "--asgi", "mysite.asgi:application")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert "Traceback" not in output
    errors = [line for line in completed.stdout.splitlines() if line.startswith("error ")]
    assert len(errors) == 1, output
    assert "CORS_ALLOWED_ORIGINS" in errors[0]
    assert "['https://example.com']" in errors[0]  # the list to write


def test_check_asgi_django_with_valid_settings_lists_its_policy(tmp_path: Path) -> None:
    pytest.importorskip("django")
    django_project(tmp_path, 'CORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n')
    write(tmp_path, "mysite/asgi.py", DJANGO_ASGI)
    completed = as_console_script(tmp_path, "check", "--asgi", "mysite.asgi:application")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "a Django project; checking its settings" in completed.stdout
    assert "https://app.example.com" in completed.stdout
    assert "no cors_wsgi layer found" not in completed.stdout


@pytest.mark.parametrize(
    ("source", "flag", "expected"),
    [
        ("app = None\n", "--wsgi", "is not a WSGI application (it is NoneType)"),
        (
            "from fastapi import FastAPI\napp = FastAPI()\n",
            "--wsgi",
            "is an ASGI application; check it with: cors-wsgi check --asgi",
        ),
        (
            "from flask import Flask\napp = Flask(__name__)\n",
            "--asgi",
            "is not an ASGI application (a WSGI one?); check it with: cors-wsgi check --wsgi",
        ),
    ],
)
def test_check_names_the_right_flag_for_the_wrong_kind_of_app(
    app_dir: Path, capsys: pytest.CaptureFixture[str], source: str, flag: str, expected: str
) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("flask")
    write(app_dir, "cli_factory_kind.py", source)
    status, out, _ = run(capsys, "check", flag, "cli_factory_kind:app", "--color", "never")
    assert status == 1, out
    assert expected in out
    assert "valid" not in out.splitlines()[-1]


def test_check_an_async_factory_is_a_load_failure_without_a_warning(
    app_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(app_dir, "cli_factory_async.py", "async def create_app():\n    return None\n")
    status, _, err = run(capsys, "check", "--asgi", "cli_factory_async:create_app()")
    assert status == 2
    assert "create_app() is an async function" in err
    assert err.count("\n") == 1
