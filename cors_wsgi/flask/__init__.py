"""CORS for Flask with flask-cors's names and cors_wsgi's semantics.

Moving from flask-cors is a change of one import::

    from cors_wsgi.flask import CORS, cross_origin

    CORS(app)                                           # any origin, anonymous requests
    CORS(app, origins=["https://app.example.com"], supports_credentials=True)
    CORS(app, resources={"/api/*": {"origins": "https://app.example.com"}})
    CORS(blueprint, origins=[...])                      # inherits the app's CORS_* config

    @app.route("/report")
    @cross_origin(origins=["https://app.example.com"])
    def report(): ...

The differences in behaviour, and why, are listed in the README (docs/readme/flask.md).
"""

from __future__ import annotations

from cors_wsgi.core.errors import ConfigError, ConfigProblem
from cors_wsgi.flask.decorator import cross_origin
from cors_wsgi.flask.extension import CORS
from cors_wsgi.flask.options import CORSOptions, ResourceOptions

__all__ = [
    "CORS",
    "CORSOptions",
    "ConfigError",
    "ConfigProblem",
    "ResourceOptions",
    "cross_origin",
]
