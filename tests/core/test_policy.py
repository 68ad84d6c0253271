"""The policy: configuration refused with fixes (R43-R49), and decisions per request (R1-R35)."""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi import ConfigError, Policy
from cors_wsgi.core.errors import Code
from cors_wsgi.core.policy import is_preflight
from cors_wsgi.core.vocabulary import Vocabulary

ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
ACMA = "Access-Control-Max-Age"
ACAPN = "Access-Control-Allow-Private-Network"
APP = "https://app.example.com"


def codes(**options: Any) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        Policy(**options)
    return [problem.code for problem in caught.value.errors]


# ---- configuration that must be refused ------------------------------------------------

REFUSED_CONFIGS: list[tuple[str, dict[str, Any], str]] = [
    (
        "R43 '*' list with credentials (FastAPI snippet)",
        {"allow_origins": ["*"], "allow_credentials": True},
        Code.ANY_ORIGIN_WITH_CREDENTIALS,
    ),
    (
        "R43 '*' with credentials",
        {"allow_origins": "*", "allow_credentials": True},
        Code.ANY_ORIGIN_WITH_CREDENTIALS,
    ),
    (
        "V10 http origin with credentials",
        {"allow_origins": ["http://app.example.com"], "allow_credentials": True},
        Code.INSECURE_ORIGIN_WITH_CREDENTIALS,
    ),
    (
        "V10 http wildcard with credentials",
        {"allow_origins": ["http://*.example.com"], "allow_credentials": True},
        Code.INSECURE_ORIGIN_WITH_CREDENTIALS,
    ),
    (
        "V11 public suffix with credentials",
        {"allow_origins": ["https://*.github.io"], "allow_credentials": True},
        Code.WILDCARD_OVER_PUBLIC_SUFFIX,
    ),
    ("R11 CONNECT", {"allow_methods": ["CONNECT"]}, Code.FORBIDDEN_METHOD),
    ("R11 trace in lowercase", {"allow_methods": ["trace"]}, Code.FORBIDDEN_METHOD),
    ("R11 TRACK", {"allow_methods": ["TRACK"]}, Code.FORBIDDEN_METHOD),
    ("R48 method token", {"allow_methods": ["GET POST"]}, Code.BAD_METHOD),
    ("R48 method not a str", {"allow_methods": [1]}, Code.BAD_METHOD),
    ("R14 cookie", {"allow_headers": ["Cookie"]}, Code.FORBIDDEN_REQUEST_HEADER),
    ("R14 sec- prefix", {"allow_headers": ["sec-fetch-mode"]}, Code.FORBIDDEN_REQUEST_HEADER),
    (
        "R14 proxy- prefix",
        {"allow_headers": ["proxy-authorization"]},
        Code.FORBIDDEN_REQUEST_HEADER,
    ),
    ("R48 header token", {"allow_headers": ["x-a;x-b"]}, Code.BAD_HEADER_NAME),
    (
        "R48 response header as request header",
        {"allow_headers": ["access-control-allow-origin"]},
        Code.HEADER_IN_WRONG_LIST,
    ),
    (
        "R44 expose '*' with credentials",
        {"allow_origins": [APP], "expose_headers": "*", "allow_credentials": True},
        Code.EXPOSE_ALL_WITH_CREDENTIALS,
    ),
    ("R32 set-cookie exposed", {"expose_headers": ["Set-Cookie"]}, Code.HEADER_IN_WRONG_LIST),
    ("R48 request header exposed", {"expose_headers": ["origin"]}, Code.HEADER_IN_WRONG_LIST),
    ("R48 expose token", {"expose_headers": ["x total"]}, Code.BAD_HEADER_NAME),
    ("R24 negative max_age", {"max_age": -1}, Code.MAX_AGE_OUT_OF_RANGE),
    ("R24 absurd max_age", {"max_age": 10**9}, Code.MAX_AGE_OUT_OF_RANGE),
    ("R24 max_age not an int", {"max_age": "600"}, Code.MAX_AGE_OUT_OF_RANGE),
    ("R24 max_age bool", {"max_age": True}, Code.MAX_AGE_OUT_OF_RANGE),
    ("regex does not compile", {"allow_origin_regex": "https://(unclosed"}, Code.BAD_REGEX),
    (
        "V1 regex matching anything",
        {"allow_origin_regex": ".*", "allow_credentials": True},
        Code.REGEX_MATCHES_ANY_ORIGIN,
    ),
    (
        "V3 regex matching null",
        {"allow_origin_regex": r"null|https://a\.example\.com"},
        Code.REGEX_MATCHES_ANY_ORIGIN,
    ),
    ("regex of bytes", {"allow_origin_regex": re.compile(rb"x")}, Code.BAD_REGEX),
    ("regex neither str nor pattern", {"allow_origin_regex": [3]}, Code.WRONG_TYPE),
    ("R15 preflight status", {"preflight_status": 201}, Code.BAD_PREFLIGHT_STATUS),
    ("credentials not a bool", {"allow_credentials": "yes"}, Code.WRONG_TYPE),
    ("origins a dict", {"allow_origins": {"https://a.example": 1}}, Code.WRONG_TYPE),
    ("origins a number", {"allow_origins": 3}, Code.WRONG_TYPE),
    ("origin func not callable", {"allow_origin_func": "tenants"}, Code.WRONG_TYPE),
    ("origin func ttl negative", {"allow_origin_func_ttl": -1}, Code.WRONG_TYPE),
]


