"""The browser suite's own machinery, without a browser: serving, the request journal, the
demo page's site, the example API's route contract, the skip-or-fail rule and the choice
of engines.

These run in every test environment (they are not marked ``browser``), so a broken harness
shows up even where no browser is installed.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from cors_wsgi import CORSMiddleware
from example_projects.demo import EXAMPLES, ExampleUnavailableError, load_example, main
from example_projects.frontend import create_page_app
from example_projects.journal import RequestJournal
from example_projects.plain_wsgi import create_app
from example_projects.serve import LOOPBACK, BackgroundServer

from .harness import (
    REQUIRE_BROWSER_VARIABLE,
    browser_executable,
    browser_required,
    browser_unavailable,
    parse_engines,
    unique_tag,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

PAGE_ORIGIN = "http://127.0.0.1:9"


def fetch(
    url: str, method: str = "GET", headers: dict[str, str] | None = None, body: bytes = b""
) -> tuple[int, dict[str, str], bytes]:
    """One HTTP request; returns status, headers (lower-case names) and body, errors too."""
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, _lower(response.headers.items()), response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, _lower(error.headers.items()), error.read()


def _lower(items: Iterable[tuple[str, str]]) -> dict[str, str]:
    return {name.lower(): value for name, value in items}


@pytest.fixture
def served_api() -> Iterator[tuple[str, RequestJournal]]:
    """The plain example API, journaled with cors_wsgi's log captured, on a free port."""
    journal = RequestJournal()
    with journal.capturing_cors_log(), BackgroundServer() as server:
        server.start(journal.wrap(create_app(PAGE_ORIGIN)))
        yield server.origin, journal


# ---- serving --------------------------------------------------------------------------


def test_serve_wsgi_returns_a_loopback_url_on_a_chosen_port(
    serve_wsgi: Callable[[WSGIApplication], str],
) -> None:
    def hello(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"hello from ", environ["PATH_INFO"].encode()]

    url = serve_wsgi(hello)

    assert url.startswith(f"http://{LOOPBACK}:")
    assert url.endswith("/")
    assert int(url.rsplit(":", 1)[1].rstrip("/")) > 0
    assert fetch(f"{url}there")[2] == b"hello from /there"


def test_background_server_refuses_a_second_app_and_stops_cleanly() -> None:
    server = BackgroundServer()
    try:
        server.start(create_app(PAGE_ORIGIN))
        with pytest.raises(RuntimeError, match="already serving"):
            server.start(create_app(PAGE_ORIGIN))
    finally:
        server.stop()
    with pytest.raises(OSError):
        fetch(server.url)


# ---- the journal ----------------------------------------------------------------------


def test_journal_counts_preflights_and_files_refusals_under_their_request(
    served_api: tuple[str, RequestJournal],
) -> None:
    origin, journal = served_api
    preflight = {"Origin": PAGE_ORIGIN, "Access-Control-Request-Method": "PUT"}
    assert fetch(f"{origin}/api/items/j1", "OPTIONS", preflight)[0] == 204
    refused = {"Origin": "http://127.0.0.1:10", "Access-Control-Request-Method": "PUT"}
    assert fetch(f"{origin}/api/items/j2", "OPTIONS", refused)[0] == 403
    assert fetch(f"{origin}/api/items/j1", "PUT", {"Origin": PAGE_ORIGIN}, b"{}")[0] == 200

    assert [entry.is_preflight for entry in journal.entries("/j1")] == [True, False]
    assert len(journal.preflights("/j")) == 2
    assert journal.cors_log("/j1") == []
    assert len(journal.cors_log("/j2")) == 1
    assert "http://127.0.0.1:10" in journal.cors_log("/j2")[0]
    assert journal.entries("/j2")[0].status == "403 Forbidden"
    assert journal.unattributed_cors_log == []


def test_journal_records_cookies_and_exceptions(
    served_api: tuple[str, RequestJournal],
) -> None:
    origin, journal = served_api
    fetch(f"{origin}/api/whoami/j3", headers={"Cookie": "session=ada"})
    assert fetch(f"{origin}/api/crash/j4")[0] == 500

    assert journal.entries("/j3")[0].had_cookie
    crash = journal.entries("/j4")[0]
    assert crash.raised == "RuntimeError('the example API crashed on purpose')"
    assert crash.as_json()["raised"] == crash.raised


