"""Per-view policies: cross_origin(...) and cors_exempt on function, class-based, async and
DRF views, through the sync and the async test client.

Rule numbers (R..) and attack classes (V..) refer to shared/SPEC.md.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
import threading
from typing import TYPE_CHECKING

import cors_django_test_views as views
import pytest
from asgiref.sync import iscoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.test import AsyncClient, Client, override_settings

from cors_wsgi import ConfigError, Policy
from cors_wsgi.django import CorsMiddleware, cors_exempt, cross_origin
from cors_wsgi.django import middleware as middleware_module
from cors_wsgi.django.decorators import EXEMPT, mark_of_view

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from typing import Any

    from django.http.response import HttpResponseBase

APP = "https://app.example.com"
PARTNER = views.PARTNER_ORIGIN


def preflight_headers(origin: str, method: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method}


def run(coroutine: Coroutine[Any, Any, HttpResponseBase]) -> HttpResponseBase:
    return asyncio.run(coroutine)


# ---- function views


def test_decorated_view_uses_its_own_policy_not_the_settings() -> None:
    client = Client()
    partner = client.get("/api/partner-feed/", headers={"Origin": PARTNER})
    app = client.get("/api/partner-feed/", headers={"Origin": APP})
    assert partner["Access-Control-Allow-Origin"] == PARTNER
    assert not partner.has_header("Access-Control-Allow-Credentials")  # the view's policy
    assert not app.has_header("Access-Control-Allow-Origin")  # allowed by settings only


def test_preflight_to_a_decorated_view_is_answered_with_its_policy() -> None:
    client = Client()
    partner = client.options("/api/partner-feed/", headers=preflight_headers(PARTNER, "PUT"))
    app = client.options("/api/partner-feed/", headers=preflight_headers(APP, "PUT"))
    assert partner.status_code == 204
    assert partner["Access-Control-Allow-Methods"] == "GET, PUT"
    assert partner["Access-Control-Max-Age"] == "60"
    assert app.status_code == 403
    assert views.calls == []  # R7: neither reached the view


def test_preflight_with_a_method_only_the_settings_allow_is_refused_for_the_view() -> None:
    response = Client().options("/api/partner-feed/", headers=preflight_headers(PARTNER, "DELETE"))
    assert response.status_code == 403


def test_decorated_view_exception_carries_the_view_policy_headers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    response = Client(raise_request_exception=False).get(
        "/api/partner-explode/", headers={"Origin": PARTNER}
    )
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == PARTNER


def test_mark_survives_an_outer_wraps_decorator() -> None:
    """login_required wraps the view; its redirect still carries the view's policy, and the
    preflight is answered instead of redirected (V22)."""
    client = Client()
    redirect = client.get("/api/partner-private/", headers={"Origin": PARTNER})
    assert redirect.status_code == 302
    assert redirect["Access-Control-Allow-Origin"] == PARTNER
    answer = client.options("/api/partner-private/", headers=preflight_headers(PARTNER, "GET"))
    assert answer.status_code == 204
    assert views.calls == []


def test_exempt_view_is_left_alone_and_answers_its_own_options() -> None:
    client = Client()
    actual = client.get("/api/exempt/", headers={"Origin": APP})
    options = client.options("/api/exempt/", headers=preflight_headers(APP, "PUT"))
    assert not actual.has_header("Access-Control-Allow-Origin")
    assert "Vary" not in actual
    assert options.status_code == 200
    assert options.content == b"exempt"
    assert not options.has_header("Access-Control-Allow-Origin")
    assert views.calls == ["exempt GET", "exempt OPTIONS"]


def test_decorated_view_gets_cors_even_outside_the_settings_scope() -> None:
    with override_settings(CORS_URLS_REGEX=r"^/public/"):
        response = Client().get("/api/partner-feed/", headers={"Origin": PARTNER})
        answer = Client().options("/api/partner-feed/", headers=preflight_headers(PARTNER, "PUT"))
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert answer.status_code == 204


# ---- class-based views and DRF


def test_class_based_view_with_its_own_policy() -> None:
    client = Client()
    answer = client.options("/api/partner-item/", headers=preflight_headers(PARTNER, "DELETE"))
    deleted = client.delete("/api/partner-item/", headers={"Origin": PARTNER})
    assert answer.status_code == 204
    assert answer["Access-Control-Allow-Methods"] == "GET, DELETE"
    assert deleted.status_code == 204
    assert deleted["Access-Control-Allow-Origin"] == PARTNER
    assert views.calls == ["PartnerItemView DELETE"]


def test_exempt_class_based_view() -> None:
    response = Client().get("/api/exempt-class/", headers={"Origin": APP})
    assert response.content == b"exempt-class"
    assert not response.has_header("Access-Control-Allow-Origin")


def test_drf_api_view_with_its_own_policy() -> None:
    client = Client()
    answer = client.options("/api/partner-things/", headers=preflight_headers(PARTNER, "PUT"))
    refused = client.options("/api/partner-things/", headers=preflight_headers(APP, "PUT"))
    response = client.get("/api/partner-things/", headers={"Origin": PARTNER})
    assert answer.status_code == 204
    assert refused.status_code == 403
    assert response.json() == {"partner": True}
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert views.calls == ["PartnerThingsView GET"]


# ---- async views, through the async client (ASGI handler)


def test_async_view_under_the_async_client() -> None:
    response = run(AsyncClient().get("/api/async-items/", headers={"Origin": APP}))
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP
    assert response["Vary"] == "Origin"


def test_async_client_preflight_is_answered_before_routing() -> None:
    response = run(AsyncClient().options("/api/items", headers=preflight_headers(APP, "PUT")))
    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == APP
    assert views.calls == []


def test_async_client_refused_preflight(caplog: pytest.LogCaptureFixture) -> None:
    """Under ASGI too, a refused preflight is a 403 that Django does not log as Forbidden."""
    headers = preflight_headers("https://evil.example", "PUT")
    with caplog.at_level(logging.DEBUG):
        response = run(AsyncClient().options("/api/items/", headers=headers))
    assert response.status_code == 403
    assert not response.has_header("Access-Control-Allow-Origin")
    assert [r for r in caplog.records if r.name == "django.request"] == []
    assert [r.levelno for r in caplog.records if r.name == "cors_wsgi"] == [logging.DEBUG]


def test_async_view_exception_carries_cors_headers(caplog: pytest.LogCaptureFixture) -> None:
    client = AsyncClient(raise_request_exception=False)
    response = run(client.get("/api/async-explode/", headers={"Origin": APP}))
    assert response.status_code == 500
    assert response["Access-Control-Allow-Origin"] == APP


def test_async_view_with_its_own_policy() -> None:
    client = AsyncClient()
    headers = preflight_headers(PARTNER, "PATCH")
    answer = run(client.options("/api/async-partner/", headers=headers))
    response = run(client.patch("/api/async-partner/", headers={"Origin": PARTNER}))
    assert answer.status_code == 204
    assert answer["Access-Control-Allow-Methods"] == "PATCH"
    assert response["Access-Control-Allow-Origin"] == PARTNER
    assert views.calls == ["async_partner PATCH"]


def test_async_class_based_view_with_its_own_policy() -> None:
    response = run(AsyncClient().get("/api/async-partner-class/", headers={"Origin": PARTNER}))
    assert response.getvalue() == b"async-class"
    assert response["Access-Control-Allow-Origin"] == PARTNER


def test_async_view_under_the_sync_client_gets_the_same_headers() -> None:
    response = Client().get("/api/async-partner/", headers={"Origin": PARTNER})
    assert response["Access-Control-Allow-Origin"] == PARTNER


def test_middleware_is_async_when_the_chain_is_async() -> None:
    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    def sync_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    assert iscoroutinefunction(CorsMiddleware(async_view))
    assert not iscoroutinefunction(CorsMiddleware(sync_view))
    assert CorsMiddleware.sync_capable
    assert CorsMiddleware.async_capable


def test_no_thread_hop_for_an_async_view(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under ASGI, the middleware's decision and the async view run on the event loop's
    thread: Django did not have to adapt the middleware with sync_to_async."""
    decision_threads: list[int] = []
    real_decide = middleware_module._decide

    def recording_decide(*args: Any) -> Any:
        decision_threads.append(threading.get_ident())
        return real_decide(*args)

    monkeypatch.setattr(middleware_module, "_decide", recording_decide)

    async def scenario() -> tuple[int, HttpResponseBase]:
        response = await AsyncClient().get("/api/async-items/", headers={"Origin": APP})
        return threading.get_ident(), response

    with override_settings(MIDDLEWARE=["cors_wsgi.django.CorsMiddleware"]):
        loop_thread, response = asyncio.run(scenario())
    assert response["Access-Control-Allow-Origin"] == APP
    assert decision_threads == [loop_thread]
    assert views.async_view_threads == [loop_thread]