@pytest.mark.parametrize(
    ("options", "code"),
    [(o, c) for _, o, c in REFUSED_CONFIGS],
    ids=[i for i, _, _ in REFUSED_CONFIGS],
)
def test_refused_configuration(options: dict[str, Any], code: str) -> None:
    assert code in codes(**options)


def test_every_problem_is_reported_at_once_with_a_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(
            allow_origins=["*"],
            allow_credentials=True,
            allow_methods=["TRACE"],
            allow_headers=["cookie"],
            max_age=-5,
        )
    error = caught.value
    assert isinstance(error, ValueError)
    assert [p.code for p in error.errors] == ["E012", "E016", "E018", "E021"]
    assert "list the origins" in error.errors[0].message
    assert "E012" in str(error) and "4 problems" in str(error)
    assert error.errors[1].option == "allow_methods" and error.errors[1].value == "TRACE"


def test_wildcard_credentials_message_says_to_list_origins() -> None:
    with pytest.raises(ConfigError, match=r"list the origins that may send credentials"):
        Policy(allow_origins=["*"], allow_credentials=True)


def test_loopback_http_origins_may_send_credentials() -> None:
    policy = Policy(
        allow_origins=[
            "http://localhost:3000",
            "http://127.0.0.1:8000",
            "http://[::1]:5000",
            "http://*.localhost",
        ],
        allow_credentials=True,
    )
    assert policy.decide("GET", "http://127.0.0.1:8000").allowed


def test_v11_public_suffix_wildcard_is_refused_even_without_credentials() -> None:
    # Anonymous or not, "*.github.io" trusts every stranger's site: say so at start-up.
    assert Code.WILDCARD_OVER_PUBLIC_SUFFIX in codes(allow_origins=["https://*.github.io"])
    assert Code.WILDCARD_OVER_PUBLIC_SUFFIX in codes(allow_origins=["https://*.com"])
    Policy(allow_origins=["https://*.pages.example.com"])


def test_from_mapping_reports_unknown_keys_with_a_suggestion() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy.from_mapping({"allow_origin": [APP], "max_age": -1})
    problems = caught.value.errors
    assert problems[0].code == Code.UNKNOWN_OPTION
    assert "allow_origins" in problems[0].message
    assert Code.MAX_AGE_OUT_OF_RANGE in [p.code for p in problems]


def test_from_mapping_accepts_a_policy_and_refuses_other_things() -> None:
    policy = Policy(allow_origins=[APP])
    assert Policy.from_mapping(policy) is policy
    assert Policy.from_mapping({"allow_origins": [APP]}).allow_origins == (APP,)
    with pytest.raises(ConfigError):
        Policy.from_mapping(["allow_origins"])  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="unknown option"):
        Policy.from_mapping({"zzz": 1})


