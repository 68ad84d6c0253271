"""The demo page: a small site on its own origin that calls an example API cross-origin.

The same page serves every example (plain WSGI, Django, Flask), because they all answer
the route contract documented in :mod:`example_projects.plain_wsgi.api`. It runs each
scenario in ``static/demo.js`` with ``fetch`` and shows, side by side, what the browser let
the page read, what the API server received (from the server's
:class:`~example_projects.journal.RequestJournal`) and what cors_wsgi logged.

Two copies run in the demo: one on the origin the API lists ("listed") and one on an
origin it does not ("unlisted"), embedded in the first as an iframe.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import parse_qs

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from example_projects.journal import RequestJournal

__all__ = ["STATIC_DIR", "PageRole", "create_page_app"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
PageRole = Literal["listed", "unlisted"]
_STATIC_FILES = ("index.html", "demo.js", "demo.css")


def create_page_app(
    *,
    api_origin: str,
    role: PageRole,
    journal: RequestJournal,
    example: str,
    unlisted_page_url: str | None = None,
) -> WSGIApplication:
    """The page's site: static files, ``/config.js`` and ``/journal?tag=...``.

    ``api_origin`` is where the example API runs, ``role`` says whether this page's origin
    is in the API's allow-list, and ``unlisted_page_url`` (for the listed page) is embedded
    so that one page shows both origins' results.
    """
    config = {
        "api": api_origin,
        "role": role,
        "example": example,
        "unlistedPage": unlisted_page_url,
    }
    # "<" escaped so that no configured value can close the <script> element.
    config_js = f"window.CORS_DEMO_CONFIG = {json.dumps(config)};\n".replace("<", "\\u003c")
    static = {name: (STATIC_DIR / name).read_bytes() for name in _STATIC_FILES}

    def page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "") or "/"
        if path == "/config.js":
            return _respond(start_response, "200 OK", "text/javascript", config_js.encode())
        if path == "/journal":
            query = parse_qs(environ.get("QUERY_STRING", ""))
            tag = query.get("tag", [""])[0]
            entries = [entry.as_json() for entry in journal.entries(tag)] if tag else []
            body = json.dumps({"tag": tag, "entries": entries}).encode()
            return _respond(start_response, "200 OK", "application/json", body)
        name = "index.html" if path == "/" else path.lstrip("/")
        if name in static:
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return _respond(start_response, "200 OK", content_type, static[name])
        return _respond(start_response, "404 Not Found", "text/plain", b"not found\n")

    return page_app


def _respond(
    start_response: StartResponse, status: str, content_type: str, body: bytes
) -> list[bytes]:
    if content_type.startswith("text/"):
        content_type += "; charset=utf-8"
    start_response(
        status,
        [
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            # The page is a tool: always show the current scenarios and results.
            ("Cache-Control", "no-store"),
        ],
    )
    return [body]
