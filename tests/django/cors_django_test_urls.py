"""URLconf of the Django adapter tests."""

from __future__ import annotations

import cors_django_test_views as views
from django.urls import path, re_path

from cors_wsgi.django import cors_exempt, cross_origin

urlpatterns = [
    path("api/items/", views.items),
    path("api/stream/", views.stream),
    path("api/explode/", views.explode),
    path("api/forbidden/", views.forbidden),
    path("api/sets-cors-headers/", views.sets_cors_headers),
    path("api/varies-on-cookie/", views.varies_on_cookie),
    path("api/post-only/", views.post_only),
    path("api/private/", views.private),
    path("api/session/", views.session_login),
    path("api/whoami/", views.whoami),
    path("api/partner-feed/", views.partner_feed),
    path("api/partner-explode/", views.partner_explode),
    path("api/partner-private/", views.partner_private),
    path("api/exempt/", views.exempt),
    path("api/partner-item/", views.PartnerItemView.as_view()),
    path("api/exempt-class/", views.ExemptView.as_view()),
    path("api/async-items/", views.async_items),
    path("api/async-explode/", views.async_explode),
    path("api/async-partner/", views.async_partner),
    path("api/async-partner-class/", views.AsyncPartnerView.as_view()),
    path("api/things/", views.ThingsView.as_view()),
    path("api/partner-things/", views.PartnerThingsView.as_view()),
    path("api/denied-things/", views.DeniedThingsView.as_view()),
    path("public/items/", views.items),
    path("other/items/", views.items),
    re_path(r"^v[0-9]+/items/$", views.items),
    # One view in several patterns, decorated in some of them only (V23-style sharing).
    path("shared/exempt/", cors_exempt(views.shared)),
    path("shared/partner/", cross_origin(allow_origins=[views.PARTNER_ORIGIN])(views.shared)),
    path("shared/plain/", views.shared),
    path("shared/exempt-class/", cors_exempt(views.SharedView).as_view()),
    path("shared/plain-class/", views.SharedView.as_view()),
    path("shared/exempt-async/", cors_exempt(views.async_shared)),
    path("shared/plain-async/", views.async_shared),
]
