"""Both engines against the FastAPI example: the cases only ASGI has (the whole suite of
test_examples_in_browsers.py runs against it too).

- the WebSocket origin check (``check_websocket_origin=True``): browsers apply no CORS to
  WebSockets, so without it any page could open one with the user's cookies;
- both placements of the middleware when a view raises: the page reads the 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from example_projects.journal import RequestJournal
from example_projects.serve import BackgroundASGIServer, BackgroundServer

if TYPE_CHECKING:
    from example_projects.serve import ExampleSite

    from .engines import Tab
    from .harness import PageProbe

pytestmark = pytest.mark.browser

OPEN_SOCKET = """(url) => new Promise((resolve) => {
    const socket = new WebSocket(url);
    socket.onmessage = (event) => resolve("message: " + event.data);
    socket.onerror = () => resolve("error");
    setTimeout(() => resolve("timeout"), 5000);
})"""


# How each engine reports a WebSocket whose handshake was refused.
SOCKET_REFUSED = {
    "chromium": "WebSocket connection to",
    "firefox": "can\u2019t establish a connection to the server at",
}
# The WebSocket guard is the ASGI middleware's: only the FastAPI example has it.
only_fastapi = pytest.mark.parametrize("example_site", ["fastapi"], indirect=True)


def socket_url(site: ExampleSite, area: str, tag: str) -> str:
    return f"ws://127.0.0.1:{site.api.port}/{area}/socket/{tag}"


@only_fastapi
def test_listed_origin_opens_the_websocket_with_its_cookie(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    listed_page.tab.call(
        "(url) => fetch(url, {method: 'POST', body: 'ada', credentials: 'include'})"
        ".then(r => r.status)",
        f"{site.api.origin}/api/session/{tag}",
    )
    outcome = listed_page.tab.call(OPEN_SOCKET, socket_url(site, "api", tag))
    assert outcome == "message: hello ada"


@only_fastapi
def test_unlisted_origin_cannot_open_the_websocket(
    site: ExampleSite, unlisted_page: PageProbe, tag: str
) -> None:
    outcome = unlisted_page.tab.call(OPEN_SOCKET, socket_url(site, "api", tag))
    assert outcome == "error"
    unlisted_page.tab.pause(0.2)
    mark = SOCKET_REFUSED[unlisted_page.engine]
    assert any(mark in line for line in unlisted_page.tab.console_errors())
    assert any("refused" in line for line in site.journal.unattributed_cors_log) or any(
        "refused" in line for line in site.journal.cors_log()
    )


@pytest.fixture
def wrapped_site() -> Iterator[tuple[str, str]]:
    """The FastAPI example with the middleware wrapping the whole app (not add_middleware)
    and an exception handler of its own, and a page origin to call it from."""
    from fastapi import FastAPI, Request
    from fastapi.responses import JSONResponse

    from cors_wsgi.asgi import CORSMiddleware

    page = BackgroundServer()
    inner = FastAPI()

    @inner.get("/api/crash/{tag}")
    async def crash(tag: str) -> None:
        raise RuntimeError("crashed on purpose")

    @inner.exception_handler(RuntimeError)
    async def on_error(request: Request, exc: RuntimeError) -> JSONResponse:
        return JSONResponse({"error": "handled by the app"}, status_code=500)

    api = BackgroundASGIServer()
    api.start(RequestJournal().wrap_asgi(CORSMiddleware(inner, allow_origins=[page.origin])))

    def blank(environ: Any, start_response: Any) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>page</title>"]

    page.start(blank)
    try:
        yield page.url, api.origin
    finally:
        api.stop()
        page.stop()


def test_wrapping_placement_keeps_the_apps_500_and_the_page_reads_it(
    wrapped_site: tuple[str, str], tab: Tab, tag: str
) -> None:
    page_url, api_origin = wrapped_site
    tab.goto(page_url)
    seen = tab.call(
        "(url) => fetch(url).then(async r => [r.status, await r.text()], e => String(e))",
        f"{api_origin}/api/crash/{tag}",
    )
    assert seen == [500, '{"error":"handled by the app"}']
