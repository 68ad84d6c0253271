"""Property: the Flask adapter is thin. For any request, a Flask app with CORS(app, ...)
answers with the same status, CORS headers and Vary as the same Flask app wrapped in the
core's CORSMiddleware with the same policies: the adapter translates, the core decides."""

from __future__ import annotations

from typing import Any

from cors_flask_testing import FRONTEND, OTHER
from flask import Flask, Response
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.test import Client

from cors_wsgi import CORSMiddleware
from cors_wsgi.flask import CORS

PARTNER = "https://partner.example.org"
RESOURCES: dict[str, dict[str, Any]] = {
    "/api/*": {
        "origins": [FRONTEND, "https://*.example.org"],
        "methods": ["GET", "PUT", "patch"],
        "allow_headers": ["content-type", "authorization"],
        "supports_credentials": True,
        "expose_headers": ["x-total-count"],
        "max_age": 600,
    },
    "/public/*": {"origins": "*", "allow_headers": "*", "allow_private_network": True},
}
COMPARED = ("vary",)


def flask_app() -> Flask:
    app = Flask(__name__)

    @app.route("/api/items", methods=["GET", "PUT"])
    def items() -> Response:
        return Response("{}", headers={"Vary": "Accept-Encoding"})

    @app.get("/public/feed")
    def feed() -> str:
        return "feed"

    @app.get("/elsewhere")
    def elsewhere() -> str:
        return "elsewhere"

    return app


def build_pair() -> tuple[Client, Client]:
    with_extension = flask_app()
    CORS(with_extension, resources=RESOURCES)
    paths = with_extension.extensions["cors_wsgi"].app_paths[0]
    with_middleware = CORSMiddleware(flask_app(), paths=dict(paths.entries))
    return Client(with_extension), Client(with_middleware)


EXTENSION, MIDDLEWARE = build_pair()


def cors_view(response: Any) -> tuple[int, list[tuple[str, str]]]:
    return response.status_code, sorted(
        (name.lower(), value)
        for name, value in response.headers.items()
        if name.lower().startswith("access-control-") or name.lower() in COMPARED
    )


@settings(max_examples=300)
@given(
    method=st.sampled_from(["GET", "PUT", "OPTIONS", "DELETE"]),
    path=st.sampled_from(["/api/items", "/api/none", "/apiary", "/public/feed", "/elsewhere"]),
    origin=st.sampled_from(
        [
            None,
            FRONTEND,
            OTHER,
            PARTNER,
            "https://a.example.org",
            "null",
            "https://APP.example.com",
        ]
    ),
    request_method=st.sampled_from([None, "PUT", "patch", "PATCH", "DELETE", ""]),
    request_headers=st.sampled_from(
        [None, "content-type", "authorization,content-type", "x-other", ",,,,"]
    ),
    private_network=st.sampled_from([None, "true"]),
)
def test_the_extension_decides_as_the_core_middleware(
    method: str,
    path: str,
    origin: str | None,
    request_method: str | None,
    request_headers: str | None,
    private_network: str | None,
) -> None:
    headers = {
        name: value
        for name, value in (
            ("Origin", origin),
            ("Access-Control-Request-Method", request_method),
            ("Access-Control-Request-Headers", request_headers),
            ("Access-Control-Request-Private-Network", private_network),
        )
        if value is not None
    }
    from_extension = EXTENSION.open(path, method=method, headers=headers)
    from_middleware = MIDDLEWARE.open(path, method=method, headers=headers)
    assert cors_view(from_extension) == cors_view(from_middleware)


def test_the_comparison_sees_the_cors_headers() -> None:
    """The property above compares real CORS answers, not two empty lists."""
    allowed = EXTENSION.open("/api/items", headers={"Origin": FRONTEND})
    preflight = EXTENSION.open(
        "/api/none",
        method="OPTIONS",
        headers={"Origin": "https://a.example.org", "Access-Control-Request-Method": "PUT"},
    )
    assert ("access-control-allow-origin", FRONTEND) in cors_view(allowed)[1]
    assert ("vary", "Accept-Encoding, Origin") in cors_view(allowed)[1]
    assert cors_view(preflight)[0] == 204
    assert ("access-control-allow-origin", "https://a.example.org") in cors_view(preflight)[1]
