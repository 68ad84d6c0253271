"""Run in a subprocess by test_django_example_project.py: serve the example Django project
through create_app() and print, as JSON, what a browser-like client got from it.

A separate process, because Django holds one set of settings per process and the tests
around this one run with their own.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.test import Client

from example_projects.django_project import create_app

PAGE = "http://127.0.0.1:8001"
OTHER = "https://elsewhere.example"
JSON = "application/json"
TEXT = "text/plain"


def summary(response: Any) -> dict[str, Any]:
    cors = {name: value for name, value in response.items() if name.startswith("Access-Control")}
    return {"status": response.status_code, "cors": cors, "vary": response.get("Vary")}


def main() -> None:
    create_app(PAGE)
    client = Client(raise_request_exception=False)
    preflight = {"Origin": PAGE, "Access-Control-Request-Method": "PUT"}
    results: dict[str, Any] = {
        "preflight": summary(
            client.options(
                "/api/items/t1",
                headers={**preflight, "Access-Control-Request-Headers": "content-type"},
            )
        ),
        "preflight_other_origin": summary(
            client.options("/api/items/t1", headers={**preflight, "Origin": OTHER})
        ),
        "put_json": summary(
            client.put("/api/items/t1", b'{"a": 1}', content_type=JSON, headers={"Origin": PAGE})
        ),
        "public_any_origin": summary(client.get("/public/items/t2", headers={"Origin": OTHER})),
        "partner": summary(client.get("/partner/items/t9", headers={"Origin": PAGE})),
        "internal": summary(client.get("/internal/items/t3", headers={"Origin": PAGE})),
        "drf_preflight": summary(client.options("/api/things/t4", headers=preflight)),
        "crash": summary(client.get("/api/crash/t5", headers={"Origin": PAGE})),
        "not_found": summary(client.get("/api/nowhere", headers={"Origin": PAGE})),
        "health_exempt": summary(client.get("/api/health/t6", headers={"Origin": PAGE})),
    }
    login = client.post("/api/session/t7", b"ada", content_type=TEXT, headers={"Origin": PAGE})
    who = client.get("/api/whoami/t7", headers={"Origin": PAGE})
    drf_put = client.put(
        "/api/things/t8", b'{"n": 2}', content_type=JSON, headers={"Origin": PAGE}
    )
    results["login"] = {**summary(login), "cookie": sorted(login.cookies)}
    results["whoami"] = {**summary(who), "json": who.json()}
    results["drf_put"] = {**summary(drf_put), "json": drf_put.json()}
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