def test_policy_is_immutable_and_readable() -> None:
    policy = Policy(allow_origins=[APP], allow_methods=["put", "patch"], allow_headers=["X-Token"])
    with pytest.raises(AttributeError):
        policy.allow_credentials = True
    assert policy.allow_methods == ("PUT", "patch")  # R10: only the six are normalized
    assert policy.allow_headers == ("x-token",)
    assert "allow_origins=('https://app.example.com',)" in repr(policy)


# ---- decisions ---------------------------------------------------------------------------

CREDENTIALED = Policy(
    allow_origins=[APP, "https://*.example.org"],
    allow_methods=["GET", "PUT", "DELETE", "PATCH"],
    allow_headers=["content-type", "authorization", "x-token"],
    allow_credentials=True,
    expose_headers=["X-Total-Count"],
    max_age=600,
)
ANONYMOUS_ANY = Policy(
    allow_origins="*", allow_methods="*", allow_headers="*", expose_headers=["x-a"]
)


def headers_of(policy: Policy, *args: Any) -> dict[str, str]:
    return dict(policy.decide(*args).headers)


def test_r1_no_origin_is_not_cors_but_varies() -> None:
    decision = CREDENTIALED.decide("GET", None)
    assert decision.allowed and not decision.preflight and decision.headers == ()
    assert decision.vary == ("Origin",)  # R30


def test_r31_any_origin_sends_star_everywhere_and_does_not_vary() -> None:
    for origin in (None, APP, "null", "garbage"):
        decision = ANONYMOUS_ANY.decide("GET", origin)
        assert dict(decision.headers)[ACAO] == "*"
        assert decision.vary == ()
    assert headers_of(ANONYMOUS_ANY, "GET", APP)[ACEH] == "x-a"  # R33


def test_r2_preflight_needs_options_origin_and_acrm() -> None:
    assert CREDENTIALED.decide("OPTIONS", APP, "PUT").preflight
    assert not CREDENTIALED.decide("OPTIONS", APP).preflight  # R3: an actual OPTIONS request
    assert not CREDENTIALED.decide("OPTIONS", None, "PUT").preflight  # R4
    assert not CREDENTIALED.decide("POST", APP, "PUT").preflight  # R5


def test_r3_options_without_acrm_is_decorated_like_any_actual_request() -> None:
    assert headers_of(CREDENTIALED, "OPTIONS", APP)[ACAO] == APP


def test_r6_empty_acrm_fails() -> None:
    decision = CREDENTIALED.decide("OPTIONS", APP, "")
    assert decision.preflight and not decision.allowed and decision.status == 403
    assert decision.headers == ()


def test_r6_empty_acrm_fails_under_any_method() -> None:
    assert ANONYMOUS_ANY.decide("OPTIONS", APP, "").status == 403


def test_r9_safelisted_methods_are_always_answerable() -> None:
    policy = Policy(allow_origins=[APP], allow_methods=["PUT"])
    for method in ("GET", "HEAD", "POST"):
        assert policy.decide("OPTIONS", APP, method).allowed


def test_r10_method_check_is_case_sensitive() -> None:
    assert not CREDENTIALED.decide("OPTIONS", APP, "patch").allowed
    assert CREDENTIALED.decide("OPTIONS", APP, "PATCH").allowed
    assert not CREDENTIALED.decide("OPTIONS", APP, "put").allowed  # browsers send PUT


def test_r15_r17_r19_r20_r21_r24_successful_preflight_headers() -> None:
    decision = CREDENTIALED.decide("OPTIONS", APP, "PUT", "content-type,x-token")
    assert decision.allowed and decision.status == 204
    assert decision.headers == (
        (ACAO, APP),
        (ACAC, "true"),
        (ACAM, "GET, PUT, DELETE, PATCH"),
        (ACAH, "content-type, authorization, x-token"),
        (ACMA, "600"),
    )
    assert decision.vary == (
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
    )


def test_r16_refused_preflight_is_403_without_cors_headers() -> None:
    for args in (
        ("https://evil.example", "PUT", None),
        (APP, "PROPFIND", None),
        (APP, "PUT", "x-unknown"),
    ):
        decision = CREDENTIALED.decide("OPTIONS", *args)
        assert decision.answer_here and not decision.allowed
        assert decision.status == 403 and decision.headers == ()
        status, headers = decision.preflight_response()
        assert status == 403 and all(not n.startswith("Access-Control-Allow") for n, _ in headers)