# ---- the decorators themselves


def test_cross_origin_validates_at_decoration_time() -> None:
    """V1: the unsafe combination is refused when the view module is imported."""
    with pytest.raises(ConfigError) as raised:
        cross_origin(allow_origins="*", allow_credentials=True)
    assert [problem.code for problem in raised.value.errors] == ["E012"]


def test_cross_origin_takes_a_ready_policy_or_keywords_not_both() -> None:
    policy = Policy(allow_origins=[PARTNER])

    @cross_origin(policy=policy)
    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    assert mark_of_view(view) is policy
    with pytest.raises(TypeError, match="either"):
        cross_origin(policy=policy, allow_credentials=True)


def test_decorators_return_a_new_view_and_leave_the_original_alone() -> None:
    """Issue 10 item 9: a mark on the shared function would reach every URL routing to it."""

    def view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    async def async_view(request: HttpRequest) -> HttpResponse:
        return HttpResponse()

    for original in (view, async_view):
        exempt = cors_exempt(original)
        own = cross_origin(allow_origins=[PARTNER])(original)
        assert exempt is not original and own is not original
        assert mark_of_view(exempt) is EXEMPT
        assert isinstance(mark_of_view(own), Policy)
        assert mark_of_view(original) is None
        assert exempt.__name__ == original.__name__  # functools.wraps, as csrf_exempt does
        assert iscoroutinefunction(exempt) == iscoroutinefunction(original)
        assert iscoroutinefunction(own) == iscoroutinefunction(original)


