"""Django settings for the tests under tests/django (DJANGO_SETTINGS_MODULE, set by conftest).

The module name is unique on purpose: this directory has no ``__init__.py`` (a package
named ``django`` here would shadow the real Django), so pytest puts it on ``sys.path``.
"""

from __future__ import annotations

SECRET_KEY = "cors-wsgi-tests-only-not-a-secret"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
USE_TZ = True
DATABASES: dict[str, dict[str, str]] = {}
INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework",
    "cors_wsgi.django",
]
MIDDLEWARE = [
    "cors_wsgi.django.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "cors_django_test_urls"
# No database: sessions live in signed cookies.
SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
LOGIN_URL = "/login/"
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "UNAUTHENTICATED_USER": None,
}

# The CORS settings most tests run with (tests/django/conftest.py restores exactly these).
CORS_ALLOWED_ORIGINS = ["https://app.example.com"]
CORS_ALLOW_CREDENTIALS = True
CORS_EXPOSE_HEADERS = ["x-total-count"]