def test_r13_acrh_any_case_order_whitespace_and_lines() -> None:
    for value in (
        "X-Token,Content-Type",
        " content-type , x-token ",
        "x-token,\tcontent-type",
        "x-token, content-type,,",
    ):
        assert CREDENTIALED.decide("OPTIONS", APP, "PUT", value).allowed, value


def test_r23_malformed_acrh_is_refused() -> None:
    for value in ("x-a;x-b", "x a", "content-type,\x00", "é"):
        assert not CREDENTIALED.decide("OPTIONS", APP, "PUT", value).allowed, value


def test_v18_a_megabyte_of_commas_is_refused() -> None:
    decision = CREDENTIALED.decide("OPTIONS", APP, "PUT", "," * (1 << 20))
    assert not decision.allowed and "malformed or longer" in decision.reason
    assert not ANONYMOUS_ANY.decide("OPTIONS", APP, "PUT", " " * (1 << 20)).allowed


def test_v18_many_empty_elements_are_refused() -> None:
    assert not ANONYMOUS_ANY.decide("OPTIONS", APP, "PUT", "," * 40).allowed
    assert ANONYMOUS_ANY.decide("OPTIONS", APP, "PUT", "x-a,,,,b").allowed


def test_r22_authorization_is_never_covered_by_star() -> None:
    decision = ANONYMOUS_ANY.decide("OPTIONS", APP, "PUT", "authorization,x-a")
    assert not decision.allowed and "'authorization' is never covered by '*'" in decision.reason
    with_auth = Policy(allow_origins="*", allow_headers=["*", "Authorization"])
    decision = with_auth.decide("OPTIONS", APP, "POST", "authorization,x-a")
    assert decision.allowed
    assert dict(decision.headers)[ACAH] == "*,authorization"


def test_r45_r46_star_with_credentials_echoes_the_validated_request() -> None:
    policy = Policy(
        allow_origins=[APP], allow_methods="*", allow_headers="*", allow_credentials=True
    )
    decision = policy.decide("OPTIONS", APP, "PROPFIND", "X-A, x-b,x-a")
    headers = dict(decision.headers)
    assert headers[ACAM] == "PROPFIND"
    assert headers[ACAH] == "x-a,x-b"
    assert not policy.decide("OPTIONS", APP, "PROP FIND").allowed
    assert not policy.decide("OPTIONS", APP, "GET", "authorization").allowed  # R22
    assert ACAH not in dict(policy.decide("OPTIONS", APP, "GET").headers)


def test_r20_star_methods_without_credentials() -> None:
    assert headers_of(ANONYMOUS_ANY, "OPTIONS", APP, "PROPFIND")[ACAM] == "*"


def test_r25_r32_max_age_only_on_preflights_expose_only_on_actual() -> None:
    actual = headers_of(CREDENTIALED, "GET", APP)
    assert ACMA not in actual and ACAM not in actual
    assert actual == {ACAO: APP, ACAC: "true", ACEH: "X-Total-Count"}
    assert ACEH not in headers_of(CREDENTIALED, "OPTIONS", APP, "PUT")


def test_r24_max_age_none_and_zero() -> None:
    assert ACMA not in headers_of(Policy(allow_origins=[APP], max_age=None), "OPTIONS", APP, "GET")
    assert headers_of(Policy(allow_origins=[APP], max_age=0), "OPTIONS", APP, "GET")[ACMA] == "0"


def test_r15_preflight_status_200() -> None:
    decision = Policy(allow_origins=[APP], preflight_status=200).decide("OPTIONS", APP, "GET")
    status, headers = decision.preflight_response()
    assert status == 200
    assert ("Content-Length", "0") in headers  # R27


def test_r27_204_has_no_body_headers() -> None:
    status, headers = CREDENTIALED.decide("OPTIONS", APP, "GET").preflight_response()
    assert status == 204
    assert not any(name.lower().startswith("content-") for name, _ in headers)
    assert (
        "Vary",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    ) in headers


def test_r29_refused_actual_has_no_cors_headers_but_varies() -> None:
    decision = CREDENTIALED.decide("GET", "https://evil.example")
    assert not decision.allowed and decision.headers == () and decision.vary == ("Origin",)


