"""The pieces of the real-browser suite that are not fixtures: launching Chromium, and
driving the demo page's scenarios and reading back what the page saw.

The fixtures in ``conftest.py`` put these together; the flags and findings come from
``shared/BROWSER.md``.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

if TYPE_CHECKING:
    from collections.abc import Mapping

    from playwright.sync_api import ConsoleMessage, Page

__all__ = [
    "CHROMIUM_ARGS",
    "REQUIRE_BROWSER_VARIABLE",
    "PageProbe",
    "ScenarioResult",
    "Step",
    "browser_required",
    "browser_unavailable",
    "chromium_executable",
    "unique_tag",
]

CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps trying to reach the internet from a machine without it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Makes "Access-Control-Allow-Headers: *" leave Authorization uncovered, as the Fetch
    # standard (and Firefox and Safari) do; Chromium 156 does not by default.
    "--enable-features=CorsNonWildcardRequestHeadersSupport",
)
REQUIRE_BROWSER_VARIABLE = "CORS_WSGI_REQUIRE_BROWSER"
# How long to wait for Chromium's console message after the page has seen a refusal: the
# message travels on its own channel and may arrive just after fetch() rejects.
_CONSOLE_WAIT_SECONDS = 3.0
_CORS_CONSOLE_MARK = "blocked by CORS policy"


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


def chromium_executable() -> str:
    """The system Chromium (Playwright's own browser builds are never downloaded here)."""
    executable = shutil.which("chromium")
    if executable is None:
        browser_unavailable("no `chromium` on PATH (scripts/install-browser installs Debian's)")
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
    """What the page saw running one scenario, and Chromium's console messages about it."""

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
    """The demo page opened in a fresh browser context, ready to run scenarios by name."""

    def __init__(self, page: Page, url: str) -> None:
        self.page = page
        self.console_errors: list[str] = []
        page.on("console", self._collect)
        # "manual": the page waits to be driven instead of running every scenario itself.
        # goto waits for the load event, by which the page's synchronous scripts have run.
        page.goto(f"{url}?manual=1")
        self.origin: str = page.evaluate(
            "() => { if (!window.corsDemo) throw new Error('demo.js did not load');"
            " return location.origin; }"
        )

    def _collect(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def run(self, scenario: str, tag: str) -> ScenarioResult:
        """Run one scenario of ``static/demo.js`` and return what the page saw.

        When the final call was blocked, waits for Chromium's CORS console message about
        it, so the result carries the browser's own explanation.
        """
        data: dict[str, Any] = self.page.evaluate(
            "([name, tag]) => window.corsDemo.run(name, tag)", [scenario, tag]
        )
        steps = tuple(Step.from_page(step) for step in data["steps"])
        console = self._console_about(tag, wait=steps[-1].outcome == "blocked")
        return ScenarioResult(scenario, tag, data["origin"], steps, console)

    def _console_about(self, tag: str, *, wait: bool) -> tuple[str, ...]:
        deadline = time.monotonic() + (_CONSOLE_WAIT_SECONDS if wait else 0.0)
        while True:
            found = tuple(
                text for text in self.console_errors if tag in text and _CORS_CONSOLE_MARK in text
            )
            if found or time.monotonic() >= deadline:
                return found
            # Lets Playwright deliver pending events while we wait.
            self.page.wait_for_timeout(20)
