"""The example API's route contract (see :mod:`example_projects.plain_wsgi.api`) in FastAPI.

CORS comes from ``app.add_middleware(CORSMiddleware, paths=...)`` with the plain example's
policies, plus ``check_websocket_origin=True``; the app adds one route of its own:

- ``/AREA/socket/TAG`` (WebSocket): accepts, sends ``hello <cookie user>``, and closes.
  Only pages on origins the area's policy allows may open it.

``/AREA/crash/TAG`` raises: under ``add_middleware`` cors_wsgi answers it with a 500 that
carries the CORS headers (see the README, "When the application raises").
"""

from __future__ import annotations

from fastapi import FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse

from cors_wsgi.asgi import CORSMiddleware
from example_projects.plain_wsgi.api import AREAS, SESSION_COOKIE, policies_for

__all__ = ["create_app"]

_ITEMS = ["alpha", "beta", "gamma"]
_MAX_USER_NAME = 40


def _user_name(text: str) -> str:
    # Only a short token goes into Set-Cookie, so no text can smuggle cookie attributes in.
    name = text.strip()
    if name and len(name) <= _MAX_USER_NAME and all(c.isalnum() or c in "-_." for c in name):
        return name
    return "demo-user"


def create_app(page_origin: str) -> FastAPI:
    """The example API behind cors_wsgi's ASGI middleware, for a page on ``page_origin``."""
    app = FastAPI(openapi_url=None)

    @app.api_route(
        "/{area}/{route}/{tag}", methods=["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]
    )
    async def api(area: str, route: str, tag: str, request: Request) -> JSONResponse:
        method = request.method
        user = request.cookies.get(SESSION_COOKIE)
        if area not in AREAS:
            route = ""
        if route == "items" and method == "GET":
            headers = {"X-Total-Count": str(len(_ITEMS)), "X-Request-Id": "demo-request"}
            return JSONResponse({"items": _ITEMS}, headers=headers)
        if route == "items":
            body = (await request.body())[: 64 * 1024].decode("utf-8", "replace")
            seen = {
                name: value
                for name, value in request.headers.items()
                if name.startswith("x-") or name == "authorization"
            }
            return JSONResponse(
                {
                    "method": method,
                    "contentType": request.headers.get("content-type"),
                    "body": body,
                    "user": user,
                    "headers": seen,
                }
            )
        if route == "session" and method == "POST":
            name = _user_name((await request.body()).decode("utf-8", "replace"))
            response = JSONResponse({"user": name})
            response.set_cookie(SESSION_COOKIE, name, path="/", httponly=True, samesite="lax")
            return response
        if route == "whoami":
            return JSONResponse({"user": user})
        if route == "fail":
            return JSONResponse({"error": "the example API failed on purpose"}, status_code=500)
        if route == "crash":
            raise RuntimeError("the example API crashed on purpose")
        return JSONResponse({"error": f"no route for {method} {request.url.path}"}, 404)

    @app.websocket("/{area}/socket/{tag}")
    async def socket(websocket: WebSocket, area: str, tag: str) -> None:
        await websocket.accept()
        await websocket.send_text(f"hello {websocket.cookies.get(SESSION_COOKIE)}")
        await websocket.close()

    app.add_middleware(
        CORSMiddleware, paths=dict(policies_for(page_origin)), check_websocket_origin=True
    )
    return app