def test_r29_wildcard_match_headers() -> None:
    assert (
        headers_of(CREDENTIALED, "GET", "https://shop.example.org")[ACAO]
        == "https://shop.example.org"
    )


def test_r51_private_network_only_when_enabled_requested_and_allowed() -> None:
    enabled = Policy(allow_origins=[APP], allow_private_network=True)
    assert headers_of(enabled, "OPTIONS", APP, "GET", None, "true")[ACAPN] == "true"
    assert ACAPN not in headers_of(enabled, "OPTIONS", APP, "GET")
    assert "Access-Control-Request-Private-Network" in enabled.decide("OPTIONS", APP, "GET").vary
    assert ACAPN not in headers_of(
        Policy(allow_origins=[APP]), "OPTIONS", APP, "GET", None, "true"
    )
    assert enabled.decide("OPTIONS", "https://evil.example", "GET", None, "true").headers == ()


def test_preflight_passthrough_marks_preflights_for_the_app() -> None:
    policy = Policy(allow_origins=[APP], preflight_passthrough=True)
    decision = policy.decide("OPTIONS", APP, "GET")
    assert decision.preflight and not decision.answer_here and decision.allowed
    refused = policy.decide("OPTIONS", "https://evil.example", "GET")
    assert refused.preflight and not refused.answer_here


def test_refusals_are_logged_at_debug_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        CREDENTIALED.decide("GET", "https://evil.example")
        CREDENTIALED.decide("GET", APP)
    assert [r.levelno for r in caplog.records] == [logging.DEBUG]
    assert "https://evil.example" in caplog.records[0].getMessage()


def test_refusals_are_not_logged_above_debug(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="cors_wsgi"):
        CREDENTIALED.decide("GET", "https://evil.example")
    assert caplog.records == []


def test_an_overlong_origin_is_shortened_in_the_reason() -> None:
    decision = CREDENTIALED.decide("GET", "https://" + "a" * 5000)
    assert len(decision.reason) < 300


def test_decisions_are_immutable() -> None:
    decision = CREDENTIALED.decide("GET", APP)
    with pytest.raises(AttributeError):
        decision.allowed = False  # type: ignore[misc]
    assert "Decision(" in repr(decision)


def test_regex_and_callable_origins() -> None:
    policy = Policy(
        allow_origin_regex=[r"https://pr-[0-9]+\.preview\.example\.com"],
        allow_origin_func=lambda origin: origin == "https://tenant.example.net",
    )
    assert policy.decide("GET", "https://pr-42.preview.example.com").allowed
    assert policy.decide("GET", "https://tenant.example.net").allowed
    assert not policy.decide("GET", "https://pr-x.preview.example.com").allowed
    assert policy.decide("OPTIONS", "https://tenant.example.net", "GET").allowed


@given(
    method=st.sampled_from(["GET", "POST", "OPTIONS", "PUT", "patch"]),
    origin=st.one_of(
        st.none(), st.text(max_size=60), st.sampled_from([APP, "https://a.example.org"])
    ),
    acrm=st.one_of(st.none(), st.text(max_size=12)),
    acrh=st.one_of(st.none(), st.text(max_size=60)),
)
def test_no_input_breaks_a_decision_or_leaks_request_bytes(
    method: str, origin: str | None, acrm: str | None, acrh: str | None
) -> None:
    decision = CREDENTIALED.decide(method, origin, acrm, acrh)
    headers = dict(decision.headers)
    if ACAO in headers:
        assert origin is not None and headers[ACAO] == origin
        assert origin == APP or origin.endswith(".example.org")
    for value in headers.values():
        assert value.isascii() and "\r" not in value and "\n" not in value  # V14, R53
    if decision.preflight and not decision.allowed:
        assert decision.headers == ()


# ---- debug mode (issue 6): refused preflights say which step failed --------------------

DEBUG = Policy(
    allow_origins=[APP],
    allow_methods=["PUT"],
    allow_headers=["x-token"],
    allow_credentials=True,
    debug=True,
)


def test_debug_refused_origin_gets_an_ok_status_without_headers() -> None:
    decision = DEBUG.decide("OPTIONS", "https://evil.example", "PUT")
    assert not decision.allowed and decision.status == 204 and decision.headers == ()