def test_journal_closes_the_body_and_reports_the_finished_entry() -> None:
    closed: list[bool] = []
    finished: list[str | None] = []

    class Body:
        def __iter__(self) -> Iterator[bytes]:
            yield b"chunk"

        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [])
        return Body()

    journal = RequestJournal(on_entry=lambda entry: finished.append(entry.status))
    with BackgroundServer() as server:
        server.start(journal.wrap(app))
        assert fetch(server.url)[2] == b"chunk"
    assert closed == [True]
    assert finished == ["200 OK"]


def test_journal_restores_the_cors_logger() -> None:
    logger = logging.getLogger("cors_wsgi")
    level, handlers = logger.level, list(logger.handlers)
    with RequestJournal().capturing_cors_log():
        assert logger.level == logging.DEBUG
        assert len(logger.handlers) == len(handlers) + 1
    assert (logger.level, logger.handlers) == (level, handlers)


# ---- the demo page's site -------------------------------------------------------------


def test_page_site_serves_its_config_escaped_and_the_journal_by_tag(
    serve_wsgi: Callable[[WSGIApplication], str],
) -> None:
    journal = RequestJournal()
    api_url = serve_wsgi(journal.wrap(create_app(PAGE_ORIGIN)))
    page_url = serve_wsgi(
        create_page_app(
            api_origin="http://127.0.0.1:1</script>",
            role="listed",
            journal=journal,
            example="plain",
        )
    )
    fetch(f"{api_url}api/items/page-tag")

    status, _, config = fetch(f"{page_url}config.js")
    assert status == 200
    assert b"</script>" not in config
    assert b"\\u003c/script>" in config
    entries = json.loads(fetch(f"{page_url}journal?tag=page-tag")[2])["entries"]
    assert [(entry["method"], entry["status"]) for entry in entries] == [("GET", "200 OK")]
    assert fetch(f"{page_url}")[1]["content-type"].startswith("text/html")
    assert fetch(f"{page_url}demo.js")[0] == 200
    assert fetch(f"{page_url}../pyproject.toml")[0] == 404


# ---- the example API's route contract -------------------------------------------------


def test_example_api_keeps_its_route_contract(served_api: tuple[str, RequestJournal]) -> None:
    origin, _ = served_api
    status, headers, body = fetch(f"{origin}/api/items/c1")
    assert (status, json.loads(body)) == (200, {"items": ["alpha", "beta", "gamma"]})
    assert (headers["x-total-count"], headers["x-request-id"]) == ("3", "demo-request")
    echo = json.loads(fetch(f"{origin}/public/items/c2", "PUT", {"X-Demo-Token": "7"}, b"hi")[2])
    assert (echo["method"], echo["body"], echo["headers"]) == ("PUT", "hi", {"x-demo-token": "7"})
    assert fetch(f"{origin}/api/fail/c3")[0] == 500
    assert fetch(f"{origin}/api/nothing/c4")[0] == 404
    assert fetch(f"{origin}/elsewhere/items/c5")[0] == 404


@pytest.mark.parametrize(
    ("sent", "user"),
    [(b"ada", "ada"), (b"", "demo-user"), (b"x; Domain=evil.example", "demo-user")],
)
def test_session_cookie_holds_only_a_short_token(
    served_api: tuple[str, RequestJournal], sent: bytes, user: str
) -> None:
    origin, _ = served_api
    _, headers, body = fetch(f"{origin}/api/session/c6", "POST", body=sent)

    assert json.loads(body) == {"user": user}
    assert headers["set-cookie"] == f"session={user}; Path=/; HttpOnly; SameSite=Lax"


def test_example_api_policies_differ_by_path(served_api: tuple[str, RequestJournal]) -> None:
    origin, _ = served_api
    stranger = {"Origin": "http://127.0.0.1:10"}
    api = fetch(f"{origin}/api/items/c7", headers={"Origin": PAGE_ORIGIN})[1]
    partner = fetch(f"{origin}/partner/items/c7", headers={"Origin": PAGE_ORIGIN})[1]
    public = fetch(f"{origin}/public/items/c7", headers=stranger)[1]
    internal = fetch(f"{origin}/internal/items/c7", headers={"Origin": PAGE_ORIGIN})[1]

    assert api["access-control-allow-origin"] == PAGE_ORIGIN
    assert api["access-control-allow-credentials"] == "true"
    assert partner["access-control-allow-origin"] == PAGE_ORIGIN
    assert "access-control-allow-credentials" not in partner
    assert public["access-control-allow-origin"] == "*"
    assert "access-control-allow-origin" not in internal
    assert isinstance(create_app(PAGE_ORIGIN), CORSMiddleware)


