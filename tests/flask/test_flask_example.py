"""The Flask example project (example_projects/flask_app) through Flask's test client.

The browser suite (tests/browser) runs the same contract in Chromium; these tests pin the
HTTP exchanges a browser would make, one by one.
"""

from __future__ import annotations

import pytest
from cors_flask_testing import acao_lines, vary_names
from flask import Flask
from flask.testing import FlaskClient

from example_projects.flask_app import create_app

PAGE = "http://127.0.0.1:8001"
STRANGER = "http://127.0.0.1:8003"


@pytest.fixture
def app() -> Flask:
    return create_app(PAGE)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def test_json_put_preflight_is_answered_then_the_put_goes_through(client: FlaskClient) -> None:
    preflight = client.options(
        "/api/items/t1",
        headers={
            "Origin": PAGE,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type,x-demo-token",
        },
    )
    assert preflight.status_code == 204
    assert acao_lines(preflight) == [PAGE]
    assert preflight.headers["Access-Control-Allow-Credentials"] == "true"
    assert "PUT" in preflight.headers["Access-Control-Allow-Methods"]
    assert preflight.headers["Access-Control-Max-Age"] == "600"

    put = client.put(
        "/api/items/t1", json={"name": "delta"}, headers={"Origin": PAGE, "X-Demo-Token": "7"}
    )
    assert put.status_code == 200
    assert put.json is not None
    assert put.json["method"] == "PUT"
    assert put.json["headers"] == {"x-demo-token": "7"}
    assert acao_lines(put) == [PAGE]


def test_login_then_credentialed_whoami(client: FlaskClient) -> None:
    login = client.post("/api/session/t2", data="ada", headers={"Origin": PAGE})
    assert login.json == {"user": "ada"}
    assert acao_lines(login) == [PAGE]
    assert login.headers["Access-Control-Allow-Credentials"] == "true"
    assert "session=" in login.headers["Set-Cookie"]
    assert "HttpOnly" in login.headers["Set-Cookie"]
    assert sorted(vary_names(login)) == ["Cookie", "Origin"]

    whoami = client.get("/api/whoami/t2", headers={"Origin": PAGE})
    assert whoami.json == {"user": "ada"}
    assert whoami.headers["Access-Control-Allow-Credentials"] == "true"


def test_get_exposes_total_count_only(client: FlaskClient) -> None:
    response = client.get("/api/items/t3", headers={"Origin": PAGE})
    assert response.json == {"items": ["alpha", "beta", "gamma"]}
    assert response.headers["Access-Control-Expose-Headers"] == "x-total-count"


def test_partner_area_allows_the_page_without_credentials(client: FlaskClient) -> None:
    response = client.get("/partner/items/t4", headers={"Origin": PAGE})
    assert acao_lines(response) == [PAGE]
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_public_area_allows_any_origin(client: FlaskClient) -> None:
    response = client.get("/public/items/t5", headers={"Origin": STRANGER})
    assert acao_lines(response) == ["*"]
    assert vary_names(response) == []


def test_stranger_is_refused_on_the_api(client: FlaskClient) -> None:
    response = client.get("/api/items/t6", headers={"Origin": STRANGER})
    assert acao_lines(response) == []
    assert vary_names(response) == ["Origin"]
    preflight = client.options(
        "/api/items/t6", headers={"Origin": STRANGER, "Access-Control-Request-Method": "PUT"}
    )
    assert preflight.status_code == 403


def test_internal_area_has_no_cors(client: FlaskClient) -> None:
    response = client.get("/internal/items/t7", headers={"Origin": PAGE})
    assert response.status_code == 200
    assert acao_lines(response) == []
    preflight = client.options(
        "/internal/items/t7", headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT"}
    )
    assert acao_lines(preflight) == []


@pytest.mark.parametrize(
    ("path", "status"),
    [("/api/fail/t8", 500), ("/api/crash/t8", 500), ("/api/nowhere/t8", 404)],
)
def test_errors_are_readable_by_the_page(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path, headers={"Origin": PAGE})
    assert response.status_code == status
    assert response.json is not None
    assert "error" in response.json
    assert acao_lines(response) == [PAGE]


def test_preflight_to_an_unrouted_api_url_is_answered(client: FlaskClient) -> None:
    response = client.options(
        "/api/nowhere/t9", headers={"Origin": PAGE, "Access-Control-Request-Method": "PUT"}
    )
    assert response.status_code == 204
