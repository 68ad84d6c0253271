"""cors_wsgi.testing: the browser's CORS check on responses of WSGI calls and of Django's
and Flask's test clients, the two-request cors_fetch, and the pytest plugin.

Django is exercised in a subprocess with its own settings, so that this module never
configures Django for the rest of the session (tests/django owns that).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cors_wsgi import CORSMiddleware
from cors_wsgi.browser.fetch import (
    ALLOW_CREDENTIALS,
    ALLOW_ORIGIN,
    PREFLIGHT_ALLOW_HEADERS,
    PREFLIGHT_ALLOW_ORIGIN,
    ResponseHead,
)
from cors_wsgi.testing import (
    CORSAssertionError,
    CORSCheck,
    assert_cors_allowed,
    assert_cors_refused,
    cors_fetch,
    cors_verdict,
    response_head,
)

if TYPE_CHECKING:
    from collections.abc import Iterable

    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from flask import Flask

REPO = Path(__file__).resolve().parent.parent


def _clean_environ(**changes: str) -> dict[str, str]:
    """This process's environment for a child, without the Django settings module that
    another suite of this session may have set."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(changes)
    return environ


PAGE = "https://app.example.com"
OTHER = "https://evil.example"


def items_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """A plain API that knows nothing of CORS; echoes the method in a header."""
    start_response(
        "200 OK",
        [
            ("Content-Type", "text/plain"),
            ("X-Total-Count", "3"),
            ("X-Method", environ["REQUEST_METHOD"]),
            ("X-Query", environ.get("QUERY_STRING", "")),
            ("X-Host", environ.get("HTTP_HOST", "")),
        ],
    )
    return [environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)) or b"ok"]


def cors_app(**options: Any) -> CORSMiddleware:
    defaults: dict[str, Any] = {
        "allow_origins": [PAGE],
        "allow_methods": ["GET", "PUT", "DELETE"],
        "allow_headers": ["content-type", "x-token"],
        "allow_credentials": True,
        "expose_headers": ["x-total-count"],
    }
    defaults.update(options)
    return CORSMiddleware(items_app, **defaults)


# ---- reading responses of every shape


class _DjangoLikeHeaders(dict[str, str]):
    """Django's ResponseHeaders: a mapping, one value per name."""


class _DjangoLikeResponse:
    def __init__(self, status: int, headers: dict[str, str], request: dict[str, str]) -> None:
        self.status_code = status
        self.headers = _DjangoLikeHeaders(headers)
        self.request = request


class _HTTPClientLikeResponse:
    status = 204

    def getheaders(self) -> list[tuple[str, str]]:
        return [("Access-Control-Allow-Origin", PAGE)]


def test_response_head_reads_every_shape() -> None:
    head = ResponseHead.create(200, {"A": "1"})
    assert response_head(head) is head
    assert response_head(("204 No Content", [("A", "1"), ("A", "2")])).get("A") == "1, 2"
    assert response_head((200, [("A", "1")], b"body")).status == 200
    django_like = _DjangoLikeResponse(403, {"Vary": "Origin"}, {})
    assert response_head(django_like) == ResponseHead(403, (("Vary", "Origin"),))
    assert response_head(_HTTPClientLikeResponse()).get("access-control-allow-origin") == PAGE
    with pytest.raises(TypeError, match="cannot read a status and headers from object"):
        response_head(object())


def test_werkzeug_responses_keep_repeated_lines_r18() -> None:
    from werkzeug.wrappers import Response

    response = Response("x", headers=[("Access-Control-Allow-Origin", PAGE)] * 2)
    assert response_head(response).get("Access-Control-Allow-Origin") == f"{PAGE}, {PAGE}"
    verdict = assert_cors_refused(response, origin=PAGE, step=ALLOW_ORIGIN)
    assert "applied twice" in str(verdict)


# ---- assertions on WSGI results


