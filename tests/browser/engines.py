"""The two browser engines of the suite, behind one small interface: a tab to load a page
in, run a script in, and read the console of.

- Chromium (Blink) through Playwright, with Debian's ``chromium``;
- Firefox (Gecko) through WebDriver BiDi (:mod:`.bidi`), with Debian's ``firefox-esr``.

Each runs in one of two modes: ``standard``, where the browser follows the Fetch standard
in the one place today's browsers do not by default (``Access-Control-Allow-Headers: *``
never covers Authorization, R22), and ``stock``, what users' browsers do today.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .bidi import BiDiSession, FirefoxProcess
from .selection import CHROMIUM, ENGINES, FIREFOX

if TYPE_CHECKING:
    from collections.abc import Callable

    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

__all__ = [
    "CHROMIUM",
    "CHROMIUM_ARGS",
    "ENGINES",
    "FIREFOX",
    "FIREFOX_STANDARD_PREFS",
    "MODES",
    "STANDARD",
    "STOCK",
    "BrowserEngine",
    "ChromiumBrowser",
    "EngineVariant",
    "FirefoxBrowser",
    "Tab",
    "chromium_args",
    "firefox_prefs",
]

STANDARD = "standard"
STOCK = "stock"
MODES = (STANDARD, STOCK)

_CHROMIUM_BASE_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these, Chromium keeps trying to reach the internet from a machine without it.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# Makes "Access-Control-Allow-Headers: *" leave Authorization uncovered, as the Fetch
# standard does; stock Chromium 156 lets it cover Authorization (with a deprecation warning).
_CHROMIUM_STANDARD_FLAG = "--enable-features=CorsNonWildcardRequestHeadersSupport"
# The standard-following launch, used wherever a single Chromium is wanted.
CHROMIUM_ARGS = (*_CHROMIUM_BASE_ARGS, _CHROMIUM_STANDARD_FLAG)

# Firefox's counterpart of the Chromium flag (stock Firefox 153 ESR lets "*" cover it too).
FIREFOX_STANDARD_PREFS: dict[str, bool | int | str] = {
    "network.cors_preflight.authorization_covered_by_wildcard": False,
}
# Keeps a headless Firefox from reaching for the internet (the remote agent already sets
# most of its recommended automation prefs itself).
_FIREFOX_QUIET_PREFS: dict[str, bool | int | str] = {
    "app.update.enabled": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "toolkit.telemetry.enabled": False,
}


def chromium_args(mode: str) -> tuple[str, ...]:
    """Chromium's command line for ``mode`` (``standard`` or ``stock``)."""
    return CHROMIUM_ARGS if mode == STANDARD else _CHROMIUM_BASE_ARGS


def firefox_prefs(mode: str) -> dict[str, bool | int | str]:
    """The prefs written to a fresh Firefox profile for ``mode``."""
    if mode == STANDARD:
        return {**_FIREFOX_QUIET_PREFS, **FIREFOX_STANDARD_PREFS}
    return dict(_FIREFOX_QUIET_PREFS)


@dataclass(frozen=True)
class EngineVariant:
    """One engine in one mode: what a browser test is parametrized by."""

    engine: str
    mode: str

    @property
    def id(self) -> str:
        """``chromium``, ``chromium-stock``, ``firefox``, ``firefox-stock``."""
        return self.engine if self.mode == STANDARD else f"{self.engine}-{self.mode}"


class Tab(Protocol):
    """A fresh tab (no cookies, no cache shared with other tabs' tests) in one engine."""

    engine: str

    def goto(self, url: str) -> None:
        """Load ``url`` and wait for its load event."""

    def call(self, function: str, *arguments: Any) -> Any:
        """Run the JavaScript ``function`` with ``arguments`` (JSON data) in the page, await
        its promise, and return the value as plain data."""

    def console_errors(self) -> list[str]:
        """The page's error-level console messages so far (the browser's CORS reports)."""

    def pause(self, seconds: float) -> None:
        """Let the browser deliver pending events for ``seconds``."""

    def close(self) -> None:
        """Close the tab and forget its cookies and caches."""


class BrowserEngine(Protocol):
    """A running browser: opens fresh tabs, and is closed once."""

    variant: EngineVariant
    version: str

    def new_tab(self) -> Tab: ...

    def close(self) -> None: ...


