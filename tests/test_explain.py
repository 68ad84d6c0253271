"""explain(): the allow-list entry that matched or the nearest that did not, and the verdict."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cors_wsgi import CORSMiddleware, PathPolicies, Policy, explain

POLICY = Policy(
    allow_origins=["https://app.example.com", "http://localhost:3000", "https://*.example.org"],
    allow_origin_regex=[r"https://pr-[0-9]+\.preview\.example\.net"],
    allow_methods=["GET", "PUT"],
    allow_headers=["content-type"],
    allow_credentials=True,
    expose_headers=["x-total-count"],
)


def app(environ: Any, start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b""]


@pytest.mark.parametrize(
    ("origin", "expected"),
    [
        ("https://app.example.com", "is listed in allow_origins"),
        ("https://shop.example.org", "matches the allow_origins entry 'https://*.example.org'"),
        ("https://pr-7.preview.example.net", "matches allow_origin_regex"),
        ("https://app.example.com/", "trailing slash"),
        ("http://app.example.com", "http is not https"),
        ("http://localhost:3001", "port 3001 is not allowed"),
        ("https://app.example.com:8443", "port 8443 is not allowed"),
        ("https://example.org", "covers the subdomains of example.org only"),
        ("https://App.example.com", "lowercase"),
        ("null", "never trusted"),
        ("https://app.example.co", "the nearest entry, 'https://app.example.com'"),
        ("https://zzz.invalid", "no entry is close"),
    ],
)
def test_origin_step_names_the_entry_or_the_difference(origin: str, expected: str) -> None:
    explanation = explain(POLICY, origin=origin)
    assert expected in explanation.steps[0]


CITATION = re.compile(r"\b[RV]\d+\b|§")  # a rule of SPEC.md: for tests, never printed


@pytest.mark.parametrize(
    "request_options",
    [
        {"origin": "https://app.example.com", "method": "PUT", "request_headers": ["X-Token"]},
        {"origin": "null"},
        {"origin": "http://app.example.com", "credentials": True},
        {"origin": "https://example.org", "method": "DELETE"},
        {"origin": "https://app.example.com", "request_headers": ["Authorization: Bearer x"]},
        {"origin": "https://app.example.com/"},
    ],
    ids=["header", "null", "scheme", "method", "authorization", "trailing-slash"],
)
def test_no_printed_explanation_cites_a_rule(request_options: dict[str, Any]) -> None:
    explanation = explain(POLICY, **request_options)
    assert not CITATION.search(str(explanation)), str(explanation)


def test_allowed_preflighted_credentialed_request() -> None:
    explanation = explain(
        POLICY,
        origin="https://app.example.com",
        method="PUT",
        request_headers=["Content-Type: application/json"],
        credentials=True,
    )
    assert explanation.allowed
    assert explanation.preflight_headers is not None
    assert ("Access-Control-Allow-Methods", "GET, PUT") in explanation.preflight_headers
    assert ("Access-Control-Allow-Origin", "https://app.example.com") in explanation.headers
    assert str(explanation).startswith("ALLOWED\n  1. ")
    assert ("Access-Control-Expose-Headers", "x-total-count") in explanation.headers  # R32
    assert explanation.verdict is not None
    assert "content-type" in explanation.verdict.readable_headers


def test_refused_header_is_named() -> None:
    explanation = explain(POLICY, origin="https://app.example.com", request_headers=["X-Token"])
    assert not explanation.allowed
    assert any("'x-token' is not in allow_headers" in step for step in explanation.steps)
    assert any("blocked by CORS policy" in step for step in explanation.steps)


def test_credentials_without_allow_credentials_are_blocked() -> None:
    explanation = explain(Policy(allow_origins="*"), origin="https://a.example", credentials=True)
    assert not explanation.allowed
    assert "any origin" in explanation.steps[0]


def test_request_headers_as_mapping_and_names() -> None:
    by_name = explain(POLICY, origin="https://app.example.com", request_headers=["content-type"])
    by_map = explain(
        POLICY,
        origin="https://app.example.com",
        request_headers={"Content-Type": "application/json"},
    )
    assert by_name.allowed and by_map.allowed


def test_middleware_with_paths() -> None:
    middleware = CORSMiddleware(app, paths={"/api/": POLICY})
    inside = explain(middleware, origin="https://app.example.com", path="/api/x")
    assert inside.allowed and "the policy for '/api/x' applies" in inside.steps[0]
    outside = explain(middleware, origin="https://app.example.com", path="/other")
    assert not outside.allowed and outside.verdict is None
    assert "no entry of paths= matches '/other'" in outside.steps[0]
    assert explain(PathPolicies({"/": POLICY}), origin="https://app.example.com").allowed


def test_passthrough_preflight_is_explained() -> None:
    policy = Policy(
        allow_origins=["https://app.example.com"],
        allow_methods=["PUT"],
        preflight_passthrough=True,
    )
    explanation = explain(policy, origin="https://app.example.com", method="PUT")
    assert explanation.allowed
    assert any("preflight_passthrough is on" in step for step in explanation.steps)


def test_empty_allow_list_and_callable() -> None:
    only_func = Policy(allow_origin_func=lambda origin: origin == "https://t.example")
    assert "allow_origin_func allows" in explain(only_func, origin="https://t.example").steps[0]
    assert "allow_origins is empty" in explain(only_func, origin="https://u.example").steps[0]
    regex_only = Policy(allow_origin_regex=re.compile(r"https://a\.example"))
    assert "or allow_origin_regex" in explain(regex_only, origin="https://b.example").steps[0]


def test_a_string_not_shaped_like_an_origin() -> None:
    assert "not an origin a browser sends" in explain(POLICY, origin="app.example.com").steps[0]


def test_the_literal_text_of_a_wildcard_entry_is_not_listed() -> None:
    # "https://*.example.org" is an entry's text, not an origin it lets in; explain asks
    # the policy, so its first step agrees with the decision.
    explanation = explain(POLICY, origin="https://*.example.org")
    assert not explanation.allowed
    assert "is listed" not in explanation.steps[0]
    assert "is not allowed" in explanation.steps[0]


def test_origin_step_agrees_with_the_decision_for_every_kind_of_entry() -> None:
    for origin in (
        "https://app.example.com",
        "https://a.b.example.org",
        "https://pr-1.preview.example.net",
        "https://*.example.org",
        "https://example.org",
    ):
        listed = "is not allowed" not in explain(POLICY, origin=origin).steps[0]
        assert listed is POLICY.decide("GET", origin).allowed, origin


def test_explain_names_the_allow_origin_func() -> None:
    def tenants(origin: str) -> bool:
        return origin == "https://t1.example.net"

    policy = Policy(allow_origin_func=tenants)
    assert explain(policy, origin="https://t1.example.net").steps[0] == (
        "allow_origin_func allows 'https://t1.example.net'"
    )


def test_a_bare_header_name_is_never_given_a_made_up_value() -> None:
    # "Accept" with an unknown value: 0.1.0 gave it the value "x", which is safelisted, and
    # said allowed without a preflight; the browser lists accept when its value is unsafe.
    explanation = explain(POLICY, origin="https://app.example.com", request_headers=["Accept"])
    assert explanation.preflight_headers is not None
    assert not explanation.allowed
    assert any("accept" in step for step in explanation.steps)
    with_value = explain(
        POLICY, origin="https://app.example.com", request_headers=["Accept: application/json"]
    )
    assert with_value.allowed and with_value.preflight_headers is None


def test_authorization_under_wildcard_says_today_s_browsers_are_more_lenient() -> None:
    """R22, V23: cors_wsgi refuses it; a user whose stock browser lets it through with
    another library learns why, and what to write."""
    policy = Policy(allow_origins=["https://app.example.com"], allow_headers="*")
    explanation = explain(
        policy, origin="https://app.example.com", request_headers=["Authorization: Bearer a"]
    )
    assert not explanation.allowed
    text = str(explanation)
    assert "today's Chromium and Firefox are more lenient than the Fetch standard" in text
    assert "cors_wsgi follows the standard" in text


def test_authorization_listed_by_name_gets_no_leniency_note() -> None:
    policy = Policy(
        allow_origins=["https://app.example.com"], allow_headers=["*", "authorization"]
    )
    explanation = explain(
        policy, origin="https://app.example.com", request_headers=["Authorization: Bearer a"]
    )
    assert explanation.allowed
    assert "more lenient" not in str(explanation)
