"""A settings file moved from django-cors-headers keeps working (issue 11, migrations).

Rule numbers (R..) refer to shared/SPEC.md.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


def test_defaults_are_django_cors_headers_defaults() -> None:
    corsheaders_defaults = pytest.importorskip("corsheaders.defaults")
    from cors_wsgi.django import defaults

    assert defaults.default_headers == tuple(corsheaders_defaults.default_headers)
    assert defaults.default_methods == tuple(corsheaders_defaults.default_methods)


def test_settings_importing_default_headers_pass_check_without_corsheaders(
    tmp_path: Path,
) -> None:
    """The migrated import line works, and django-cors-headers is never imported."""
    (tmp_path / "migrated_settings.py").write_text(
        textwrap.dedent(
            """
            from cors_wsgi.django.defaults import default_headers, default_methods

            SECRET_KEY = "test"
            ROOT_URLCONF = "migrated_settings"
            urlpatterns = []
            INSTALLED_APPS = ["cors_wsgi.django"]
            MIDDLEWARE = ["cors_wsgi.django.CorsMiddleware"]
            CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
            CORS_ALLOW_HEADERS = (*default_headers, "x-api-key")
            CORS_ALLOW_METHODS = default_methods
            """
        )
    )
    script = textwrap.dedent(
        """
        import sys
        import django
        from django.core.management import call_command
        django.setup()
        call_command("check", fail_level="WARNING")
        from cors_wsgi.django.conf import compiled_settings
        policy = compiled_settings().policy_for_path("/")
        print(sorted(policy.allow_headers), "corsheaders" in sys.modules)
        """
    )
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPOSITORY)]),
        "DJANGO_SETTINGS_MODULE": "migrated_settings",
    }
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "'authorization'" in result.stdout and "'x-api-key'" in result.stdout
    assert result.stdout.strip().endswith("False")
