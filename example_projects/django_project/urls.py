"""Routes of the example API: the contract of example_projects.plain_wsgi.api, plus a Django
REST framework view and a view taken out of CORS."""

from __future__ import annotations

from django.urls import re_path

from example_projects.django_project import views

AREA = r"^(?P<area>api|partner|public|internal)"
TAG = r"(?P<tag>.+)$"

urlpatterns = [
    re_path(rf"{AREA}/items/{TAG}", views.items),
    re_path(rf"{AREA}/session/{TAG}", views.session),
    re_path(rf"{AREA}/whoami/{TAG}", views.whoami),
    re_path(rf"{AREA}/fail/{TAG}", views.fail),
    re_path(rf"{AREA}/crash/{TAG}", views.crash),
    re_path(rf"{AREA}/things/{TAG}", views.ThingsView.as_view()),
    re_path(rf"{AREA}/health/{TAG}", views.health),
]

handler404 = "example_projects.django_project.views.not_found"
