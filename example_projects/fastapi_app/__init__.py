"""The FastAPI example: the example API's routes as a FastAPI app behind
:class:`cors_wsgi.asgi.CORSMiddleware` (``app.add_middleware``), served by uvicorn."""

from __future__ import annotations

from example_projects.fastapi_app.app import create_app

__all__ = ["create_app"]
