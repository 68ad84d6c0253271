"""Helpers shared by the Flask adapter tests: requests as browsers send them, header reading."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from werkzeug.test import TestResponse

__all__ = [
    "ACAO",
    "FRONTEND",
    "OTHER",
    "acao_lines",
    "actual",
    "preflight",
    "vary_names",
]

ACAO = "Access-Control-Allow-Origin"
FRONTEND = "https://app.example.com"
OTHER = "https://evil.example.net"


def preflight(
    app: Flask,
    path: str,
    origin: str = FRONTEND,
    method: str = "PUT",
    request_headers: str | None = None,
) -> TestResponse:
    """A CORS preflight, as a browser sends it before ``method`` to ``path`` (R2, R13)."""
    headers = {"Origin": origin, "Access-Control-Request-Method": method}
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return app.test_client().options(path, headers=headers)


def actual(
    app: Flask, path: str, origin: str | None = FRONTEND, method: str = "GET"
) -> TestResponse:
    """An actual request, with ``Origin`` unless ``origin`` is None."""
    headers = {} if origin is None else {"Origin": origin}
    return app.test_client().open(path, method=method, headers=headers)


def acao_lines(response: TestResponse) -> list[str]:
    """Every Access-Control-Allow-Origin line (R18: a browser needs exactly one)."""
    return response.headers.getlist(ACAO)


def vary_names(response: TestResponse) -> list[str]:
    """The names in all Vary lines, in order, as written."""
    return [
        name.strip()
        for line in response.headers.getlist("Vary")
        for name in line.split(",")
        if name.strip()
    ]
