"""Fixtures of the real-browser suite: one headless Chromium per session, a fresh browser
context per test, and the example projects served on 127.0.0.1 by threaded servers.

To plug in another example, make its package expose ``create_app(page_origin)`` (see
:mod:`example_projects.demo`) answering the route contract of
:mod:`example_projects.plain_wsgi.api`, and add its name to ``BROWSER_EXAMPLES``: every
test in ``test_examples_in_chromium.py`` then runs against it too. For anything else,
``serve_wsgi(app)`` serves any WSGI application and returns its base URL.

When Chromium or Playwright is missing or does not start, the tests that need them are
skipped with the reason, or fail when ``CORS_WSGI_REQUIRE_BROWSER=1`` or ``CI`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from example_projects.demo import ExampleUnavailableError, load_example
from example_projects.journal import RequestJournal
from example_projects.serve import BackgroundServer, start_example_site

from .harness import (
    CHROMIUM_ARGS,
    PageProbe,
    ScenarioResult,
    browser_unavailable,
    chromium_executable,
    unique_tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from _typeshed.wsgi import WSGIApplication
    from playwright.sync_api import Browser, BrowserContext

    from example_projects.serve import ExampleSite

# The examples the whole scenario suite runs against (names from example_projects.demo).
BROWSER_EXAMPLES = ("plain", "django", "flask", "fastapi")


@dataclass(frozen=True)
class RefusalRecord:
    """One refusal, as cors_wsgi logged it and as Chromium reported it in its console."""

    test: str
    cors_wsgi: tuple[str, ...]
    chromium: tuple[str, ...]


_REFUSALS = pytest.StashKey[list[RefusalRecord]]()


# Package scope, not session: while Playwright's sync API is running it keeps an asyncio
# event loop marked as running on the main thread, which breaks every later test that
# calls asyncio.run() (Django's async views, for one). Stopping it once the browser tests
# are done restores the thread; tests/browser still gets a single Chromium.
@pytest.fixture(scope="package")
def chromium() -> Iterator[Browser]:
    """The one headless Chromium of the browser suite (launching takes about a second)."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        browser_unavailable(f"playwright cannot be imported ({error}; pip install playwright)")
    executable = chromium_executable()
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        playwright.stop()
        first_line = error.message.strip().splitlines()[0] if error.message.strip() else ""
        browser_unavailable(f"{executable} did not start: {first_line}", details=error.message)
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


@pytest.fixture
def browser_context(chromium: Browser) -> Iterator[BrowserContext]:
    """A fresh context (no cookies, no cache, no cached preflights) for one test."""
    context = chromium.new_context()
    try:
        yield context
    finally:
        context.close()


@pytest.fixture(scope="session")
def serve_wsgi() -> Iterator[Callable[[WSGIApplication], str]]:
    """Serves a WSGI application on 127.0.0.1 (a free port) and returns its base URL
    (``http://127.0.0.1:PORT/``); every server stops at the end of the session."""
    servers: list[BackgroundServer] = []

    def serve(app: WSGIApplication) -> str:
        server = BackgroundServer()
        servers.append(server)
        return server.start(app).url

    try:
        yield serve
    finally:
        for server in servers:
            server.stop()


@pytest.fixture(scope="package", params=BROWSER_EXAMPLES)
def example_site(request: pytest.FixtureRequest) -> Iterator[ExampleSite]:
    """An example API, and the demo page on a listed and on an unlisted origin."""
    name: str = request.param
    try:
        create_app = load_example(name)
    except ExampleUnavailableError as error:
        browser_unavailable(f"the {name} example cannot be loaded: {error}")
    site = start_example_site(name, create_app, RequestJournal())
    try:
        yield site
    finally:
        site.stop()


@pytest.fixture
def site(chromium: Browser, example_site: ExampleSite) -> Iterator[ExampleSite]:
    """The example site, with cors_wsgi's DEBUG log captured into its journal during the
    test only (so that no other test sees the logger's level changed).

    Asks for the browser first, so that without one the test is skipped (or fails) for
    that reason before an example's framework is imported.
    """
    with example_site.journal.capturing_cors_log():
        yield example_site


@pytest.fixture
def tag(request: pytest.FixtureRequest) -> str:
    """This test's own URL tag (see :func:`harness.unique_tag`)."""
    return unique_tag(request.node.name)


@pytest.fixture
def listed_page(site: ExampleSite, browser_context: BrowserContext) -> PageProbe:
    """The demo page on the origin that ``/api/`` allows."""
    return PageProbe(browser_context.new_page(), site.page.url)


@pytest.fixture
def unlisted_page(site: ExampleSite, browser_context: BrowserContext) -> PageProbe:
    """The demo page on an origin that only ``/public/`` (any origin) allows."""
    return PageProbe(browser_context.new_page(), site.unlisted_page.url)


@pytest.fixture
def explain_refusal(
    request: pytest.FixtureRequest, site: ExampleSite
) -> Callable[[ScenarioResult], RefusalRecord]:
    """Pairs a refused scenario's cors_wsgi log lines with Chromium's console messages.

    The pair is attached to the test's report (``user_properties``) and, with ``-v``,
    printed in a table at the end of the run.
    """

    def explain(result: ScenarioResult) -> RefusalRecord:
        record = RefusalRecord(
            test=request.node.name,
            cors_wsgi=tuple(site.journal.cors_log(result.tag)),
            chromium=result.console,
        )
        request.node.user_properties.append(("cors_wsgi said", " | ".join(record.cors_wsgi)))
        request.node.user_properties.append(("chromium said", " | ".join(record.chromium)))
        request.config.stash.setdefault(_REFUSALS, []).append(record)
        return record

    return explain


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    records = terminalreporter.config.stash.get(_REFUSALS, [])
    if not records or terminalreporter.config.get_verbosity() < 1:
        return
    terminalreporter.section("refusals: what cors_wsgi logged, what Chromium said")
    for record in sorted(records, key=lambda record: record.test):
        terminalreporter.write_line(record.test)
        for line in record.cors_wsgi or ("(logged nothing)",):
            terminalreporter.write_line(f"  cors_wsgi: {line}")
        for line in record.chromium:
            terminalreporter.write_line(f"  chromium:  {line}")