def _call(app: Any, method: str, headers: dict[str, str]) -> tuple[str, list[tuple[str, str]]]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": "/items"}
    environ.update({"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()})
    environ["wsgi.input"] = __import__("io").BytesIO()
    captured: list[tuple[str, list[tuple[str, str]]]] = []
    app(environ, lambda status, header_list, exc_info=None: captured.append((status, header_list)))
    return captured[0]


def test_allowed_on_a_wsgi_result_r29() -> None:
    result = _call(cors_app(), "GET", {"Origin": PAGE})
    verdict = assert_cors_allowed(result, origin=PAGE, credentials=True)
    assert "x-total-count" in verdict.readable_headers
    assert "x-method" not in verdict.readable_headers


def test_refused_on_a_wsgi_result_names_the_step_v1() -> None:
    result = _call(cors_app(), "GET", {"Origin": OTHER})
    verdict = assert_cors_refused(result, origin=OTHER, credentials=True, step=ALLOW_ORIGIN)
    assert verdict.console_message is not None
    assert "No 'Access-Control-Allow-Origin' header" in verdict.console_message


def test_failed_assertions_carry_the_whole_verdict() -> None:
    refused = _call(cors_app(), "GET", {"Origin": OTHER})
    with pytest.raises(CORSAssertionError, match="CORS refused, expected allowed") as caught:
        assert_cors_allowed(refused, origin=OTHER)
    assert "blocked by CORS policy" in str(caught.value)
    assert caught.value.verdict.failed_step is not None
    allowed = _call(cors_app(), "GET", {"Origin": PAGE})
    with pytest.raises(CORSAssertionError, match="CORS allowed, expected refused"):
        assert_cors_refused(allowed, origin=PAGE)
    with pytest.raises(CORSAssertionError, match="refused at 'allow-origin', expected at"):
        assert_cors_refused(refused, origin=OTHER, step=ALLOW_CREDENTIALS)


def test_credentials_mode_changes_the_verdict_r17_r43() -> None:
    public = cors_app(allow_origins="*", allow_credentials=False)
    result = _call(public, "GET", {"Origin": PAGE})
    assert_cors_allowed(result, origin=PAGE)
    assert_cors_refused(result, origin=PAGE, credentials=True, step=ALLOW_ORIGIN)


def test_preflight_response_alone_is_judged_as_a_preflight() -> None:
    preflight = _call(
        cors_app(),
        "OPTIONS",
        {"Origin": PAGE, "Access-Control-Request-Method": "PUT"},
    )
    verdict = assert_cors_allowed(preflight=preflight, origin=PAGE, method="PUT", credentials=True)
    assert not verdict.checked_actual
    refused = _call(
        cors_app(),
        "OPTIONS",
        {"Origin": PAGE, "Access-Control-Request-Method": "PATCH"},
    )
    assert_cors_refused(
        preflight=refused, origin=PAGE, method="PATCH", step="preflight-allow-origin"
    )


def test_usage_errors_say_what_is_missing() -> None:
    result = _call(cors_app(), "PUT", {"Origin": PAGE})
    with pytest.raises(ValueError, match="sends a preflight before PUT: pass its response"):
        cors_verdict(result, origin=PAGE, method="PUT")
    with pytest.raises(ValueError, match="before GET with x-token"):
        cors_verdict(result, origin=PAGE, request_headers={"X-Token": "1"})
    with pytest.raises(TypeError, match="say which page makes the request"):
        cors_verdict(result)
    with pytest.raises(TypeError, match="give the response"):
        cors_verdict()


# ---- Flask's test client: the request is read back from the response


@pytest.fixture
def flask_app() -> Flask:
    from flask import Flask

    from cors_wsgi.flask import CORS

    app = Flask(__name__)

    @app.route("/api/items", methods=["GET", "PUT", "DELETE"])
    def items() -> tuple[str, int, dict[str, str]]:
        return "items", 200, {"X-Total-Count": "3"}

    CORS(
        app,
        origins=[PAGE],
        supports_credentials=True,
        methods=["GET", "PUT"],
        allow_headers=["content-type"],
        expose_headers=["x-total-count"],
    )
    return app


def test_flask_response_origin_and_method_come_from_the_request(flask_app: Flask) -> None:
    client = flask_app.test_client()
    response = client.get("/api/items", headers={"Origin": PAGE})
    verdict = assert_cors_allowed(response, credentials=True)
    assert verdict.request.origin == PAGE
    assert verdict.request.url == "http://localhost/api/items"
    assert "x-total-count" in verdict.readable_headers
    refused = client.get("/api/items", headers={"Origin": OTHER})
    assert_cors_refused(refused, step=ALLOW_ORIGIN)


def test_flask_origin_mismatch_is_a_test_bug(flask_app: Flask) -> None:
    response = flask_app.test_client().get("/api/items", headers={"Origin": PAGE})
    with pytest.raises(ValueError, match=r"answers a request from 'https://app\.example\.com'"):
        cors_verdict(response, origin=OTHER)
    without_origin = flask_app.test_client().get("/api/items")
    with pytest.raises(TypeError, match="carried no Origin header"):
        cors_verdict(without_origin)


def test_flask_preflight_response_reads_method_and_headers_from_it(flask_app: Flask) -> None:
    client = flask_app.test_client()
    preflight = client.options(
        "/api/items",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    verdict = assert_cors_allowed(preflight, credentials=True)
    assert verdict.request.method == "PUT"
    assert verdict.request.unsafe_header_names == ("content-type",)
    assert not verdict.checked_actual
    refused = client.options(
        "/api/items",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-token",
        },
    )
    assert_cors_refused(refused)


def test_recorded_options_without_origin_is_no_preflight_r2(flask_app: Flask) -> None:
    """A preflight is what the core says one is (R2: OPTIONS with Origin and
    Access-Control-Request-Method): without Origin the server saw a plain OPTIONS request,
    which a browser would have preflighted, so it is not judged as a preflight."""
    response = flask_app.test_client().options(
        "/api/items", headers={"Access-Control-Request-Method": "PUT"}
    )
    with pytest.raises(ValueError, match="sends a preflight before OPTIONS"):
        cors_verdict(response, origin=PAGE)


def test_flask_preflight_and_actual_together(flask_app: Flask) -> None:
    client = flask_app.test_client()
    preflight = client.options(
        "/api/items", headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT"}
    )
    actual = client.put("/api/items", headers={"Origin": PAGE})
    verdict = assert_cors_allowed(actual, preflight=preflight, credentials=True)
    assert verdict.checked_actual
    assert verdict.preflight_needed


# ---- cors_fetch: both requests, as the browser sends them


def test_cors_fetch_through_a_wsgi_app_sends_preflight_then_actual() -> None:
    exchange = cors_fetch(
        cors_app(),
        "https://api.example.com/items?page=2",
        origin=PAGE,
        method="PUT",
        request_headers={"Content-Type": "application/json", "X-Token": "t"},
        credentials=True,
        body='{"a": 1}',
    )
    verdict = exchange.assert_allowed()
    assert exchange.allowed
    assert verdict.preflight_needed
    preflight = response_head(exchange.preflight)
    assert preflight.status == 204
    assert preflight.get("Access-Control-Allow-Headers") == "content-type, x-token"
    assert isinstance(exchange.response, tuple)
    status, headers, body = exchange.response
    assert status.startswith("200")
    assert dict(headers)["X-Method"] == "PUT"
    assert dict(headers)["X-Query"] == "page=2"
    assert dict(headers)["X-Host"] == "api.example.com"
    assert body == b'{"a": 1}'
    assert "CORSExchange('ALLOWED" in repr(exchange)


def test_cors_fetch_stops_after_a_failed_preflight_r7() -> None:
    exchange = cors_fetch(
        cors_app(), "/items", origin=PAGE, method="PUT", request_headers={"X-Other": "1"}
    )
    assert exchange.response is None
    # cors_wsgi refuses the whole preflight without CORS headers (R16), so the browser
    # stops at the first check; the sentence names the method and headers it asked for.
    verdict = exchange.assert_refused(step=PREFLIGHT_ALLOW_ORIGIN)
    assert verdict.failed_step is not None
    assert "or headers x-other" in verdict.failed_step.message
    assert "status 403" in verdict.failed_step.message
    with pytest.raises(CORSAssertionError, match="expected allowed"):
        exchange.assert_allowed()
    with pytest.raises(CORSAssertionError, match="expected at 'allow-origin'"):
        exchange.assert_refused(step=ALLOW_ORIGIN)


def test_cors_fetch_simple_request_sends_no_preflight_r9() -> None:
    exchange = cors_fetch(cors_app(), "/items", origin=PAGE, credentials=True)
    assert exchange.preflight is None
    exchange.assert_allowed()
    with pytest.raises(CORSAssertionError, match="expected refused"):
        exchange.assert_refused()


def test_cors_fetch_through_the_flask_client(flask_app: Flask) -> None:
    client = flask_app.test_client()
    allowed = cors_fetch(
        client,
        "/api/items",
        origin=PAGE,
        method="PUT",
        request_headers={"Content-Type": "application/json"},
        credentials=True,
        body=b"{}",
    )
    allowed.assert_allowed()
    refused = cors_fetch(client, "/api/items", origin=PAGE, method="DELETE")
    refused.assert_refused(step=PREFLIGHT_ALLOW_ORIGIN)


class _DjangoLikeClient:
    """The shape of Django's test Client that cors_fetch relies on: generic() and handler."""

    handler = object()

    def __init__(self, app: CORSMiddleware) -> None:
        self.app = app
        self.calls: list[dict[str, Any]] = []

    def generic(
        self,
        method: str,
        path: str,
        data: bytes,
        content_type: str,
        secure: bool = False,
        **extra: str,
    ) -> _DjangoLikeResponse:
        self.calls.append(
            {"method": method, "path": path, "content_type": content_type, "secure": secure}
            | extra
        )
        headers = {key[5:].replace("_", "-").title(): value for key, value in extra.items()}
        headers.pop("Host", None)
        status, header_list = _call(self.app, method, headers)
        environ = {"REQUEST_METHOD": method, "PATH_INFO": path} | extra
        return _DjangoLikeResponse(int(status.split()[0]), dict(header_list), environ)


def test_cors_fetch_through_a_django_shaped_client() -> None:
    client = _DjangoLikeClient(cors_app())
    exchange = cors_fetch(
        client,
        "https://testserver/items?x=1",
        origin=PAGE,
        method="PUT",
        request_headers=[("Content-Type", "application/json"), ("X-Token", "a"), ("X-Token", "b")],
        credentials=True,
    )
    exchange.assert_allowed()
    preflight_call, actual_call = client.calls
    assert preflight_call["method"] == "OPTIONS"
    assert preflight_call["HTTP_ACCESS_CONTROL_REQUEST_HEADERS"] == "content-type,x-token"
    assert actual_call["content_type"] == "application/json"
    assert actual_call["HTTP_X_TOKEN"] == "a,b"
    assert actual_call["secure"] is True
    assert actual_call["QUERY_STRING"] == "x=1"
    assert actual_call["HTTP_HOST"] == "testserver"
    # The response records its request, so the origin can be left out.
    assert_cors_allowed(exchange.response, method="GET", credentials=True)


def test_cors_fetch_django_shaped_client_with_a_plain_path() -> None:
    client = _DjangoLikeClient(cors_app())
    cors_fetch(client, "/items", origin=PAGE, method="DELETE").assert_allowed()
    assert all("HTTP_HOST" not in call and "QUERY_STRING" not in call for call in client.calls)
    assert client.calls[1]["secure"] is False


def test_plugin_registers_the_ini_option() -> None:
    import cors_wsgi.testing as plugin

    registered: list[tuple[str, str, str]] = []

    class Parser:
        def addini(self, name: str, help: str, default: str) -> None:
            registered.append((name, help, default))

    plugin.pytest_addoption(Parser())  # type: ignore[arg-type]
    assert [(name, default) for name, _, default in registered] == [("cors_origin", "")]


def test_cors_fetch_refuses_what_is_not_a_client() -> None:
    with pytest.raises(TypeError, match="cannot send requests through int"):
        cors_fetch(42, "/x", origin=PAGE)


def test_cors_fetch_closes_the_wsgi_result() -> None:
    closed: list[bool] = []

    class Body(list[bytes]):
        def close(self) -> None:
            closed.append(True)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        start_response("200 OK", [("Access-Control-Allow-Origin", "*")])
        return Body([b"a", b"b"])

    exchange = cors_fetch(app, "/x", origin=PAGE)
    exchange.assert_allowed()
    assert closed == [True]
    assert isinstance(exchange.response, tuple)
    assert exchange.response[2] == b"ab"


# ---- the fixture's helper object


def test_cors_check_object_uses_its_default_origin() -> None:
    checker = CORSCheck(PAGE)
    allowed = _call(cors_app(), "GET", {"Origin": PAGE})
    assert checker.verdict(allowed).allowed
    checker.allowed(allowed, credentials=True)
    refused = _call(cors_app(), "GET", {"Origin": OTHER})
    checker.refused(refused, origin=OTHER)
    preflight = _call(
        cors_app(), "OPTIONS", {"Origin": PAGE, "Access-Control-Request-Method": "PUT"}
    )
    checker.allowed(preflight=preflight, method="PUT")
    checker.fetch(cors_app(), "/items", method="DELETE", credentials=True).assert_allowed()
    with pytest.raises(TypeError, match="ini option cors_origin"):
        CORSCheck().fetch(cors_app(), "/items")


def test_cors_check_prefers_the_origin_the_request_recorded(flask_app: Flask) -> None:
    checker = CORSCheck(PAGE)
    client = flask_app.test_client()
    checker.refused(client.get("/api/items", headers={"Origin": OTHER}))  # not PAGE
    checker.allowed(client.get("/api/items", headers={"Origin": PAGE}), credentials=True)
    preflight = client.options(
        "/api/items", headers={"Origin": OTHER, "Access-Control-Request-Method": "PUT"}
    )
    checker.refused(preflight=preflight, method="PUT")
    assert checker.verdict(client.get("/api/items")).request.origin == PAGE


# ---- the pytest plugin, in a pytest of its own


def _run_pytest(tmp_path: Path, conftest: str, test: str, ini: str = "") -> str:
    (tmp_path / "conftest.py").write_text(textwrap.dedent(conftest))
    (tmp_path / "test_users_suite.py").write_text(textwrap.dedent(test))
    (tmp_path / "pytest.ini").write_text("[pytest]\n" + textwrap.dedent(ini))
    env = _clean_environ(PYTHONPATH=str(REPO))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return completed.stdout + completed.stderr


USERS_SUITE = """
    from cors_wsgi import CORSMiddleware

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]

    api = CORSMiddleware(app, allow_origins=["https://app.example.com"])

    def test_allowed(cors_check):
        cors_check.fetch(api, "/x").assert_allowed()

    def test_refused_elsewhere(cors_check):
        cors_check.fetch(api, "/x", origin="https://evil.example").assert_refused()

    def test_fails_with_the_browser_text(cors_check):
        cors_check.fetch(api, "/x", origin="https://evil.example").assert_allowed()
"""


def test_plugin_through_pytest_plugins_with_ini_origin(tmp_path: Path) -> None:
    output = _run_pytest(
        tmp_path,
        'pytest_plugins = ["cors_wsgi.testing"]\n',
        USERS_SUITE,
        ini="cors_origin = https://app.example.com\n",
    )
    assert "1 failed, 2 passed" in output, output
    assert "has been blocked by CORS policy" in output


def test_plugin_loaded_with_dash_p_and_no_ini(tmp_path: Path) -> None:
    test = """
        def test_fixture(cors_check):
            assert cors_check.origin is None
    """
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p cors_wsgi.testing\n")
    (tmp_path / "test_users_suite.py").write_text(textwrap.dedent(test))
    env = _clean_environ(PYTHONPATH=str(REPO))
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "1 passed" in completed.stdout, completed.stdout + completed.stderr


# ---- Django's real test client, in a process of its own


DJANGO_SCRIPT = """
    import django
    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import path

    def items(request):
        return HttpResponse("items", headers={"X-Total-Count": "3"})

    urlpatterns = [path("api/items", items)]
    settings.configure(
        DEBUG=True,
        ALLOWED_HOSTS=["testserver"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=["cors_wsgi.django.middleware.CorsMiddleware"],
        CORS_ALLOWED_ORIGINS=["https://app.example.com"],
        CORS_ALLOW_CREDENTIALS=True,
        CORS_EXPOSE_HEADERS=["x-total-count"],
    )
    django.setup()
    from django.test import Client

    from cors_wsgi.testing import assert_cors_allowed, assert_cors_refused, cors_fetch

    client = Client()
    response = client.get("/api/items", headers={"Origin": "https://app.example.com"})
    verdict = assert_cors_allowed(response, credentials=True)
    print("readable:", ",".join(sorted(verdict.readable_headers)))
    assert_cors_refused(client.get("/api/items", HTTP_ORIGIN="https://evil.example"),
                        step="allow-origin")
    exchange = cors_fetch(client, "/api/items", origin="https://app.example.com",
                          method="PUT", request_headers={"Content-Type": "application/json"},
                          credentials=True, body=b"{}")
    exchange.assert_allowed()
    print("preflight:", exchange.preflight.status_code)
    cors_fetch(client, "/api/items", origin="https://app.example.com", method="PUT",
               request_headers={"X-Unknown": "1"}).assert_refused(step="preflight-allow-origin")
    print("django ok")
"""


def test_django_test_client_end_to_end(tmp_path: Path) -> None:
    pytest.importorskip("django")
    script = tmp_path / "django_cors_check.py"
    script.write_text(textwrap.dedent(DJANGO_SCRIPT))
    completed = subprocess.run(
        [sys.executable, str(script)],
        env=_clean_environ(PYTHONPATH=str(REPO)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "readable: content-type,x-total-count" in output
    assert "preflight: 204" in output
    assert "django ok" in output


# ---- issue 10 item 11: a recorded preflight's header values are unknown, never guessed


@pytest.fixture
def partial_server() -> Flask:
    """A server (not cors_wsgi) that answers every preflight, allowing content-type only."""
    from flask import Flask

    app = Flask(__name__)

    @app.route("/api/items", methods=["OPTIONS"])
    def preflight() -> tuple[str, int, dict[str, str]]:
        return (
            "",
            204,
            {
                "Access-Control-Allow-Origin": PAGE,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": "PUT",
                "Access-Control-Allow-Headers": "content-type",
            },
        )

    return app


def _recorded_preflight(flask_app: Flask, requested: str) -> object:
    return flask_app.test_client().options(
        "/api/items",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": requested,
        },
    )


def test_recorded_preflight_checks_safelisted_names_it_listed(partial_server: Flask) -> None:
    # The browser listed accept, so its value was unsafe; the server allows content-type
    # only, so the browser blocks this, and so must the helper.
    preflight = _recorded_preflight(partial_server, "accept,content-type")
    verdict = assert_cors_refused(preflight, credentials=True, step=PREFLIGHT_ALLOW_HEADERS)
    assert "accept" in str(verdict)


def test_recorded_preflight_of_one_safelisted_name_is_judged(partial_server: Flask) -> None:
    preflight = _recorded_preflight(partial_server, "accept-language")
    verdict = assert_cors_refused(preflight, credentials=True, step=PREFLIGHT_ALLOW_HEADERS)
    assert verdict.request.unsafe_header_names == ("accept-language",)


def test_recorded_preflight_says_the_values_are_unknown(flask_app: Flask) -> None:
    verdict = assert_cors_allowed(_recorded_preflight(flask_app, "content-type"), credentials=True)
    assert "values of content-type are unknown" in str(verdict)


# ---- issue 11: in process, the helpers give the server's exact reason


def test_cors_fetch_in_process_reports_the_servers_reason() -> None:
    exchange = cors_fetch(
        cors_app(), "/items", origin=PAGE, method="PUT", request_headers={"X-Other": "1"}
    )
    assert any(
        "request header 'x-other' is not in allow_headers" in line for line in exchange.server_log
    )
    with pytest.raises(
        CORSAssertionError, match="request header 'x-other' is not in allow_headers"
    ):
        exchange.assert_allowed()


def test_cors_fetch_leaves_the_apps_logging_as_it_was(
    caplog: pytest.LogCaptureFixture,
) -> None:
    import logging

    caplog.set_level(logging.INFO)
    exchange = cors_fetch(cors_app(), "/items", origin=OTHER)
    assert exchange.server_log  # collected at DEBUG...
    assert not [r for r in caplog.records if r.name == "cors_wsgi"]  # ...not passed on
    assert logging.getLogger("cors_wsgi").level == logging.NOTSET


def test_options_without_origin_is_no_preflight_to_the_helpers() -> None:
    """The helpers call a request a preflight exactly as the core does (R2, R4): an OPTIONS
    request with Access-Control-Request-Method but no Origin is an ordinary request."""
    from cors_wsgi.core.policy import is_preflight
    from cors_wsgi.testing import _SentRequest

    without_origin = _SentRequest(
        "OPTIONS", "http://testserver/x", {"access-control-request-method": "PUT"}
    )
    with_origin = _SentRequest(
        "OPTIONS",
        "http://testserver/x",
        {"access-control-request-method": "PUT", "origin": "https://app.example.com"},
    )
    assert without_origin.is_preflight is is_preflight("OPTIONS", None, "PUT") is False
    assert with_origin.is_preflight is is_preflight("OPTIONS", "https://a.example", "PUT")
