"""Views the Django adapter tests call: plain, decorated, class-based, async and DRF."""

from __future__ import annotations

import threading
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views import View
from django.views.decorators.vary import vary_on_cookie
from rest_framework.request import Request  # type: ignore[import-untyped]
from rest_framework.response import Response  # type: ignore[import-untyped]
from rest_framework.views import APIView  # type: ignore[import-untyped]

from cors_wsgi.django import cors_exempt, cross_origin

# Every view call, so tests can assert that a preflight never reached a view (R7).
calls: list[str] = []
# The thread each async view ran in, to show that no thread hop happened.
async_view_threads: list[int] = []

PARTNER_ORIGIN = "https://partner.example.org"


def items(request: HttpRequest) -> HttpResponse:
    calls.append(f"items {request.method}")
    response = JsonResponse({"items": ["alpha", "beta"]})
    response["X-Total-Count"] = "2"
    return response


def stream(request: HttpRequest) -> StreamingHttpResponse:
    calls.append("stream")
    return StreamingHttpResponse(iter([b"a", b"b"]), content_type="text/plain")


def explode(request: HttpRequest) -> HttpResponse:
    calls.append("explode")
    raise RuntimeError("this view fails on purpose")


def forbidden(request: HttpRequest) -> HttpResponse:
    calls.append("forbidden")
    raise PermissionDenied


def sets_cors_headers(request: HttpRequest) -> HttpResponse:
    """A view that sets CORS headers itself, as code written before CORS middleware does."""
    calls.append("sets_cors_headers")
    response = HttpResponse("mine")
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = "GET"
    return response


@vary_on_cookie
def varies_on_cookie(request: HttpRequest) -> HttpResponse:
    calls.append("varies_on_cookie")
    return HttpResponse("cookie-dependent")


def post_only(request: HttpRequest) -> HttpResponse:
    calls.append(f"post_only {request.method}")
    return HttpResponse("posted")


@login_required
def private(request: HttpRequest) -> HttpResponse:
    calls.append("private")
    return HttpResponse("private")


def session_login(request: HttpRequest) -> JsonResponse:
    calls.append("session_login")
    request.session["user"] = "ada"
    return JsonResponse({"user": "ada"})


def whoami(request: HttpRequest) -> JsonResponse:
    calls.append("whoami")
    return JsonResponse({"user": request.session.get("user")})


@cross_origin(allow_origins=[PARTNER_ORIGIN], allow_methods=["GET", "PUT"], max_age=60)
def partner_feed(request: HttpRequest) -> HttpResponse:
    calls.append(f"partner_feed {request.method}")
    return HttpResponse("feed")


@cross_origin(allow_origins=[PARTNER_ORIGIN])
def partner_explode(request: HttpRequest) -> HttpResponse:
    calls.append("partner_explode")
    raise RuntimeError("this decorated view fails on purpose")


@login_required
@cross_origin(allow_origins=[PARTNER_ORIGIN])
def partner_private(request: HttpRequest) -> HttpResponse:
    """Decorated under another decorator: functools.wraps carries the mark outwards."""
    calls.append("partner_private")
    return HttpResponse("partner-private")


@cors_exempt
def exempt(request: HttpRequest) -> HttpResponse:
    calls.append(f"exempt {request.method}")
    return HttpResponse("exempt", headers={"Allow": "GET, OPTIONS"})


@cross_origin(allow_origins=[PARTNER_ORIGIN], allow_methods=["GET", "DELETE"])
class PartnerItemView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        calls.append("PartnerItemView GET")
        return HttpResponse("partner-item")

    def delete(self, request: HttpRequest) -> HttpResponse:
        calls.append("PartnerItemView DELETE")
        return HttpResponse(status=204)


@cors_exempt
class ExemptView(View):
    def get(self, request: HttpRequest) -> HttpResponse:
        calls.append("ExemptView GET")
        return HttpResponse("exempt-class")


async def async_items(request: HttpRequest) -> HttpResponse:
    calls.append(f"async_items {request.method}")
    async_view_threads.append(threading.get_ident())
    return JsonResponse({"items": ["async"]})


async def async_explode(request: HttpRequest) -> HttpResponse:
    calls.append("async_explode")
    raise RuntimeError("this async view fails on purpose")


@cross_origin(allow_origins=[PARTNER_ORIGIN], allow_methods=["PATCH"])
async def async_partner(request: HttpRequest) -> HttpResponse:
    calls.append(f"async_partner {request.method}")
    async_view_threads.append(threading.get_ident())
    return HttpResponse("async-partner")


@cross_origin(allow_origins=[PARTNER_ORIGIN], allow_methods=["GET", "POST"])
class AsyncPartnerView(View):
    async def get(self, request: HttpRequest) -> HttpResponse:
        calls.append("AsyncPartnerView GET")
        return HttpResponse("async-class")


class ThingsView(APIView):  # type: ignore[misc]
    """A Django REST framework view under the settings' policy."""

    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        calls.append("ThingsView GET")
        return Response({"things": [1, 2]}, headers={"X-Total-Count": "2"})

    def put(self, request: Request) -> Response:
        calls.append("ThingsView PUT")
        return Response({"received": request.data})


@cross_origin(allow_origins=[PARTNER_ORIGIN], allow_methods=["GET", "PUT"])
class PartnerThingsView(APIView):  # type: ignore[misc]
    """A DRF view with its own policy."""

    authentication_classes = ()
    permission_classes = ()

    def get(self, request: Request) -> Response:
        calls.append("PartnerThingsView GET")
        return Response({"partner": True})


class DeniedThingsView(APIView):  # type: ignore[misc]
    """A DRF view whose permission check fails: DRF's own 403 must carry CORS headers."""

    authentication_classes = ()

    def get(self, request: Request) -> Response:
        calls.append("DeniedThingsView GET")
        return Response({"never": "reached"})

    def get_permissions(self) -> list[Any]:
        from rest_framework.permissions import IsAuthenticated  # type: ignore[import-untyped]

        return [IsAuthenticated()]


def shared(request: HttpRequest) -> HttpResponse:
    """One view routed from several URL patterns, decorated in some of them only."""
    calls.append(f"shared {request.method}")
    return HttpResponse("shared")


class SharedView(View):
    """A class-based view routed decorated in one pattern and plain in another."""

    def get(self, request: HttpRequest) -> HttpResponse:
        calls.append("SharedView get")
        return HttpResponse("shared class")


async def async_shared(request: HttpRequest) -> HttpResponse:
    calls.append(f"async_shared {request.method}")
    return HttpResponse("shared async")
