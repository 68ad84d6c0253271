"""The Flask application that docs/diagnostics.md checks with `cors-wsgi check --wsgi`."""

from __future__ import annotations

from flask import Blueprint, Flask

from cors_wsgi.flask import CORS, cross_origin


def create_app() -> Flask:
    """An app with one policy of each kind: a CORS(app) resource, a blueprint, a view."""
    app = Flask(__name__)
    admin = Blueprint("admin", __name__)

    @admin.route("/admin/users")
    def users() -> str:
        return "[]"

    @app.route("/widget")
    @cross_origin(origins="https://widget.example.net")
    def widget() -> str:
        return "{}"

    CORS(
        admin,
        origins="https://admin.example.com",
        methods=["GET", "HEAD", "POST", "PUT"],
        allow_headers=["content-type", "authorization"],
    )
    app.register_blueprint(admin)
    CORS(
        app,
        resources={"/api": {"origins": "https://app.example.com"}},
        allow_headers=["content-type", "authorization"],
        supports_credentials=True,
    )
    return app
