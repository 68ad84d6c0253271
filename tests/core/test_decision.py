"""cors_wsgi.core.decision: a decision applied to ASGI's byte-string header lists."""

from __future__ import annotations

import pytest

from cors_wsgi import Policy
from cors_wsgi.core.decision import decorate_bytes, preflight_response_bytes

POLICY = Policy(allow_origins=["https://app.example.com"], expose_headers=["x-total"])


def test_app_headers_in_any_case_are_replaced_once_and_vary_merged_R18_R30() -> None:
    decision = POLICY.decide("GET", "https://app.example.com")
    headers = [
        (b"Access-Control-Allow-Origin", b"*"),
        (b"Vary", b"Accept"),
        (b"vary", b"Cookie"),
        (b"content-type", b"text/plain"),
    ]
    decorated = decorate_bytes(decision, headers)
    assert decorated == [
        (b"content-type", b"text/plain"),
        (b"access-control-allow-origin", b"https://app.example.com"),
        (b"access-control-expose-headers", b"x-total"),
        (b"vary", b"Accept, Cookie, Origin"),
    ]
    assert headers[0] == (b"Access-Control-Allow-Origin", b"*")  # untouched


def test_app_vary_is_kept_when_the_decision_adds_none_R31() -> None:
    decision = Policy(allow_origins="*").decide("GET", "https://a.example")
    decorated = decorate_bytes(decision, [(b"vary", b"Accept"), (b"access-control-max-age", b"1")])
    assert decorated == [(b"access-control-allow-origin", b"*"), (b"vary", b"Accept")]


def test_preflight_answers_are_fresh_lists_R55() -> None:
    decision = POLICY.decide("OPTIONS", "https://app.example.com", "GET")
    status, first = preflight_response_bytes(decision)
    first.append((b"x-server", b"added"))
    assert status == 204
    assert (b"x-server", b"added") not in preflight_response_bytes(decision)[1]
    assert all(name == name.lower() for name, _ in first)


def test_decisions_built_per_request_are_encoded_each_with_its_own_origin_R55() -> None:
    """Pattern matches make a new decision per request; freed ones give their ids to the
    next. The encoded lines are found by id, so each must still carry its own origin."""
    from cors_wsgi import Decision
    from cors_wsgi.core import decision as module

    policy = Policy(allow_origins=["https://*.example.com"], allow_credentials=True)
    kept = len(module._actual_lines.kept), len(module._preflight_lines.kept)
    for serial in range(300):
        origin = f"https://t{serial}.example.com"
        actual = decorate_bytes(policy.decide("GET", origin), [])
        assert (b"access-control-allow-origin", origin.encode()) in actual
        status, answer = preflight_response_bytes(policy.decide("OPTIONS", origin, "GET"))
        assert status == 204
        assert (b"access-control-allow-origin", origin.encode()) in answer
    # None of them is kept: they would hold memory for nothing.
    assert (len(module._actual_lines.kept), len(module._preflight_lines.kept)) == kept
    decision = policy.decide("GET", "https://t1.example.com")
    assert isinstance(decision, Decision)
    assert repr(decision).startswith("Decision(preflight=False, answer_here=False, allowed=True")


def test_the_encoding_tables_stay_bounded_and_right_when_full(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from cors_wsgi.core import decision as module

    monkeypatch.setattr(module, "_MAX_CACHED", 8)
    policy = Policy(allow_origins=[f"https://app{n}.example" for n in range(40)])
    for round_ in range(3):
        for n in range(40):
            origin = f"https://app{n}.example"
            actual = decorate_bytes(policy.decide("GET", origin), [(b"vary", b"Accept")])
            assert (b"access-control-allow-origin", origin.encode()) in actual, round_
            assert (b"vary", b"Accept, Origin") in actual
            _, answer = preflight_response_bytes(policy.decide("OPTIONS", origin, "GET"))
            assert (b"access-control-allow-origin", origin.encode()) in answer
        for table in (module._actual_lines, module._preflight_lines):
            assert len(table.kept) <= 8
            assert len(table.lines) <= 8
        assert len(module._lines) <= 8


def test_decorate_mapping_replaces_every_copy_and_merges_every_vary_line_R18_R30() -> None:
    """Werkzeug keeps several lines per name: every copy of a CORS header the app set goes,
    and all its Vary lines merge with ours into one."""
    from werkzeug.datastructures import Headers

    from cors_wsgi import Policy
    from cors_wsgi.core.decision import decorate_mapping

    decision = Policy(allow_origins=["https://app.example.com"]).decide(
        "GET", "https://app.example.com"
    )
    headers = Headers(
        [
            ("Access-Control-Allow-Origin", "*"),
            ("access-control-allow-origin", "https://other.example"),
            ("Vary", "Cookie"),
            ("vary", "Accept-Encoding"),
            ("Content-Type", "text/plain"),
        ]
    )
    decorate_mapping(decision, headers, headers.getlist)
    assert headers.getlist("Access-Control-Allow-Origin") == ["https://app.example.com"]
    assert headers.getlist("Vary") == ["Cookie, Accept-Encoding, Origin"]
    assert headers.get("Content-Type") == "text/plain"


def test_decorate_mapping_agrees_with_the_pair_list_decoration() -> None:
    from werkzeug.datastructures import Headers

    from cors_wsgi import Policy
    from cors_wsgi.core.decision import decorate_mapping

    policy = Policy(allow_origins=["https://app.example.com"], expose_headers=["x-total"])
    decision = policy.decide("GET", "https://app.example.com")
    app_headers = [("Content-Type", "text/plain"), ("Access-Control-Max-Age", "5")]
    headers = Headers(app_headers)
    decorate_mapping(decision, headers, headers.getlist)
    assert sorted(headers.items()) == sorted(decision.decorate(app_headers))
