"""The example Django project: the demo's API as a real Django project behind CorsMiddleware.

``create_app(page_origin)`` returns its WSGI application for the demo and the browser
suite (see :mod:`example_projects.demo`); ``manage.py`` in this directory runs it the usual
way (``runserver``, ``check --deploy``).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["SETTINGS_MODULE", "create_app"]

SETTINGS_MODULE = "example_projects.django_project.settings"

# The settings this project needs when Django was already configured by someone else in the
# same process (a test session): they are applied on top with override_settings.
_PROJECT_SETTINGS = (
    "ROOT_URLCONF",
    "MIDDLEWARE",
    "ALLOWED_HOSTS",
    "SESSION_ENGINE",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SAMESITE",
    "REST_FRAMEWORK",
    "DEBUG",
)


def create_app(page_origin: str) -> WSGIApplication:
    """The project's WSGI application, with CORS for a page served from ``page_origin``.

    Django has one set of settings per process: the first call configures it with this
    project's settings module. If Django is already configured (by another project or a
    test session), this project's settings are applied over it with ``override_settings``,
    which stays in effect for the rest of the process.
    """
    import django
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    if not settings.configured:
        # This project's settings, whatever DJANGO_SETTINGS_MODULE an outer shell set.
        os.environ["CORS_DEMO_PAGE_ORIGIN"] = page_origin
        os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS_MODULE
        django.setup()
    from example_projects.django_project import settings as project_settings

    wanted = {name: getattr(project_settings, name) for name in _PROJECT_SETTINGS}
    wanted["CORS_PATHS"] = project_settings.cors_paths(page_origin)
    if any(getattr(settings, name, None) != value for name, value in wanted.items()):
        from django.test.utils import override_settings

        override_settings(**wanted).enable()
    return get_wsgi_application()
