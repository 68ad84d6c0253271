"""The example Django project (example_projects/django_project) works as documented."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
PROJECT = REPOSITORY / "example_projects" / "django_project"
PAGE = "http://127.0.0.1:8001"


def run_python(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    environment.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=REPOSITORY,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def probe() -> dict[str, Any]:
    result = run_python(str(Path(__file__).with_name("django_example_probe.py")))
    assert result.returncode == 0, result.stderr
    results: dict[str, Any] = json.loads(result.stdout)
    return results


def test_manage_py_check_deploy_reports_no_cors_problem() -> None:
    result = run_python(str(PROJECT / "manage.py"), "check", "--deploy")
    assert result.returncode == 0, result.stderr
    assert "cors_wsgi." not in result.stdout + result.stderr


def test_json_endpoint_needs_and_gets_a_preflight(probe: dict[str, Any]) -> None:
    assert probe["preflight"]["status"] == 204
    assert probe["preflight"]["cors"]["Access-Control-Allow-Origin"] == PAGE
    assert probe["preflight"]["cors"]["Access-Control-Allow-Headers"] == (
        "content-type, authorization, x-demo-token"
    )
    assert probe["preflight_other_origin"] == {
        "status": 403,
        "cors": {},
        "vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    }
    assert probe["put_json"]["cors"]["Access-Control-Allow-Origin"] == PAGE


def test_session_cookie_endpoint_works_with_credentials(probe: dict[str, Any]) -> None:
    assert probe["login"]["cookie"] == ["session"]
    assert probe["login"]["cors"]["Access-Control-Allow-Credentials"] == "true"
    assert probe["whoami"]["json"] == {"user": "ada"}
    assert probe["whoami"]["cors"] == {
        "Access-Control-Allow-Origin": PAGE,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Expose-Headers": "x-total-count",
    }


def test_drf_api_view(probe: dict[str, Any]) -> None:
    assert probe["drf_preflight"]["status"] == 204
    assert probe["drf_put"]["json"] == {"received": {"n": 2}, "user": "ada"}
    assert probe["drf_put"]["cors"]["Access-Control-Allow-Origin"] == PAGE


def test_paths_and_errors(probe: dict[str, Any]) -> None:
    assert probe["public_any_origin"]["cors"] == {"Access-Control-Allow-Origin": "*"}
    assert probe["partner"]["cors"] == {"Access-Control-Allow-Origin": PAGE}  # no credentials
    assert probe["internal"] == {"status": 200, "cors": {}, "vary": None}
    assert probe["crash"]["status"] == 500
    assert probe["crash"]["cors"]["Access-Control-Allow-Origin"] == PAGE
    assert probe["not_found"]["status"] == 404
    assert probe["not_found"]["cors"]["Access-Control-Allow-Origin"] == PAGE
    assert probe["health_exempt"]["cors"] == {}
