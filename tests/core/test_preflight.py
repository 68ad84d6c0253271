"""cors_wsgi.core.preflight: the checks of a preflight, in order, each named by its refusal."""

from __future__ import annotations

from cors_wsgi import Policy

APP = "https://app.example.com"
POLICY = Policy(
    allow_origins=["https://*.example.com"], allow_methods=["PUT"], allow_headers=["x-token"]
)


def test_the_origin_is_checked_first() -> None:
    refused = POLICY.decide("OPTIONS", "https://evil.test", "DELETE", "x-other")
    assert "origin" in refused.reason


def test_the_method_is_checked_before_the_headers_R20() -> None:
    refused = POLICY.decide("OPTIONS", APP, "DELETE", "x-other")
    assert "method 'DELETE'" in refused.reason


def test_the_request_headers_are_checked_last_R21() -> None:
    refused = POLICY.decide("OPTIONS", APP, "PUT", "x-other")
    assert "request header 'x-other'" in refused.reason
    allowed = POLICY.decide("OPTIONS", APP, "PUT", "x-token")
    assert allowed.allowed
    assert ("Access-Control-Allow-Origin", APP) in allowed.headers


def test_private_network_access_is_answered_only_when_allowed_R51() -> None:
    allowing = Policy(allow_origins=[APP], allow_private_network=True)
    asked = allowing.decide("OPTIONS", APP, "GET", None, "true")
    assert ("Access-Control-Allow-Private-Network", "true") in asked.headers
    not_asked = POLICY.decide("OPTIONS", APP, "PUT", None, "true")
    assert all(name != "Access-Control-Allow-Private-Network" for name, _ in not_asked.headers)
