"""A second URLconf, chosen per request by a middleware, as django-hosts does."""

from __future__ import annotations

import cors_django_test_views as views
from django.http import HttpRequest, HttpResponse
from django.urls import path

from cors_wsgi.django import cross_origin


class HostUrlconfMiddleware:
    """Routes every request with this URLconf, as django-hosts's HostsRequestMiddleware does."""

    def __init__(self, get_response: object) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.urlconf = __name__
        return self.get_response(request)  # type: ignore[operator, no-any-return]


urlpatterns = [
    # Only in this URLconf: ROOT_URLCONF does not route it at all.
    path("host-only/", views.items),
    # In ROOT_URLCONF the same path routes to a view without a policy of its own.
    path(
        "api/items/",
        cross_origin(allow_origins=[views.PARTNER_ORIGIN], allow_methods=["PUT"])(views.items),
    ),
]