# ---- the demo's example loader --------------------------------------------------------


def test_load_example_finds_plain_and_explains_missing_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert load_example("plain") is create_app
    monkeypatch.setitem(EXAMPLES, "ghost", "example_projects.ghost")
    with pytest.raises(ExampleUnavailableError, match="cannot be imported"):
        load_example("ghost")
    monkeypatch.setitem(EXAMPLES, "bare", "example_projects.serve")
    with pytest.raises(ExampleUnavailableError, match="no create_app"):
        load_example("bare")


def test_demo_refuses_an_unknown_example(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["nonsense"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'nonsense'" in capsys.readouterr().err


def test_demo_prints_its_urls_serves_them_and_stops_on_ctrl_c() -> None:
    """The README's demo command, minus the pip install: ``python3 -m example_projects.demo``."""
    repo_root = Path(__file__).resolve().parents[2]
    demo = subprocess.Popen(
        [sys.executable, "-m", "example_projects.demo", "plain", "--quiet"],
        cwd=repo_root,
        env={**os.environ, "PYTHONPATH": str(repo_root)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert demo.stdout is not None
        banner = [demo.stdout.readline() for _ in range(5)]
        urls = {line.split(":", 1)[0].strip(): line.split()[-1] for line in banner[1:3]}
        page_url, api_url = urls["open this page"], urls["API behind cors_wsgi"]
        page_origin = page_url.rstrip("/")

        assert banner[0] == "cors_wsgi demo: the plain example\n"
        assert banner[4] == "Press Ctrl+C to stop.\n"
        assert b"cors_wsgi demo" in fetch(page_url)[2]
        api = fetch(f"{api_url}api/items/demo", headers={"Origin": page_origin})[1]
        assert api["access-control-allow-origin"] == page_origin
    finally:
        demo.send_signal(signal.SIGINT)
        output, _ = demo.communicate(timeout=10)
    assert demo.returncode == 0
    assert "stopping" in output


# ---- skip or fail ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "required"),
    [
        ({}, False),
        ({REQUIRE_BROWSER_VARIABLE: "1"}, True),
        ({REQUIRE_BROWSER_VARIABLE: "0"}, False),
        ({"CI": "true"}, True),
        ({"CI": ""}, False),
    ],
)
def test_browser_is_required_in_ci_or_when_asked(environ: dict[str, str], required: bool) -> None:
    assert browser_required(environ) is required


def test_unavailable_browser_fails_when_required_and_skips_otherwise() -> None:
    with pytest.raises(pytest.fail.Exception, match=r"required here(.|\n)*launch log"):
        browser_unavailable("no chromium", details="launch log", required=True)
    with pytest.raises(pytest.skip.Exception, match="CORS_WSGI_REQUIRE_BROWSER=1"):
        browser_unavailable("no chromium", required=False)


def test_unique_tags_are_url_safe_and_distinct() -> None:
    first, second = unique_tag("test_x[plain-a b]"), unique_tag("test_x[plain-a b]")

    assert first != second
    assert first.startswith("test-x-plain-a-b-")
    assert all(char.isalnum() or char == "-" for char in first)


# ---- which engines run ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "engines"),
    [
        ("chromium,firefox", ("chromium", "firefox")),
        ("firefox, chromium", ("chromium", "firefox")),
        ("chromium", ("chromium",)),
        ("firefox", ("firefox",)),
    ],
)
def test_engines_option_selects_engines_in_the_suite_s_order(
    value: str, engines: tuple[str, ...]
) -> None:
    assert parse_engines(value, in_ci=False) == engines


@pytest.mark.parametrize("value", ["", "safari", "chromium,webkit"])
def test_engines_option_refuses_unknown_names_and_says_which_exist(value: str) -> None:
    with pytest.raises(pytest.UsageError, match="choose among chromium, firefox"):
        parse_engines(value, in_ci=False)


def test_ci_refuses_to_leave_an_engine_out() -> None:
    assert parse_engines("chromium,firefox", in_ci=True) == ("chromium", "firefox")
    with pytest.raises(pytest.UsageError, match="leaves out firefox, but CI runs"):
        parse_engines("chromium", in_ci=True)


def test_a_missing_browser_names_its_package_and_the_option(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv(REQUIRE_BROWSER_VARIABLE, raising=False)
    with pytest.raises(
        pytest.skip.Exception, match=r"no `firefox-esr` on PATH.*--engines=chromium"
    ):
        browser_executable("firefox")
