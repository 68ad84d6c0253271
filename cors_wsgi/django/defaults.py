"""django-cors-headers's ``corsheaders.defaults``, under the same names.

Settings files written for django-cors-headers say::

    from corsheaders.defaults import default_headers
    CORS_ALLOW_HEADERS = (*default_headers, "x-api-key")

After the switch that line becomes ``from cors_wsgi.django.defaults import default_headers``
and means the same. These are also the defaults of CORS_ALLOW_HEADERS and
CORS_ALLOW_METHODS. This module imports nothing of Django, so a settings file may import it.
"""

from __future__ import annotations

from typing import Final

__all__ = ["default_headers", "default_methods"]

default_headers: Final[tuple[str, ...]] = (
    "accept",
    "authorization",
    "content-type",
    "user-agent",
    "x-csrftoken",
    "x-requested-with",
)
default_methods: Final[tuple[str, ...]] = ("DELETE", "GET", "OPTIONS", "PATCH", "POST", "PUT")
