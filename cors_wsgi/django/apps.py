"""The Django app: registers the CORS system checks under the security tag."""

from __future__ import annotations

from django.apps import AppConfig
from django.core.checks import Tags, register

from cors_wsgi.django.checks import check_settings

__all__ = ["CorsWsgiConfig"]


class CorsWsgiConfig(AppConfig):
    """``"cors_wsgi.django"`` in INSTALLED_APPS: system checks for the CORS_* settings."""

    name = "cors_wsgi.django"
    label = "cors_wsgi"
    verbose_name = "cors_wsgi"

    def ready(self) -> None:
        # Security-tagged, so `manage.py check --deploy` and `check --tag security` show them.
        register(check_settings, Tags.security)
