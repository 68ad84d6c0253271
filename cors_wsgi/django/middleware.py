"""CorsMiddleware: the core's decisions applied to Django requests and responses.

Place it as high in MIDDLEWARE as possible: it answers preflights itself, before anything
below it can redirect them (APPEND_SLASH, LocaleMiddleware), demand authentication or 404
them (R7, R8, V22), and it decorates every response that comes back up through it, errors
included (R29). It is sync- and async-capable, so under ASGI an async view runs without a
thread hop.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Final

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import Resolver404, get_resolver

from cors_wsgi.core import headers
from cors_wsgi.core.decision import Decision, decorate_mapping
from cors_wsgi.core.methods import OPTIONS
from cors_wsgi.core.policy import Policy
from cors_wsgi.django.conf import compiled_settings
from cors_wsgi.django.decorators import EXEMPT, any_view_marked, mark_of_view

__all__ = ["CorsMiddleware"]

logger = logging.getLogger("cors_wsgi")

GetResponse = Callable[[HttpRequest], HttpResponseBase]
AsyncGetResponse = Callable[[HttpRequest], Awaitable[HttpResponseBase]]


def _meta_key(header: str) -> str:
    """The request.META key under which WSGI and ASGI servers put a request header."""
    return "HTTP_" + header.upper().replace("-", "_")


_ORIGIN: Final = _meta_key(headers.ORIGIN)
_REQUEST_METHOD: Final = _meta_key(headers.REQUEST_METHOD)
_REQUEST_HEADERS: Final = _meta_key(headers.REQUEST_HEADERS)
_REQUEST_PRIVATE_NETWORK: Final = _meta_key(headers.REQUEST_PRIVATE_NETWORK)


def _policy_of_path(request: HttpRequest) -> Policy | None:
    return compiled_settings().policy_for_path(request.path_info)


def _policy_before_view(request: HttpRequest) -> Policy | None:
    """The policy for a request no view has seen yet: the view's own, else the path's.

    Only OPTIONS requests come here, since only they can be preflights, which must be
    answered before Django routes them; the URL is resolved as Django will resolve it.
    """
    resolver = get_resolver(_urlconf_seen(request))  # type: ignore[arg-type]
    # Importing the URLconf imports the views, and so applies their decorators.
    resolver.url_patterns  # noqa: B018
    if any_view_marked():
        try:
            match = resolver.resolve(request.path_info)
        except Resolver404:
            pass
        else:
            mark = mark_of_view(match.func)
            if mark is EXEMPT:
                return None
            if isinstance(mark, Policy):
                return mark
    return _policy_of_path(request)


def _decide(policy: Policy, request: HttpRequest) -> Decision:
    meta = request.META
    return policy.decide(
        request.method or "",
        meta.get(_ORIGIN),
        meta.get(_REQUEST_METHOD),
        meta.get(_REQUEST_HEADERS),
        meta.get(_REQUEST_PRIVATE_NETWORK),
    )


# Why a request's view is looked up again after it ran, and with which URLconf: a preflight
# is answered before any middleware below this one runs, so it can only be routed with the
# URLconf in effect here (one a middleware above set on request.urlconf, else
# ROOT_URLCONF). A middleware below that sets request.urlconf (django-hosts's
# HostsRequestMiddleware, multi-tenant routers) would route the actual request to another
# view, with another policy: the preflight and the request would be judged by different
# policies. So the request is judged with the URLconf its preflight was judged with, and
# a WARNING says once how to make the view's own URLconf count for both: move that
# middleware above CorsMiddleware.
_urlconf_warning_logged = False


def _urlconf_seen(request: HttpRequest) -> object:
    """The URLconf this middleware routes with: request.urlconf if set above, else None."""
    return request.__dict__.get("urlconf")


def _view_seen(request: HttpRequest, seen: object) -> Callable[..., object] | None:
    """The view of a routed request, as routed with the URLconf ``seen`` on the way in."""
    match = request.resolver_match
    if request.__dict__.get("urlconf") is seen:
        return None if match is None else match.func
    global _urlconf_warning_logged
    if not _urlconf_warning_logged:
        _urlconf_warning_logged = True
        logger.warning(
            "a middleware below CorsMiddleware set request.urlconf, so preflights (answered "
            "before it runs) and requests are both judged with the URLconf in effect at "
            "CorsMiddleware, and cross_origin or cors_exempt on views of the other URLconf "
            "do not apply; move the middleware that sets request.urlconf (e.g. "
            "django_hosts.middleware.HostsRequestMiddleware) above "
            "'cors_wsgi.django.CorsMiddleware' in MIDDLEWARE"
        )
    try:
        # get_resolver(None) is ROOT_URLCONF; resolve(path, None) would take the URLconf
        # the handler set for this thread, the very one that differs.
        return get_resolver(seen).resolve(request.path_info).func  # type: ignore[arg-type]
    except Resolver404:
        return None


def _apply_after_view(request: HttpRequest, response: HttpResponseBase, seen: object) -> None:
    """Decide for a request Django has routed, with its view's own policy if it has one,
    else its path's, and decorate the response. Every request but OPTIONS comes here, so
    the path is kept short: no URL resolution (Django has done it, unless request.urlconf
    changed below) and no settings read."""
    view = _view_seen(request, seen) if any_view_marked() else None
    if view is not None:
        mark = mark_of_view(view)
        if mark is EXEMPT:
            return
        policy = mark if isinstance(mark, Policy) else None
    else:
        policy = None
    if policy is None:
        policy = compiled_settings().policy_for_path(request.path_info)
        if policy is None:
            return
    _decorate(_decide(policy, request), response)


def _answer_preflight(decision: Decision) -> HttpResponse:
    status, header_list = decision.preflight_response()
    response = HttpResponse(status=status)
    del response.headers[headers.CONTENT_TYPE]  # the core says which body headers go out (R27)
    for name, value in header_list:
        response.headers[name] = value
    # A refused preflight is a 403; without this mark Django's request logger would write a
    # "Forbidden" warning for each one, which a hostile client could use to flood the logs.
    # The core has already logged the refusal at DEBUG on the cors_wsgi logger.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def _decorate(decision: Decision, response: HttpResponseBase) -> None:
    # Django's public header API: it validates every value it is given (about half a
    # microsecond per header on a request that costs Django tens of microseconds).
    decorate_mapping(decision, response.headers)


class CorsMiddleware:
    """Django middleware that applies the CORS policy of the CORS_* settings.

    Preflights (and any OPTIONS request) are routed to their view's own policy
    (``cross_origin``) or exemption (``cors_exempt``) before the view runs, and answered
    here; other responses, whatever their status, get the headers of the policy that
    applies to their view or path. Invalid settings raise ImproperlyConfigured when the
    middleware is loaded.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse | AsyncGetResponse) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)
        compiled_settings()  # refuse to start with invalid settings

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        get_response: GetResponse = self.get_response  # type: ignore[assignment]
        if request.method != OPTIONS:
            seen = _urlconf_seen(request)
            response = get_response(request)
            _apply_after_view(request, response, seen)
            return response
        early = _before_view(request)
        if isinstance(early, HttpResponseBase):
            return early
        response = get_response(request)
        if isinstance(early, Decision):
            _decorate(early, response)
        return response

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        get_response: AsyncGetResponse = self.get_response  # type: ignore[assignment]
        if request.method != OPTIONS:
            seen = _urlconf_seen(request)
            response = await get_response(request)
            _apply_after_view(request, response, seen)
            return response
        early = _before_view(request)
        if isinstance(early, HttpResponseBase):
            return early
        response = await get_response(request)
        if isinstance(early, Decision):
            _decorate(early, response)
        return response


def _before_view(request: HttpRequest) -> HttpResponseBase | Decision | None:
    """For an OPTIONS request, before Django routes it: the preflight answer, or the
    decision to apply to the view's response, or ``None`` to leave it alone (out of CORS
    scope, or an exempt view)."""
    policy = _policy_before_view(request)
    if policy is None:
        return None
    decision = _decide(policy, request)
    if decision.answer_here:
        return _answer_preflight(decision)
    return decision