def test_debug_refused_method_shows_the_allowed_methods() -> None:
    decision = DEBUG.decide("OPTIONS", APP, "DELETE")
    assert not decision.allowed and decision.status == 204
    headers = dict(decision.headers)
    assert headers[ACAO] == APP and headers[ACAM] == "PUT"


def test_debug_refused_header_shows_the_allowed_headers() -> None:
    decision = DEBUG.decide("OPTIONS", APP, "PUT", "x-other")
    assert not decision.allowed and dict(decision.headers)[ACAH] == "x-token"
    malformed = DEBUG.decide("OPTIONS", APP, "PUT", "x;y")
    assert not malformed.allowed and dict(malformed.headers)[ACAO] == APP


def test_debug_star_with_credentials_shows_the_echoed_method() -> None:
    policy = Policy(
        allow_origins=[APP],
        allow_methods="*",
        allow_headers="*",
        allow_credentials=True,
        debug=True,
    )
    decision = policy.decide("OPTIONS", APP, "PROPFIND", "authorization")
    assert not decision.allowed and dict(decision.headers)[ACAM] == "PROPFIND"
    assert not policy.decide("OPTIONS", APP, "BAD METHOD").allowed


def test_debug_logs_refusals_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="cors_wsgi"):
        DEBUG.decide("OPTIONS", APP, "DELETE")
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert "'DELETE' is not in allow_methods" in caplog.records[0].getMessage()


def test_debug_does_not_change_actual_requests() -> None:
    assert DEBUG.decide("GET", "https://evil.example").headers == ()


def test_r45_a_method_named_star_is_refused_under_any_method() -> None:
    policy = Policy(allow_origins=[APP], allow_methods="*", allow_credentials=True)
    assert not policy.decide("OPTIONS", APP, "*").allowed


def test_r13_long_allow_lists_are_parsed_not_precomputed() -> None:
    names = [f"x-h{i}" for i in range(12)]
    policy = Policy(allow_origins=[APP], allow_headers=names)
    assert policy.decide("OPTIONS", APP, "GET", ",".join(sorted(names))).allowed
    assert not policy.decide("OPTIONS", APP, "GET", "x-h1,x-other").allowed


class _HashCountingStr(str):
    """A str that records each time it is hashed (a set lookup hashes it)."""

    hashes = 0

    def __hash__(self) -> int:
        type(self).hashes += 1
        return super().__hash__()


def test_v18_a_hostile_value_is_refused_before_it_is_hashed() -> None:
    # A set lookup of a fresh megabyte hashes all of it; the length check must come first.
    policy = Policy(allow_origins=[APP], allow_headers=["x-a"])
    _HashCountingStr.hashes = 0
    hostile = _HashCountingStr("x-a," * (1 << 18))
    assert not policy.decide("OPTIONS", APP, "GET", hostile).allowed
    assert _HashCountingStr.hashes == 0
    assert policy.decide("OPTIONS", APP, "GET", _HashCountingStr("x-a")).allowed
    assert _HashCountingStr.hashes == 1  # an ordinary value takes the precomputed lookup


def test_v18_a_hostile_origin_is_refused_before_it_is_hashed() -> None:
    _HashCountingStr.hashes = 0
    hostile = _HashCountingStr("https://" + "a" * (1 << 20) + ".example.com")
    for args in (("GET", hostile), ("OPTIONS", hostile, "GET")):
        assert not CREDENTIALED.decide(*args).allowed
    assert _HashCountingStr.hashes == 0
    assert dict(ANONYMOUS_ANY.decide("GET", hostile).headers)[ACAO] == "*"


@pytest.mark.parametrize(
    ("method", "origin", "request_method", "expected"),
    [
        ("OPTIONS", APP, "PUT", True),
        ("OPTIONS", APP, "", True),  # R6: present but empty is still a preflight
        ("OPTIONS", APP, None, False),  # R3
        ("OPTIONS", None, "PUT", False),  # R4
        ("POST", APP, "PUT", False),  # R5
        ("options", APP, "PUT", False),  # methods are case-sensitive
    ],
)
def test_r2_is_preflight(
    method: str, origin: str | None, request_method: str | None, expected: bool
) -> None:
    assert is_preflight(method, origin, request_method) is expected
    assert CREDENTIALED.decide(method, origin, request_method).preflight is expected


