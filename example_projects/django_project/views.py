"""Views of the example API; none of them knows about CORS.

Why the contract views are CSRF-exempt: they mirror the plain WSGI example, which has no
CSRF protection, so that the demo page and the browser tests run unchanged against every
example. A real API that authenticates with Django's session cookie from another origin
keeps CsrfViewMiddleware: list the page in CSRF_TRUSTED_ORIGINS, send the token in the
X-CSRFToken header, and allow that header (CORS_ALLOW_HEADERS has it by default). CORS
only decides which pages may *read* responses; it never stops a request from being sent.
"""

from __future__ import annotations

import string
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework.request import Request  # type: ignore[import-untyped]
from rest_framework.response import Response  # type: ignore[import-untyped]
from rest_framework.views import APIView  # type: ignore[import-untyped]

from cors_wsgi.django import cors_exempt

__all__ = ["ThingsView", "crash", "fail", "health", "items", "not_found", "session", "whoami"]

ITEMS = ("alpha", "beta", "gamma")
_MAX_USER_NAME = 40
_USER_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "-_.")


@csrf_exempt
def items(request: HttpRequest, area: str, tag: str) -> HttpResponse:
    """GET: three items, with X-Total-Count (exposed on /api/) and X-Request-Id (never
    exposed); any other method: an echo of what arrived."""
    if request.method == "GET":
        response = JsonResponse({"items": list(ITEMS)})
        response["X-Total-Count"] = str(len(ITEMS))
        response["X-Request-Id"] = "demo-request"
        return response
    seen_headers = {
        name.lower(): value
        for name, value in request.headers.items()
        if name.lower().startswith("x-") or name.lower() == "authorization"
    }
    return JsonResponse(
        {
            "method": request.method,
            "contentType": request.content_type or None,
            "body": request.body.decode("utf-8", "replace"),
            "user": request.session.get("user"),
            "headers": seen_headers,
        }
    )


@csrf_exempt
def session(request: HttpRequest, area: str, tag: str) -> HttpResponse:
    """POST: log in as the user named by the body; the session cookie carries it."""
    if request.method != "POST":
        return not_found(request)
    user = _user_name(request.body.decode("utf-8", "replace"))
    request.session["user"] = user
    return JsonResponse({"user": user})


@csrf_exempt
def whoami(request: HttpRequest, area: str, tag: str) -> JsonResponse:
    """The session's user, which only a credentialed request can see."""
    return JsonResponse({"user": request.session.get("user")})


@csrf_exempt
def fail(request: HttpRequest, area: str, tag: str) -> JsonResponse:
    return JsonResponse({"error": "the example API failed on purpose"}, status=500)


@csrf_exempt
def crash(request: HttpRequest, area: str, tag: str) -> HttpResponse:
    """Django turns the exception into its 500 page; CorsMiddleware still decorates it."""
    raise RuntimeError("the example API crashed on purpose")


@cors_exempt
def health(request: HttpRequest, area: str, tag: str) -> JsonResponse:
    """For the load balancer, not for pages: taken out of CORS even under /api/."""
    return JsonResponse({"ok": True})


def not_found(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": f"no route for {request.method} {request.path_info}"}, status=404
    )


class ThingsView(APIView):  # type: ignore[misc]
    """A Django REST framework view: GET lists things, PUT (JSON, so preflighted) echoes."""

    def get(self, request: Request, area: str, tag: str) -> Response:
        return Response({"things": list(ITEMS)}, headers={"X-Total-Count": str(len(ITEMS))})

    def put(self, request: Request, area: str, tag: str) -> Response:
        data: Any = request.data
        return Response({"received": data, "user": request.session.get("user")})


def _user_name(text: str) -> str:
    name = text.strip()
    if name and len(name) <= _MAX_USER_NAME and all(c in _USER_NAME_CHARS for c in name):
        return name
    return "demo-user"
