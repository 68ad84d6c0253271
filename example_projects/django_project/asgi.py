"""ASGI entry point of the example project: CorsMiddleware runs async there, with no thread
hop for async views (``uvicorn example_projects.django_project.asgi:application``)."""

from __future__ import annotations

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_projects.django_project.settings")
application = get_asgi_application()
