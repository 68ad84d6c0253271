"""cors_wsgi.core.decision: a decision applied to ASGI's byte-string header lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from cors_wsgi import Decision, Policy
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
    kept = len(module._actual_lines), len(module._preflight_lines)
    for serial in range(300):
        origin = f"https://t{serial}.example.com"
        actual = decorate_bytes(policy.decide("GET", origin), [])
        assert (b"access-control-allow-origin", origin.encode()) in actual
        status, answer = preflight_response_bytes(policy.decide("OPTIONS", origin, "GET"))
        assert status == 204
        assert (b"access-control-allow-origin", origin.encode()) in answer
    # None of them is kept: they would hold memory for nothing.
    assert (len(module._actual_lines), len(module._preflight_lines)) == kept
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
            assert len(table) <= 8
        assert len(module._lines) <= 8


def _shared_decision(origin: str) -> Decision:
    from cors_wsgi.core.decision import make_decision

    lines = (("Access-Control-Allow-Origin", origin),)
    return make_decision(False, False, True, None, lines, ("Origin",), "test")


def _assert_each_new_decision_gets_its_own_lines_until_one_takes(freed: int) -> None:
    for serial in range(20_000):
        origin = f"https://victim{serial}.example"
        candidate = _shared_decision(origin)
        assert decorate_bytes(candidate, []) == [
            (b"access-control-allow-origin", origin.encode()),
            (b"vary", b"Origin"),
        ]
        if id(candidate) == freed:
            break


def test_a_freed_decisions_id_never_brings_back_its_lines_R55() -> None:
    """CPython gives a freed object's id to the next one of its size: the lines encoded for
    a decision that is gone must never go out for the one that took its id."""
    gone = [_shared_decision("https://gone.example")]
    decorate_bytes(gone[0], [])
    freed = id(gone[0])
    gone.clear()
    _assert_each_new_decision_gets_its_own_lines_until_one_takes(freed)


def test_a_decision_encoded_while_another_thread_clears_the_table_is_never_paired_with_another_R55(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Replays, in one thread, a thread switch inside the clearing of a full table: the
    decision encoded meanwhile must not leave lines that a later decision, given its id
    once it is freed, would be sent (another origin's headers)."""
    from cors_wsgi.core import decision as module

    class PreemptedTable(dict[int, Any]):
        meanwhile: Callable[[], object] = staticmethod(lambda: None)

        def clear(self) -> None:
            run, PreemptedTable.meanwhile = PreemptedTable.meanwhile, staticmethod(lambda: None)
            run()  # the other thread runs here
            super().clear()

    monkeypatch.setattr(module, "_MAX_CACHED", 1)
    monkeypatch.setattr(module, "_actual_lines", PreemptedTable())
    decorate_bytes(_shared_decision("https://first.example"), [])  # the table is full
    other = [_shared_decision("https://other.example")]
    PreemptedTable.meanwhile = staticmethod(lambda: decorate_bytes(other[0], []))
    decorate_bytes(_shared_decision("https://clearing.example"), [])
    freed = id(other[0])
    other.clear()
    _assert_each_new_decision_gets_its_own_lines_until_one_takes(freed)


def test_decorate_bytes_agrees_with_decorate_when_the_app_sets_vary_R18_R30() -> None:
    """Also for a decision a user changed with _replace (its headers, not its lines)."""
    policy = Policy(allow_origins=["https://a.example"], allow_credentials=True)
    shared = policy.decide("GET", "https://a.example")
    changed = shared._replace(headers=(("Access-Control-Allow-Origin", "https://z.example"),))
    for decision in (shared, changed):
        as_text = decision.decorate([("Vary", "Accept"), ("Content-Type", "text/plain")])
        as_bytes = decorate_bytes(
            decision, [(b"vary", b"Accept"), (b"content-type", b"text/plain")]
        )
        assert as_bytes == [(n.lower().encode(), v.encode()) for n, v in as_text]


def test_a_per_request_decision_pickles_and_copies_as_a_plain_decision() -> None:
    import copy
    import pickle

    decision = Policy(allow_origins=["https://*.example.com"]).decide(
        "GET", "https://a.example.com"
    )
    for twin in (
        pickle.loads(pickle.dumps(decision)),
        copy.copy(decision),
        copy.deepcopy(decision),
    ):
        assert type(twin) is Decision
        assert twin == decision


def test_echoed_request_headers_are_not_kept_in_the_table_of_lines_V18() -> None:
    """A preflight's header list is echoed back (allow_headers='*' with credentials): a
    flood of long, distinct lists must not fill memory with their encodings."""
    from cors_wsgi.core import decision as module

    policy = Policy(
        allow_origins=["https://a.example"],
        allow_methods=["PUT"],
        allow_headers="*",
        allow_credentials=True,
    )
    for serial in range(200):
        names = ",".join(f"x-header-{serial}-number-{n}" for n in range(16))  # 400 characters
        _, answer = preflight_response_bytes(
            policy.decide("OPTIONS", "https://a.example", "PUT", names)
        )
        assert (b"access-control-allow-headers", names.encode()) in answer
        assert all(len(value) <= module._MAX_CACHED_VALUE for _, value in module._lines)


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
