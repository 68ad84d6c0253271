"""The plain WSGI example: a small JSON API behind :class:`cors_wsgi.CORSMiddleware`."""

from __future__ import annotations

from example_projects.plain_wsgi.api import create_app

__all__ = ["create_app"]
