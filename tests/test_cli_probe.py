"""cors-wsgi probe: against the plain WSGI example behind CORSMiddleware and against a
deliberately misconfigured raw server, both served by threaded wsgiref on 127.0.0.1, port 0;
and the browsers' agreement with it."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING

import pytest

from example_projects.demo import load_example
from example_projects.plain_wsgi import create_app
from example_projects.serve import BackgroundServer
from tests.cli_run import ANSI, PAGE, run

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from tests.browser.engines import Tab


# ---- probe: against the plain WSGI example behind CORSMiddleware


@pytest.fixture(scope="module", params=["plain", "flask"])
def example_api(request: pytest.FixtureRequest) -> Iterator[str]:
    """An example's API (the plain WSGI one, then the Flask one: the same routes and
    policies), for a page on PAGE; its base URL. The Django example runs in the demo test
    below, in a process of its own."""
    factory = create_app if request.param == "plain" else load_example(request.param)
    with BackgroundServer() as server:
        server.start(factory(PAGE))
        yield server.url


def test_probe_simple_get_is_allowed_exit_0(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(capsys, "probe", f"{example_api}api/items/cli", "--origin", PAGE)
    assert status == 0, out
    assert "> GET" in out
    assert "(preflight)" not in out  # R9: a simple request has none
    assert "<   Access-Control-Allow-Origin: " + PAGE in out
    assert "ALLOWED: the script can read the response" in out
    assert "readable headers: content-type, content-length, x-total-count" in out
    assert not ANSI.search(out)  # piped: plain text


def test_probe_preflighted_put_with_credentials(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli-put",
        "--origin",
        PAGE,
        "--method",
        "PUT",
        "--header",
        "Content-Type: application/json",
        "--header",
        "X-Demo-Token: t",
        "--credentials",
        "--cookie",
        "session=alice",
        "--data",
        '{"a": 1}',
    )
    assert status == 0, out
    assert "> OPTIONS" in out
    assert ">   Access-Control-Request-Headers: content-type,x-demo-token" in out  # R13
    assert ">   Cookie: session=alice" in out
    assert "with credentials" in out


def test_probe_cookie_needs_credentials(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(
        capsys, "probe", f"{example_api}api/whoami/cli", "--origin", PAGE, "--cookie", "a=b"
    )
    assert status == 0
    assert "--cookie is ignored without --credentials" in err
    assert "Cookie:" not in out


def test_probe_string_body_gets_fetchs_content_type_and_no_preflight_r12(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli-post",
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--data",
        "hello",
    )
    assert status == 0, out
    assert ">   Content-Type: text/plain;charset=UTF-8" in out
    assert "(preflight)" not in out


def test_probe_refused_origin_exit_1_with_chromiums_text(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}api/items/cli",
        "--origin",
        "https://evil.example",
        "--method",
        "DELETE",
        "--color",
        "always",
    )
    assert status == 1
    plain = ANSI.sub("", out)
    assert "BLOCKED" in plain
    assert "FAIL the preflight's Access-Control-Allow-Origin is missing" in plain
    assert "(status 403)" in plain
    assert "has been blocked by CORS policy: Response to preflight request" in plain
    assert "\x1b[31;1m" in out


def test_probe_authorization_is_not_covered_by_star_r22(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}public/items/cli",
        "--origin",
        "https://anyone.example",
        "--header",
        "Authorization: Bearer x",
        "--json",
    )
    assert status == 1
    data = json.loads(out)
    assert data["allowed"] is False
    assert data["verdict"]["failed_step"] == "preflight-allow-origin"
    assert data["http"][0]["kind"] == "preflight"
    assert ["Access-Control-Request-Headers", "authorization"] in data["http"][0][
        "request_headers"
    ]
    assert data["http"][0]["status"] == 403


def test_probe_json_when_allowed(example_api: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys,
        "probe",
        f"{example_api}public/items/cli",
        "--origin",
        "https://anyone.example",
        "--header",
        "X-Anything: 1",
        "--force-preflight",
        "--json",
    )
    assert status == 0
    data = json.loads(out)
    assert data["allowed"] is True
    assert [step["name"] for step in data["verdict"]["steps"]][-1] == "expose-headers"
    assert [exchange["kind"] for exchange in data["http"]] == ["preflight", "actual"]


# ---- probe: against a deliberately misconfigured server


class MisconfiguredServer:
    """A raw WSGI app with classic CORS mistakes, one per path; records the Origin of
    every request it receives."""

    def __init__(self) -> None:
        self.origins_seen: list[tuple[str, str | None]] = []
        self.lock = threading.Lock()
        self.other_origin_url = ""

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ["PATH_INFO"]
        method = environ["REQUEST_METHOD"]
        origin = environ.get("HTTP_ORIGIN")
        with self.lock:
            self.origins_seen.append((f"{method} {path}", origin))
        reflected = [("Access-Control-Allow-Origin", origin or "")]
        routes: dict[str, tuple[str, list[tuple[str, str]]]] = {
            # V1/R43: "*" with credentials, the mistake people "fix" by reflecting.
            "/star-credentials": (
                "200 OK",
                [
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Credentials", "true"),
                ],
            ),
            # R18: CORS applied twice.
            "/two-origins": ("200 OK", reflected * 2),
            # R8: a trailing-slash redirect answers the preflight.
            "/redirect-preflight": (
                "301 Moved Permanently",
                [("Location", "/redirect-preflight/"), *reflected],
            ),
            # A same-origin redirect, then an allowed response.
            "/hop": ("302 Found", [("Location", "/final"), *reflected]),
            "/final": ("200 OK", reflected),
            # A redirect to another origin (localhost is not 127.0.0.1): Origin becomes null.
            "/cross-hop": (
                "307 Temporary Redirect",
                [("Location", self.other_origin_url), *reflected],
            ),
            "/any": ("200 OK", [("Access-Control-Allow-Origin", "*")]),
            "/loop": ("302 Found", [("Location", "/loop"), *reflected]),
            # POST answered 303: the browser continues with GET.
            "/see-other": ("303 See Other", [("Location", "/final"), *reflected]),
        }
        status, headers = routes.get(path, ("404 Not Found", []))
        if method == "OPTIONS" and path in ("/hop", "/final", "/see-other"):
            status = "204 No Content"
            headers = [
                *reflected,
                ("Access-Control-Allow-Methods", "PUT, POST"),
                ("Access-Control-Allow-Headers", "content-type"),
            ]
        start_response(status, [("Content-Type", "text/plain"), *headers])
        return [] if status.startswith("204") else [b"body"]


@pytest.fixture(scope="module")
def misconfigured() -> Iterator[tuple[str, MisconfiguredServer]]:
    app = MisconfiguredServer()
    with BackgroundServer() as server:
        app.other_origin_url = f"http://localhost:{server.port}/any"
        server.start(app)
        yield server.origin, app


def test_probe_star_with_credentials_v1(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys, "probe", f"{base}/star-credentials", "--origin", PAGE, "--credentials"
    )
    assert status == 1
    assert "must not be the wildcard '*' when the request's credentials mode is 'include'" in out
    # Without credentials the same response is fine (R17).
    status, _, _ = run(capsys, "probe", f"{base}/star-credentials", "--origin", PAGE)
    assert status == 0


def test_probe_two_allow_origin_lines_r18(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/two-origins", "--origin", PAGE, "--json")
    assert status == 1
    data = json.loads(out)
    assert f"contains multiple values '{PAGE}, {PAGE}'" in data["verdict"]["console_message"]
    assert data["verdict"]["failed_step"] == "allow-origin"


def test_probe_redirected_preflight_r8(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys, "probe", f"{base}/redirect-preflight", "--origin", PAGE, "--method", "PUT"
    )
    assert status == 1
    assert "< 301 Moved Permanently" in out
    assert "<   Location: /redirect-preflight/" in out
    assert "Redirect is not allowed for a preflight request." in out


def test_probe_follows_a_same_origin_redirect_and_checks_each_hop(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/hop", "--origin", PAGE, "--method", "PUT")
    assert status == 0, out
    assert out.count("(preflight)") == 2  # a new preflight for the new URL
    assert "302 redirect to /final" in out
    assert f"> PUT {base}/final" in out


def test_probe_cross_origin_redirect_sends_origin_null_r35(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, app = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/cross-hop", "--origin", PAGE, "--json")
    assert status == 0, out
    data = json.loads(out)
    assert [hop["request"]["origin"] for hop in data["hops"]] == [PAGE, "null"]
    assert ("GET /any", "null") in app.origins_seen


def test_probe_303_turns_post_into_get(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(
        capsys,
        "probe",
        f"{base}/see-other",
        "--origin",
        PAGE,
        "--method",
        "POST",
        "--header",
        "Content-Type: application/json",
        "--data",
        "{}",
        "--json",
    )
    assert status == 0, out
    data = json.loads(out)
    assert [hop["request"]["method"] for hop in data["hops"]] == ["POST", "GET"]
    assert data["hops"][1]["preflight_needed"] is False


def test_probe_redirect_loop_is_a_network_error(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, _, err = run(capsys, "probe", f"{base}/loop", "--origin", PAGE)
    assert status == 2
    assert "more than 20 redirects" in err


def test_probe_404_without_cors_headers(
    misconfigured: tuple[str, MisconfiguredServer], capsys: pytest.CaptureFixture[str]
) -> None:
    base, _ = misconfigured
    status, out, _ = run(capsys, "probe", f"{base}/nothing-here", "--origin", PAGE)
    assert status == 1
    assert "< 404 Not Found" in out
    assert "No 'Access-Control-Allow-Origin' header is present" in out


PROBE_CASES_FOR_BROWSERS = [
    pytest.param("/hop", "PUT", {}, False, id="R8-same-origin-redirect-then-allowed"),
    pytest.param("/cross-hop", "GET", {}, False, id="R35-cross-origin-redirect-origin-null"),
    pytest.param(
        "/see-other", "POST", {"Content-Type": "application/json"}, False, id="303-post-to-get"
    ),
    pytest.param("/loop", "GET", {}, False, id="too-many-redirects"),
    pytest.param("/two-origins", "GET", {}, False, id="R18-two-allow-origin-lines"),
    pytest.param("/star-credentials", "GET", {}, True, id="V1-star-with-credentials"),
    pytest.param("/star-credentials", "GET", {}, False, id="R17-star-without-credentials"),
    pytest.param("/redirect-preflight", "PUT", {}, False, id="R8-redirected-preflight"),
]


@pytest.fixture(scope="module", params=["chromium", "firefox"])
def browser_tab_for_probe(request: pytest.FixtureRequest) -> Iterator[tuple[Tab, str]]:
    # The browser suite's launch rules (standard-following flags and prefs), and a skip
    # (or, with CORS_WSGI_REQUIRE_BROWSER=1 or CI set, a failure) when a browser is missing.
    from tests.browser.engines import STANDARD, EngineVariant
    from tests.browser.harness import running_browser, skip_unless_selected

    skip_unless_selected(request.config, request.param)

    def page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/html")])
        return [b"<!doctype html><title>page</title>"]

    with BackgroundServer() as page_server:
        page_server.start(page_app)
        with running_browser(EngineVariant(request.param, STANDARD)) as browser:
            tab = browser.new_tab()
            try:
                tab.goto(page_server.url)
                yield tab, page_server.origin
            finally:
                tab.close()


@pytest.mark.browser
@pytest.mark.parametrize(("path", "method", "headers", "credentials"), PROBE_CASES_FOR_BROWSERS)
def test_probe_agrees_with_the_browsers_on_the_misconfigured_server(
    browser_tab_for_probe: tuple[Tab, str],
    misconfigured: tuple[str, MisconfiguredServer],
    capsys: pytest.CaptureFixture[str],
    path: str,
    method: str,
    headers: dict[str, str],
    credentials: bool,
) -> None:
    tab, page_origin = browser_tab_for_probe
    base, _ = misconfigured
    init = {
        "method": method,
        "headers": headers,
        "credentials": "include" if credentials else "same-origin",
        "body": "{}" if method == "POST" else None,
    }
    browser_read = tab.call(
        "(url, init) => fetch(url, init).then(() => true, () => false)", f"{base}{path}", init
    )
    arguments = ["probe", f"{base}{path}", "--origin", page_origin, "--method", method]
    for name, value in headers.items():
        arguments += ["--header", f"{name}: {value}"]
    if credentials:
        arguments.append("--credentials")
    if method == "POST":
        arguments += ["--data", "{}"]
    status, out, err = run(capsys, *arguments)
    assert (status == 0) is browser_read, out + err


# ---- probe: usage and network errors exit 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["http://127.0.0.1:9/", "--origin", "https://app.example.com/"], "trailing slash"),
        (["http://127.0.0.1:9/", "--origin", "app.example.com"], "starts with its scheme"),
        (["http://127.0.0.1:9/", "--origin", "https://App.example.com"], "lowercase"),
        (["http://127.0.0.1:9/", "--origin", "https://*.example.com"], "not a pattern"),
        (["ftp://127.0.0.1/", "--origin", PAGE], "not an http:// or https:// URL"),
        (["http://127.0.0.1:9/", "--origin", PAGE, "--header", "Bad Name: 1"], "--header"),
    ],
)
def test_probe_usage_errors(
    arguments: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run(capsys, "probe", *arguments)
    assert status == 2
    assert message in err


def test_probe_connection_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with BackgroundServer() as closed:
        url = closed.url
    status, out, err = run(capsys, "probe", url, "--origin", "null", "--json", "--timeout", "5")
    assert status == 2
    assert "network error" in err
    assert "error" in json.loads(out)


def test_probe_insecure_flag_builds_an_unverified_context(
    example_api: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, _ = run(
        capsys, "probe", f"{example_api}public/items/x", "--origin", PAGE, "--insecure"
    )
    assert status == 0