_METHODS = st.sampled_from(["OPTIONS", "options", "GET", "PUT", "POST"]) | st.text(max_size=8)


@given(
    method=_METHODS,
    origin=st.none() | st.sampled_from([APP, "null", "https://evil.example"]),
    request_method=st.none() | _METHODS,
)
def test_r2_the_inlined_preflight_test_of_decide_agrees_with_is_preflight(
    method: str, origin: str | None, request_method: str | None
) -> None:
    """Policy.decide inlines is_preflight on the request path, for speed; both copies of the
    rule must call the same requests preflights."""
    expected = is_preflight(method, origin, request_method)
    for policy in (CREDENTIALED, Policy(allow_origins="*")):
        assert policy.decide(method, origin, request_method).preflight is expected


def test_r43_star_in_a_list_with_credentials_says_e012_not_only_e023() -> None:
    # The fix E023 suggests ('*' on its own) would only meet E012 next: say E012 at once.
    assert codes(allow_origins=[APP, "*"], allow_credentials=True) == [
        Code.ANY_ORIGIN_WITH_CREDENTIALS
    ]
    assert codes(allow_origins=[APP, "*"]) == [Code.WRONG_TYPE]


# ---- issue 10: look-alike regexes, strict numbers, bounded reasons, the request path ----

LOOK_ALIKE_REGEXES = [
    (r"https://.*\.com", "https://attacker.com"),
    (r"https://.*example\.com", "https://attackerexample.com"),
    (r"https://[a-z.]*example\.com", "https://attackerexample.com"),
    (r"https://example\.com.*", "https://example.com.attacker.invalid"),
    (r"https://.*\.(com|net)", "https://attacker.com"),
    (r"https?://app\.example\.com", "http://app.example.com"),
]


@pytest.mark.parametrize(("pattern", "canary"), LOOK_ALIKE_REGEXES)
def test_credentialed_regex_accepting_an_attackers_origin_is_refused(
    pattern: str, canary: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origin_regex=pattern, allow_credentials=True)
    (problem,) = caught.value.errors
    assert problem.code in (Code.REGEX_MATCHES_ANY_ORIGIN, Code.INSECURE_ORIGIN_WITH_CREDENTIALS)
    assert repr(canary) in problem.message
    assert "https://" in problem.message  # the fix, in words


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://[a-z0-9-]+\.example\.com",
        r"https://pr-[0-9]+\.preview\.example\.com",
        r"https://(www\.)?example\.com",
        r"https://[a-z]+\.tenant\.example\.net(:[0-9]+)?",
        r"http://localhost:[0-9]+",
        r"https://(admin|app)\.example\.org",
    ],
)
def test_credentialed_regex_anchored_to_a_domain_is_accepted(pattern: str) -> None:
    assert Policy(allow_origin_regex=pattern, allow_credentials=True).allow_origin_regex


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("preflight_status", 200.0),
        ("preflight_status", 204.0),
        ("preflight_status", True),
        ("max_age", 600.0),
        ("max_age", False),
        ("allow_origin_func_ttl", True),
        ("allow_origin_func_ttl", float("nan")),
    ],
)
def test_numeric_options_must_be_numbers_of_the_right_type(option: str, value: Any) -> None:
    extra: dict[str, Any] = {"allow_origin_func": bool} if option.startswith("allow_") else {}
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origins=[APP], **extra, **{option: value})
    assert [problem.option for problem in caught.value.errors] == [option]


def test_refusal_log_bounds_access_control_request_method(
    caplog: pytest.LogCaptureFixture,
) -> None:
    policy = Policy(allow_origins=[APP], allow_methods=["PUT"])
    flood = "X" * 100_000
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        decision = policy.decide("OPTIONS", APP, flood)
    assert not decision.allowed
    (record,) = caplog.records
    assert len(record.getMessage()) < 500
    assert len(decision.reason) < 500


def test_refusal_log_bounds_a_refused_header_name(caplog: pytest.LogCaptureFixture) -> None:
    policy = Policy(allow_origins=[APP], allow_headers="*")
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        assert not policy.decide("OPTIONS", APP, "PUT", "authorization," + "x" * 8000).allowed
        assert not Policy(allow_origins=[APP]).decide("OPTIONS", APP, "PUT", "y" * 60).allowed
    assert all(len(record.getMessage()) < 500 for record in caplog.records)