def test_decorated_class_is_a_new_class_and_the_original_stays_plain() -> None:
    exempt_class = cors_exempt(views.SharedView)
    assert exempt_class is not views.SharedView
    assert issubclass(exempt_class, views.SharedView)
    assert exempt_class.__name__ == "SharedView"
    assert mark_of_view(exempt_class.as_view()) is EXEMPT
    assert mark_of_view(views.SharedView.as_view()) is None


def test_decorators_keep_django_view_attributes() -> None:
    """csrf_exempt's mark and as_view()'s view_class survive being wrapped."""
    from django.views.decorators.csrf import csrf_exempt

    wrapped = cors_exempt(csrf_exempt(views.items))
    assert getattr(wrapped, "csrf_exempt", False) is True
    class_view = cors_exempt(views.PartnerItemView.as_view())
    assert class_view.view_class is views.PartnerItemView  # type: ignore[attr-defined]
    assert mark_of_view(class_view) is EXEMPT


@pytest.mark.parametrize(
    ("decorated", "plain"),
    [
        ("/shared/exempt/", "/shared/plain/"),
        ("/shared/exempt-class/", "/shared/plain-class/"),
        ("/shared/exempt-async/", "/shared/plain-async/"),
    ],
)
def test_exempting_one_url_of_a_shared_view_keeps_cors_on_the_others(
    decorated: str, plain: str
) -> None:
    client = Client()
    exempt = client.get(decorated, headers={"Origin": APP})
    kept = client.get(plain, headers={"Origin": APP})
    assert not exempt.has_header("Access-Control-Allow-Origin")
    assert kept["Access-Control-Allow-Origin"] == APP
    preflight = client.options(plain, headers=preflight_headers(APP, "PUT"))
    assert preflight.status_code == 204  # answered by the settings' policy, not the view


