"""pytest-django set-up for the Django adapter tests, and only for them.

The settings module is named here rather than in pyproject.toml, so collecting the other
test directories never configures Django. Each test starts from the CORS settings of
``cors_django_test_settings`` even if something earlier in the session (another suite,
an example project) changed the global settings, and the recorded view calls are cleared.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import cors_django_test_settings as test_settings
import django
import pytest
from django.apps import apps
from django.conf import global_settings
from django.conf import settings as django_settings

if TYPE_CHECKING:
    from pytest_django import Settings

if not django_settings.configured:
    # Set only while Django reads it: once configured, pytest-django sees the settings
    # themselves, and subprocesses started by other tests do not inherit a settings module
    # they could not import.
    outer = os.environ.get("DJANGO_SETTINGS_MODULE")
    os.environ["DJANGO_SETTINGS_MODULE"] = "cors_django_test_settings"
    try:
        django.setup()
    finally:
        if outer is None:
            del os.environ["DJANGO_SETTINGS_MODULE"]
        else:
            os.environ["DJANGO_SETTINGS_MODULE"] = outer
elif not apps.ready:
    django.setup()

# The settings every test starts from (anything not CORS_* that the tests depend on),
# including those the example project overrides for the rest of a process when the
# browser suite serves it (its session cookie is named "session").
_BASELINE = (
    "ROOT_URLCONF",
    "MIDDLEWARE",
    "DEBUG",
    "SESSION_ENGINE",
    "LOGIN_URL",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SAMESITE",
    "ALLOWED_HOSTS",
)


@pytest.fixture(autouse=True)
def _baseline_settings(settings: Settings) -> None:
    """Reset the CORS_* settings and the few others the tests rely on, then the view log."""
    import cors_django_test_views as views

    for name in [name for name in dir(django_settings) if name.startswith("CORS_")]:
        delattr(settings, name)
    for name in dir(test_settings):
        if name.startswith("CORS_"):
            setattr(settings, name, getattr(test_settings, name))
    for name in _BASELINE:
        source = test_settings if hasattr(test_settings, name) else global_settings
        setattr(settings, name, getattr(source, name))
    views.calls.clear()
    views.async_view_threads.clear()