def test_reasons_are_not_formatted_on_the_request_path(monkeypatch: pytest.MonkeyPatch) -> None:
    # Nothing logs at DEBUG here: a refusal must carry its template and values, and only
    # reading decision.reason formats them.
    policy = Policy(allow_origins=[APP], allow_methods=["PUT"])
    decision = policy.decide("OPTIONS", APP, "PATCH")
    assert decision.reason_template.count("%(") >= 2
    assert dict(decision.reason_values) == {"method": "PATCH", "option": "allow_methods"}
    assert decision.reason == (
        "method 'PATCH' is not in allow_methods; methods compare case-sensitively"
    )


def test_reasons_name_options_as_values_an_adapter_can_rename() -> None:
    refused = Policy(allow_origins=[APP]).decide("GET", "https://other.example")
    values = dict(refused.reason_values)
    assert values["origin_options"] == ("allow_origins", "allow_origin_regex", "allow_origin_func")
    assert refused.reason == (
        "the origin matches no entry of allow_origins, allow_origin_regex or allow_origin_func"
    )
    django = Vocabulary("django", names={"allow_origins": "CORS_ALLOWED_ORIGINS"})
    assert "no entry of CORS_ALLOWED_ORIGINS, allow_origin_regex or" in refused.reason_in(django)


def test_options_an_adapter_names_alike_are_said_once() -> None:
    # flask-cors's one `origins` option holds exact origins, regexes and more.
    flask = Vocabulary(
        "flask",
        names=dict.fromkeys(
            ("allow_origins", "allow_origin_regex", "allow_origin_func"), "origins"
        ),
    )
    refused = Policy(allow_origins=[APP]).decide("GET", "https://other.example")
    assert refused.reason_in(flask) == "the origin matches no entry of origins"


def test_preflight_from_an_exact_origin_is_answered_from_a_table() -> None:
    policy = Policy(
        allow_origins=[APP], allow_methods=["PUT"], allow_headers=["content-type", "x-token"]
    )
    first = policy.decide("OPTIONS", APP, "PUT", "content-type,x-token")
    assert first.allowed and first is policy.decide("OPTIONS", APP, "PUT", "content-type,x-token")
    assert first is policy.decide("OPTIONS", APP, "GET")
    # What depends on the request is still built per request, and right.
    echoed = Policy(allow_origins=[APP], allow_methods="*", allow_credentials=True)
    assert dict(echoed.decide("OPTIONS", APP, "PURGE").headers)[ACAM] == "PURGE"
    private = Policy(allow_origins=[APP], allow_private_network=True)
    assert dict(private.decide("OPTIONS", APP, "GET", None, "true").headers)[ACAPN] == "true"
    assert ACAPN not in dict(private.decide("OPTIONS", APP, "GET").headers)


def test_pattern_matched_decisions_carry_the_same_vary_line() -> None:
    policy = Policy(allow_origins=["https://*.example.com"])
    actual = policy.decide("GET", "https://a.example.com")
    preflight = policy.decide("OPTIONS", "https://b.example.com", "GET")
    assert actual.header_lines[-1] == ("Vary", "Origin")
    assert preflight.header_lines[-1] == (
        "Vary",
        "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    )
    assert actual.header_lines == (*actual.headers, ("Vary", "Origin"))


def test_non_browser_request_headers_are_remembered_within_a_bound() -> None:
    policy = Policy(allow_origins=[APP], allow_headers=["x-a", "x-b"])
    values = [f"X-A{' ' * i},{' ' * j}x-B" for i in range(25) for j in range(25)]
    for value in values:
        assert policy.decide("OPTIONS", APP, "GET", value).allowed, value
    assert policy.decide("OPTIONS", APP, "GET", values[0]).allowed  # remembered: still right
    assert not policy.decide("OPTIONS", APP, "GET", "X-A, x-c").allowed  # refused: not kept
    remembered = policy._accepted_request_headers
    assert len(remembered) <= 3 + 256
    assert "X-A, x-c" not in remembered