def test_a_shared_view_with_its_own_policy_in_one_url_only() -> None:
    client = Client()
    own = client.get("/shared/partner/", headers={"Origin": PARTNER})
    plain = client.get("/shared/plain/", headers={"Origin": PARTNER})
    assert own["Access-Control-Allow-Origin"] == PARTNER
    assert not plain.has_header("Access-Control-Allow-Origin")


def test_core_import_does_not_import_django() -> None:
    """The core, which the decorators build policies with, needs no Django."""
    code = "import sys, cors_wsgi; print('django' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ---- request.urlconf set by a middleware (django-hosts and similar)

HOST_MIDDLEWARE = "cors_django_test_host_urls.HostUrlconfMiddleware"
CORS_MIDDLEWARE = "cors_wsgi.django.CorsMiddleware"


def preflight_then_put(origin: str) -> tuple[int, str | None]:
    client = Client()
    preflight = client.options("/api/items/", headers=preflight_headers(origin, "PUT"))
    put = client.put("/api/items/", headers={"Origin": origin})
    return preflight.status_code, put.headers.get("Access-Control-Allow-Origin")


def test_urlconf_set_above_cors_middleware_is_used_for_preflight_and_request(
    settings: Any,
) -> None:
    """Issue 10 item 8: the view's own policy, from the URLconf the request really uses."""
    settings.MIDDLEWARE = [HOST_MIDDLEWARE, CORS_MIDDLEWARE]
    assert preflight_then_put(PARTNER) == (204, PARTNER)


def test_urlconf_set_below_cors_middleware_never_splits_the_judgement(
    settings: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 10 item 8: preflights are answered before a lower middleware runs, so the
    request is judged with the same URLconf (ROOT_URLCONF) as its preflight was, never by
    another view's policy; a WARNING says once how to fix the order."""
    monkeypatch.setattr(middleware_module, "_urlconf_warning_logged", False, raising=False)
    settings.MIDDLEWARE = [CORS_MIDDLEWARE, HOST_MIDDLEWARE]
    with caplog.at_level(logging.WARNING, logger="cors_wsgi"):
        assert preflight_then_put(PARTNER) == (403, None)  # both refused, consistently
        assert preflight_then_put(APP) == (204, APP)  # both allowed by the settings
    [warning] = [r for r in caplog.records if "request.urlconf" in r.getMessage()]
    assert "above" in warning.getMessage()


def test_a_path_only_the_lower_urlconf_routes_gets_the_settings_policy(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its preflight found no view in ROOT_URLCONF; neither does the request."""
    monkeypatch.setattr(middleware_module, "_urlconf_warning_logged", True)
    settings.MIDDLEWARE = [CORS_MIDDLEWARE, HOST_MIDDLEWARE]
    response = Client().get("/host-only/", headers={"Origin": APP})
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == APP


def test_decorating_something_that_is_not_a_view_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="decorate a view"):
        cors_exempt(42)


def test_cors_fetch_async_through_djangos_async_client() -> None:
    import asyncio

    from cors_wsgi.testing import cors_fetch, cors_fetch_async

    exchange = asyncio.run(cors_fetch_async(AsyncClient(), "/api/async-items/", origin=APP))
    exchange.assert_allowed()
    response: Any = exchange.response
    assert response.status_code == 200
    preflighted = asyncio.run(
        cors_fetch_async(AsyncClient(), "/api/async-items/", origin=APP, method="PUT")
    )
    preflight: Any = preflighted.preflight
    assert preflight.status_code == 204
    with pytest.raises(TypeError, match=r"use `await cors_fetch_async\(client, \.\.\.\)`"):
        cors_fetch(AsyncClient(), "/api/async-items/", origin=APP)
