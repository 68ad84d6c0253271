"""The pieces of the real-browser suite that are not fixtures: finding the browsers, and
driving the demo page's scenarios and reading back what the page saw.

The fixtures in ``conftest.py`` put these together; the flags and findings come from
``shared/BROWSER.md``.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from .bidi import BiDiError, FirefoxStartError
from .engines import (
    CHROMIUM,
    CHROMIUM_ARGS,
    FIREFOX,
    ChromiumBrowser,
    FirefoxBrowser,
    chromium_args,
    find_executable,
    settle,
)
from .selection import ENGINES_OPTION, parse_engines, selected_engines, skip_unless_selected

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from .engines import BrowserEngine, EngineVariant, Tab

__all__ = [
    "CHROMIUM_ARGS",
    "CORS_CONSOLE_MARKS",
    "ENGINES_OPTION",
    "REQUIRE_BROWSER_VARIABLE",
    "PageProbe",
    "ScenarioResult",
    "Step",
    "browser_executable",
    "browser_required",
    "browser_unavailable",
    "parse_engines",
    "running_browser",
    "selected_engines",
    "skip_unless_selected",
    "unique_tag",
]

REQUIRE_BROWSER_VARIABLE = "CORS_WSGI_REQUIRE_BROWSER"
# How long to wait for the browser's console message after the page has seen a refusal:
# the message travels on its own channel and may arrive just after fetch() rejects.
_CONSOLE_WAIT_SECONDS = 3.0
# What each engine's CORS console reports start with (see shared/BROWSER.md).
CORS_CONSOLE_MARKS = {CHROMIUM: "blocked by CORS policy", FIREFOX: "Cross-Origin Request Blocked"}


def browser_required(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether a missing or broken browser must fail the run instead of skipping it.

    True in CI (any non-empty ``CI``) and wherever ``CORS_WSGI_REQUIRE_BROWSER=1``.
    """
    return environ.get(REQUIRE_BROWSER_VARIABLE) == "1" or bool(environ.get("CI"))


def browser_unavailable(
    reason: str, *, details: str = "", required: bool | None = None
) -> NoReturn:
    """Fail (when the browser is required) or skip, saying why and how to fix it.

    ``details`` (such as Playwright's launch log) is shown only with a failure.
    """
    if required is None:
        required = browser_required()
    if required:
        pytest.fail(
            f"the real-browser suite cannot run: {reason}. It is required here "
            f"({REQUIRE_BROWSER_VARIABLE}=1 or CI is set), so this is an error, not a skip."
            + (f"\n{details}" if details else ""),
            pytrace=False,
        )
    pytest.skip(
        f"real-browser suite skipped: {reason} "
        f"(set {REQUIRE_BROWSER_VARIABLE}=1 to make this an error)"
    )


def browser_executable(engine: str) -> str:
    """The system browser of ``engine`` (Playwright's own builds are never downloaded here)."""
    executable = find_executable(engine)
    if executable is None:
        command = "chromium" if engine == CHROMIUM else "firefox-esr"
        browser_unavailable(
            f"no `{command}` on PATH (scripts/install-browser installs Debian's; to leave "
            f"{engine} out on purpose, run pytest with --engines="
            f"{FIREFOX if engine == CHROMIUM else CHROMIUM})"
        )
    return executable


def unique_tag(test_name: str) -> str:
    """A URL-safe tag naming one test run, so no two tests share a URL (nor its cached
    preflight, nor its journal entries)."""
    slug = re.sub(r"[^a-z0-9]+", "-", test_name.lower()).strip("-")[:60]
    return f"{slug}-{time.monotonic_ns() % 10**9:09d}"


@dataclass(frozen=True)
class Step:
    """One fetch() as the page saw it: a readable response, or the error it got."""

    url: str
    method: str
    credentials: str
    outcome: str
    status: int | None
    body: Any
    visible_headers: dict[str, str]
    error_name: str | None

    @classmethod
    def from_page(cls, data: dict[str, Any]) -> Step:
        return cls(
            url=data["url"],
            method=data["method"],
            credentials=data["credentials"],
            outcome=data["outcome"],
            status=data.get("status"),
            body=data.get("body"),
            visible_headers=dict(data.get("visibleHeaders") or {}),
            error_name=data.get("errorName"),
        )

    @property
    def read(self) -> bool:
        """The page could read the response."""
        return self.outcome == "read"

    @property
    def blocked_by_type_error(self) -> bool:
        """The page got a TypeError, which is how every CORS refusal looks to a page."""
        return self.outcome == "blocked" and self.error_name == "TypeError"


@dataclass(frozen=True)
class ScenarioResult:
    """What the page saw running one scenario, and the browser's console messages about it."""

    name: str
    tag: str
    page_origin: str
    steps: tuple[Step, ...]
    console: tuple[str, ...] = field(default=())

    @property
    def last(self) -> Step:
        """The scenario's final call, the one whose outcome the scenario is about."""
        return self.steps[-1]


class PageProbe:
    """The demo page opened in a fresh tab, ready to run scenarios by name."""

    def __init__(self, tab: Tab, url: str) -> None:
        self.tab = tab
        self.engine = tab.engine
        # "manual": the page waits to be driven instead of running every scenario itself.
        # goto waits for the load event, by which the page's synchronous scripts have run.
        tab.goto(f"{url}?manual=1")
        self.origin: str = tab.call(
            "() => { if (!window.corsDemo) throw new Error('demo.js did not load');"
            " return location.origin; }"
        )

    def run(self, scenario: str, tag: str) -> ScenarioResult:
        """Run one scenario of ``static/demo.js`` and return what the page saw.

        When the final call was blocked, waits for the browser's CORS console messages
        about it, so the result carries the browser's own explanation.
        """
        data: dict[str, Any] = self.tab.call(
            "(name, tag) => window.corsDemo.run(name, tag)", scenario, tag
        )
        steps = tuple(Step.from_page(step) for step in data["steps"])
        mark = CORS_CONSOLE_MARKS[self.engine]
        wait = _CONSOLE_WAIT_SECONDS if steps[-1].outcome == "blocked" else 0.0
        console = settle(self.tab, lambda text: tag in text and mark in text, seconds=wait)
        return ScenarioResult(scenario, tag, data["origin"], steps, tuple(console))


# ---- which engines run, and starting them ---------------------------------------------


@contextlib.contextmanager
def running_browser(variant: EngineVariant) -> Iterator[BrowserEngine]:
    """Start ``variant``'s browser, or fail/skip (see :func:`browser_unavailable`) saying
    why it cannot start; closes it (Firefox: by its pid, profile deleted) afterwards."""
    executable = browser_executable(variant.engine)
    browser: BrowserEngine
    if variant.engine == FIREFOX:
        try:
            browser = FirefoxBrowser.launch(executable, variant)
        except (FirefoxStartError, BiDiError, OSError) as error:
            details = getattr(error, "output", "")
            browser_unavailable(f"{executable} did not start: {error}", details=details)
        try:
            yield browser
        finally:
            browser.close()
        return
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        browser_unavailable(f"playwright cannot be imported ({error}; pip install playwright)")
    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, args=list(chromium_args(variant.mode))
            )
        except PlaywrightError as error:
            first_line = error.message.strip().splitlines()[0] if error.message.strip() else ""
            browser_unavailable(f"{executable} did not start: {first_line}", details=error.message)
        browser = ChromiumBrowser(chromium, variant)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
