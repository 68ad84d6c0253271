"""Settings of the example Django project: a JSON API that a page on another origin calls.

The page's origin comes from the environment (``CORS_DEMO_PAGE_ORIGIN``, default
``http://127.0.0.1:8001``); ``create_app`` in this package sets it for the demo. Run it
yourself with ``python3 example_projects/django_project/manage.py runserver 8002``.

Not a production template: the secret key is public and the API views are CSRF-exempt
(see views.py for why, and for what a real API does instead).
"""

from __future__ import annotations

import os
from typing import Any

PAGE_ORIGIN = os.environ.get("CORS_DEMO_PAGE_ORIGIN", "http://127.0.0.1:8001")

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "example-only-not-a-secret")
DEBUG = os.environ.get("DJANGO_DEBUG", "") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
USE_TZ = True
DATABASES: dict[str, dict[str, str]] = {}  # nothing to store: sessions live in a signed cookie

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework",
    "cors_wsgi.django",  # the system checks: `manage.py check --deploy` shows CORS problems
]

MIDDLEWARE = [
    # First, so that it answers preflights before anything below can redirect (APPEND_SLASH),
    # authenticate or 404 them, and decorates every response, errors included.
    "cors_wsgi.django.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_projects.django_project.urls"
WSGI_APPLICATION = "example_projects.django_project.wsgi.application"

# The session cookie is what makes /api/whoami/ need credentials. 127.0.0.1 on two ports is
# cross-origin but same-site, so SameSite=Lax cookies travel with credentials: 'include'.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
SESSION_COOKIE_NAME = "session"
SESSION_COOKIE_SAMESITE = "Lax"

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": [],
    "UNAUTHENTICATED_USER": None,
}


def cors_paths(page_origin: str) -> dict[str, dict[str, Any]]:
    """The CORS policy of each path prefix (those of example_projects.plain_wsgi.api): the
    page's origin with cookies under /api/, the page's origin without cookies under
    /partner/, any origin under /public/; any other path (/internal/) gets no CORS.

    Every entry names all its settings, so none is inherited from top-level CORS_* ones.
    """
    return {
        "/api/": {
            "CORS_ALLOWED_ORIGINS": [page_origin],
            "CORS_ALLOW_CREDENTIALS": True,
            "CORS_ALLOW_METHODS": ["GET", "POST", "PUT", "DELETE", "PATCH"],
            "CORS_ALLOW_HEADERS": ["content-type", "authorization", "x-demo-token"],
            "CORS_EXPOSE_HEADERS": ["x-total-count"],
            "CORS_PREFLIGHT_MAX_AGE": 600,
        },
        "/partner/": {
            "CORS_ALLOWED_ORIGINS": [page_origin],
            "CORS_ALLOW_CREDENTIALS": False,
            "CORS_ALLOW_METHODS": ["GET", "HEAD", "POST"],
            "CORS_ALLOW_HEADERS": [],
            "CORS_EXPOSE_HEADERS": [],
            "CORS_PREFLIGHT_MAX_AGE": 600,
        },
        "/public/": {
            "CORS_ALLOW_ALL_ORIGINS": True,
            "CORS_ALLOW_CREDENTIALS": False,
            "CORS_ALLOW_METHODS": ["GET", "POST"],
            "CORS_ALLOW_HEADERS": ["*"],
            "CORS_EXPOSE_HEADERS": [],
            "CORS_PREFLIGHT_MAX_AGE": 0,
        },
    }


CORS_PATHS = cors_paths(PAGE_ORIGIN)
# /public/ allows any header but Authorization on purpose (the demo shows that refusal),
# which is what this check warns about.
SILENCED_SYSTEM_CHECKS = ["cors_wsgi.W100"]