class _ChromiumTab:
    engine = CHROMIUM

    def __init__(self, context: BrowserContext) -> None:
        self._context = context
        self._page: Page = context.new_page()
        self._errors: list[str] = []
        self._page.on("console", self._collect)

    def _collect(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self._errors.append(message.text)

    def goto(self, url: str) -> None:
        self._page.goto(url)

    def call(self, function: str, *arguments: Any) -> Any:
        return self._page.evaluate(f"(args) => ({function})(...args)", list(arguments))

    def console_errors(self) -> list[str]:
        return list(self._errors)

    def pause(self, seconds: float) -> None:
        self._page.wait_for_timeout(seconds * 1000)

    def close(self) -> None:
        self._context.close()


class ChromiumBrowser:
    """A Playwright-driven Chromium; each tab gets a fresh browser context."""

    def __init__(self, browser: Browser, variant: EngineVariant) -> None:
        self._browser = browser
        self.variant = variant
        self.version = browser.version

    def new_tab(self) -> Tab:
        return _ChromiumTab(self._browser.new_context())

    def close(self) -> None:
        self._browser.close()


class _FirefoxTab:
    engine = FIREFOX

    def __init__(self, session: BiDiSession) -> None:
        self._session = session
        # A user context is Firefox's counterpart of a fresh browser context: its own
        # cookie jar and caches.
        self._user_context = session.command("browser.createUserContext", {})["userContext"]
        created = session.command(
            "browsingContext.create", {"type": "tab", "userContext": self._user_context}
        )
        self._context: str = created["context"]

    def goto(self, url: str) -> None:
        self._session.command(
            "browsingContext.navigate", {"context": self._context, "url": url, "wait": "complete"}
        )

    def call(self, function: str, *arguments: Any) -> Any:
        expression = f"({function})(...{json.dumps(list(arguments))})"
        return self._session.evaluate(expression, self._context)

    def console_errors(self) -> list[str]:
        return [
            entry.text
            for entry in self._session.log
            if entry.context == self._context and entry.level == "error"
        ]

    def pause(self, seconds: float) -> None:
        self._session.wait_for_log(lambda entry: False, seconds=seconds)

    def close(self) -> None:
        self._session.command("browser.removeUserContext", {"userContext": self._user_context})


class FirefoxBrowser:
    """A headless Firefox with its own fresh profile, driven over WebDriver BiDi."""

    def __init__(self, process: FirefoxProcess, session: BiDiSession, variant: EngineVariant):
        self._process = process
        self._session = session
        self.variant = variant
        self.version = str(session.capabilities.get("capabilities", {}).get("browserVersion"))
        session.command("session.subscribe", {"events": ["log.entryAdded"]})

    @classmethod
    def launch(cls, executable: str, variant: EngineVariant) -> FirefoxBrowser:
        """Start Firefox (raises :class:`.bidi.FirefoxStartError` when it cannot)."""
        process = FirefoxProcess(executable, prefs=firefox_prefs(variant.mode))
        url = process.start()
        try:
            return cls(process, BiDiSession(url), variant)
        except BaseException:
            process.stop()
            raise

    def new_tab(self) -> Tab:
        return _FirefoxTab(self._session)

    def close(self) -> None:
        try:
            self._session.close()
        finally:
            self._process.stop()


def find_executable(engine: str) -> str | None:
    """The system browser for ``engine`` (Debian's packages), or ``None``."""
    return shutil.which("chromium" if engine == CHROMIUM else "firefox-esr")


def settle(
    tab: Tab, wanted: Callable[[str], bool], *, seconds: float, quiet: float = 0.25
) -> list[str]:
    """The console errors ``wanted`` accepts: waits up to ``seconds`` for the first, then
    ``quiet`` seconds more for any that follow (Firefox reports a failed preflight in two
    messages, which may arrive apart)."""
    deadline = time.monotonic() + seconds
    while True:
        found = [text for text in tab.console_errors() if wanted(text)]
        if found:
            tab.pause(quiet)
            return [text for text in tab.console_errors() if wanted(text)]
        if time.monotonic() >= deadline:
            return []
        tab.pause(0.02)
