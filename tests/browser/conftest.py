"""Fixtures of the real-browser suite: each browser engine in each mode (one browser for
all the tests of that variant), a fresh tab per test, and the example projects served on
127.0.0.1 by threaded servers.

Every test asking for ``site`` runs once per engine variant (``BROWSER_VARIANTS``:
Chromium and Firefox, each standard-following and stock) and once per example.

To plug in another example, make its package expose ``create_app(page_origin)`` (see
:mod:`example_projects.demo`) answering the route contract of
:mod:`example_projects.plain_wsgi.api`, and add its name to ``BROWSER_EXAMPLES``: every
test in ``test_examples_in_browsers.py`` then runs against it too. For anything else,
``serve_wsgi(app)`` serves any WSGI application and returns its base URL.

When a browser (or Playwright, for Chromium) is missing or does not start, the tests that
need it are skipped with the reason, or fail when ``CORS_WSGI_REQUIRE_BROWSER=1`` or
``CI`` is set. ``--engines=chromium`` leaves Firefox out on purpose (refused in CI).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from example_projects.demo import ExampleUnavailableError, load_example
from example_projects.journal import RequestJournal
from example_projects.serve import BackgroundServer, start_example_site

from .engines import ENGINES, MODES, EngineVariant
from .harness import (
    PageProbe,
    ScenarioResult,
    browser_unavailable,
    running_browser,
    skip_unless_selected,
    unique_tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from _typeshed.wsgi import WSGIApplication

    from example_projects.serve import ExampleSite

    from .engines import BrowserEngine, Tab

# The examples the whole scenario suite runs against (names from example_projects.demo).
BROWSER_EXAMPLES = ("plain", "django", "flask", "fastapi")
# Every engine, standard-following first, then stock (what users' browsers do today).
BROWSER_VARIANTS = tuple(EngineVariant(engine, mode) for engine in ENGINES for mode in MODES)


@dataclass(frozen=True)
class RefusalRecord:
    """One refusal, as cors_wsgi logged it and as the browser reported it in its console."""

    test: str
    engine: str
    cors_wsgi: tuple[str, ...]
    browser: tuple[str, ...]


_REFUSALS = pytest.StashKey[list[RefusalRecord]]()
# Which browser versions the run used, by variant id, for the summary line.
_VERSIONS = pytest.StashKey[dict[str, str]]()


# Package scope, not session: while Playwright's sync API is running it keeps an asyncio
# event loop marked as running on the main thread, which breaks every later test that
# calls asyncio.run() (Django's async views, for one). Stopping it once the browser tests
# are done restores the thread.
@pytest.fixture(scope="package", params=BROWSER_VARIANTS, ids=lambda variant: variant.id)
def browser(request: pytest.FixtureRequest) -> Iterator[BrowserEngine]:
    """One browser engine in one mode, shared by the tests of that variant (a Chromium
    launches in about a second, a Firefox with its fresh profile in about two)."""
    variant: EngineVariant = request.param
    skip_unless_selected(request.config, variant.engine)
    with running_browser(variant) as running:
        request.config.stash.setdefault(_VERSIONS, {})[variant.id] = running.version
        yield running


@pytest.fixture
def tab(browser: BrowserEngine) -> Iterator[Tab]:
    """A fresh tab (no cookies, no cache, no cached preflights) for one test: a browser
    context in Chromium, a user context in Firefox."""
    opened = browser.new_tab()
    try:
        yield opened
    finally:
        opened.close()


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
def site(browser: BrowserEngine, example_site: ExampleSite) -> Iterator[ExampleSite]:
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
def listed_page(site: ExampleSite, tab: Tab) -> PageProbe:
    """The demo page on the origin that ``/api/`` allows."""
    return PageProbe(tab, site.page.url)


@pytest.fixture
def unlisted_page(site: ExampleSite, tab: Tab) -> PageProbe:
    """The demo page on an origin that only ``/public/`` (any origin) allows."""
    return PageProbe(tab, site.unlisted_page.url)


@pytest.fixture
def explain_refusal(
    request: pytest.FixtureRequest, site: ExampleSite, tab: Tab
) -> Callable[[ScenarioResult], RefusalRecord]:
    """Pairs a refused scenario's cors_wsgi log lines with the browser's console messages.

    The pair is attached to the test's report (``user_properties``) and, with ``-v``,
    printed in a table at the end of the run.
    """

    def explain(result: ScenarioResult) -> RefusalRecord:
        record = RefusalRecord(
            test=request.node.name,
            engine=tab.engine,
            cors_wsgi=tuple(site.journal.cors_log(result.tag)),
            browser=result.console,
        )
        request.node.user_properties.append(("cors_wsgi said", " | ".join(record.cors_wsgi)))
        request.node.user_properties.append((f"{tab.engine} said", " | ".join(record.browser)))
        request.config.stash.setdefault(_REFUSALS, []).append(record)
        return record

    return explain


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    versions = terminalreporter.config.stash.get(_VERSIONS, {})
    if versions:
        terminalreporter.write_line(
            "browsers as tested: "
            + ", ".join(f"{variant} {version}" for variant, version in sorted(versions.items()))
        )
    records = terminalreporter.config.stash.get(_REFUSALS, [])
    if not records or terminalreporter.config.get_verbosity() < 1:
        return
    terminalreporter.section("refusals: what cors_wsgi logged, what the browser said")
    for record in sorted(records, key=lambda record: record.test):
        terminalreporter.write_line(record.test)
        for line in record.cors_wsgi or ("(logged nothing)",):
            terminalreporter.write_line(f"  cors_wsgi: {line}")
        for line in record.browser:
            terminalreporter.write_line(f"  {record.engine + ':':<10} {line}")
