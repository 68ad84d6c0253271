"""The Flask example: the demo's JSON API as Flask blueprints, made cross-origin by
:mod:`cors_wsgi.flask` (one ``CORS(blueprint, ...)`` per area)."""

from __future__ import annotations

from example_projects.flask_app.app import create_app

__all__ = ["create_app"]
