"""cors_wsgi.core.compiled: the tables a policy builds once, read on the request path."""

from __future__ import annotations

from cors_wsgi import Policy

APP = "https://app.example.com"


def test_exact_origins_are_answered_from_tables_built_once() -> None:
    """The same allowed decision (one shared immutable value) for every request from an
    exact origin, for actual requests and for preflights the table can answer (R55)."""
    policy = Policy(allow_origins=[APP], allow_methods=["PUT"], allow_headers=["x-token"])
    assert policy.decide("GET", APP) is policy.decide("GET", APP)
    first = policy.decide("OPTIONS", APP, "PUT", "x-token")
    assert first is policy.decide("OPTIONS", APP, "PUT", "x-token")
    assert first.allowed and first.answer_here


def test_refusals_of_an_origin_are_one_shared_decision() -> None:
    """An origin refusal does not depend on the origin, so a flood of random origins
    costs no allocation (V18)."""
    policy = Policy(allow_origins=[APP])
    assert policy.decide("GET", "https://a.evil") is policy.decide("GET", "https://b.evil")
    refused = policy.decide("OPTIONS", "https://a.evil", "GET")
    assert refused is policy.decide("OPTIONS", "https://b.evil", "PUT")
    assert (refused.allowed, refused.status) == (False, 403)


def test_the_preflight_tail_holds_every_fixed_header_in_order() -> None:
    policy = Policy(
        allow_origins=[APP],
        allow_methods=["PUT"],
        allow_headers=["x-token"],
        allow_credentials=True,
        max_age=600,
    )
    decision = policy.decide("OPTIONS", APP, "PUT", "x-token")
    assert [name for name, _ in decision.headers] == [
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
    ]
