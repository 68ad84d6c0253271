"""Fuzzing the core: hostile Origin, ACRM, ACRH and paths against random valid policies.

Properties, for every input:

- no exception escapes ``Policy.decide``, ``Decision.preflight_response``/``decorate`` or
  ``PathPolicies.policy_for``;
- nothing outside the allow-list is reflected (R54, V1, V14): Access-Control-Allow-Origin is
  ``*``, a configured string or an origin the naive reference also allows; every
  Access-Control-Allow-Methods/-Headers element is configured, ``*`` (anonymous only) or a
  validated token the request itself named;
- the fast matcher agrees with the naive reference (V20), both ways;
- a successful preflight satisfies the browser's CORS check (R17, R20, R21, R22).

Small in the default run; ``HYPOTHESIS_PROFILE=fuzz`` (``tox -e fuzz``) runs them big.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from cors_wsgi import PathPolicies, Policy
from cors_wsgi.core.paths import PathKey

from .reference import Reference, is_token, request_header_names, split_origin
from .strategies import (
    EXACT_ORIGINS,
    METHODS_FOR_CORE,
    ORIGINS,
    PATHS,
    PATTERN_ORIGINS,
    REQUEST_HEADER_VALUES,
    REQUEST_METHODS,
    REQUEST_PRIVATE_NETWORK,
    hostile_origins,
    policy_options,
)

pytestmark = pytest.mark.fuzz

ACAO = "access-control-allow-origin"
ACAC = "access-control-allow-credentials"
ACAM = "access-control-allow-methods"
ACAH = "access-control-allow-headers"
ACMA = "access-control-max-age"
ACEH = "access-control-expose-headers"
ACAPN = "access-control-allow-private-network"
CORS_NAMES = frozenset({ACAO, ACAC, ACAM, ACAH, ACMA, ACEH, ACAPN})
# Headers a preflight answer may carry besides CORS ones (R27).
PREFLIGHT_EXTRA = frozenset({"vary", "content-type", "content-length"})
# Exactly the characters allowed in a header value we emit (R53, V14): visible ASCII and SP.
VISIBLE_ASCII = re.compile(r"[\x20-\x7e]*")


def elements(value: str) -> list[str]:
    return [part.strip(" \t") for part in value.split(",")]


def lowered(headers: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> dict[str, str]:
    """The headers by lowercased name, after checking each is sent once (R18) and clean."""
    seen: dict[str, str] = {}
    for name, value in headers:
        assert isinstance(name, str) and isinstance(value, str)
        assert name.lower() not in seen, f"{name} sent twice (R18)"
        assert VISIBLE_ASCII.fullmatch(value), f"{name}: {value!r} is not visible ASCII"
        assert value == value.strip(), f"{name}: {value!r} has surrounding whitespace"
        seen[name.lower()] = value
    return seen


def check_no_foreign_values(
    reference: Reference,
    headers: dict[str, str],
    origin: str | None,
    request_method: str | None,
    request_headers: str | None,
) -> None:
    """R54: every CORS header value came from the configuration or a validated request token."""
    if ACAO in headers:
        assert headers[ACAO] == reference.allow_origin(origin)
        if headers[ACAO] == "*":
            assert not reference.credentials  # R43, V1
    if ACAC in headers:
        assert headers[ACAC] == "true" and reference.credentials  # R19
    if ACAM in headers:
        for method in elements(headers[ACAM]):
            if method == "*":
                assert reference.any_method and not reference.credentials  # R45
            elif reference.any_method:
                assert method == request_method and is_token(method)
            else:
                assert method in reference.methods
    if ACAH in headers:
        requested = request_header_names(request_headers or "") or []
        for name in elements(headers[ACAH]):
            if name == "*":
                assert reference.any_header and not reference.credentials  # R46
            elif name.lower() not in reference.header_names:
                assert reference.any_header and reference.credentials
                assert name in requested and is_token(name)  # R46: echoed after validation
    if ACEH in headers:
        exposed = set(elements(headers[ACEH]))
        assert exposed == reference.exposed or (
            exposed == {"*"} and reference.exposed == {"*"} and not reference.credentials
        )
    if ACMA in headers:
        assert headers[ACMA] == str(reference.options.get("max_age", 600))
    if ACAPN in headers:
        assert headers[ACAPN] == "true" and reference.options.get("allow_private_network", False)


def check_browser_accepts_preflight(
    reference: Reference,
    headers: dict[str, str],
    origin: str,
    request_method: str,
    request_headers: str | None,
) -> None:
    """The checks a browser runs on a preflight answer (R17, R20, R21, R22) all pass."""
    credentials = reference.credentials
    assert headers[ACAO] == origin or (headers[ACAO] == "*" and not credentials)  # R17
    assert (ACAC in headers) is credentials
    if request_method not in ("GET", "HEAD", "POST"):
        methods = elements(headers.get(ACAM, ""))
        assert request_method in methods or ("*" in methods and not credentials)  # R20
    allowed = {name.lower() for name in elements(headers.get(ACAH, ""))}
    for name in request_header_names(request_headers or "") or []:
        wildcard = "*" in allowed and not credentials and name != "authorization"  # R22
        assert name in allowed or wildcard, f"{name!r} not in {allowed}"  # R21


@given(
    options=policy_options(),
    method=METHODS_FOR_CORE,
    origin=ORIGINS,
    request_method=REQUEST_METHODS,
    request_headers=REQUEST_HEADER_VALUES,
    private_network=REQUEST_PRIVATE_NETWORK,
)
@example(
    options={"allow_origins": ["https://*.example.com"], "allow_credentials": True},
    method="OPTIONS",
    origin="https://a.example.com\r\nSet-Cookie: x=1",
    request_method="GET",
    request_headers=None,
    private_network=None,
)
def test_decide_reflects_only_the_allow_list(
    options: dict[str, Any],
    method: str,
    origin: str | None,
    request_method: str | None,
    request_headers: str | None,
    private_network: str | None,
) -> None:
    policy = Policy(**options)
    reference = Reference(options)
    decision = policy.decide(method, origin, request_method, request_headers, private_network)
    headers = lowered(decision.headers)
    assert set(headers) <= CORS_NAMES
    check_no_foreign_values(reference, headers, origin, request_method, request_headers)

    preflight = method == "OPTIONS" and origin is not None and request_method is not None
    assert decision.preflight is preflight  # R2, R3, R4, R5
    if not preflight:
        # Actual and non-CORS requests: the matcher agrees with the reference, both ways.
        expected = reference.allow_origin(origin)
        assert headers.get(ACAO) == expected
        assert decision.allowed is (origin is None or expected is not None)
        assert not {ACAM, ACAH, ACMA, ACAPN} & set(headers)  # R25
        if expected is not None:
            assert (ACAC in headers) is reference.credentials  # R29
            assert (ACEH in headers) is bool(reference.exposed)  # R32
        return

    assert origin is not None and request_method is not None
    assert decision.answer_here is not options.get("preflight_passthrough", False)  # R7
    expected_allowed = reference.preflight_allowed(origin, request_method, request_headers)
    if decision.allowed:
        assert expected_allowed
        check_browser_accepts_preflight(
            reference, headers, origin, request_method, request_headers
        )
        assert decision.status == options.get("preflight_status", 204)
    else:
        if reference.request_headers_short_enough(request_headers):
            assert not expected_allowed, decision.reason
        if options.get("debug", False):
            assert decision.status == options.get("preflight_status", 204)  # R16's debug exception
        else:
            assert decision.status == 403 and headers == {}  # R16
    assert ACEH not in headers  # R32: exposing is for actual responses

    status, answer = decision.preflight_response()
    assert status == decision.status
    answer_headers = lowered(answer)
    assert set(answer_headers) <= CORS_NAMES | PREFLIGHT_EXTRA
    assert "origin" in answer_headers["vary"].lower()  # V13


@given(options=policy_options(), origin=hostile_origins())
def test_fast_matcher_agrees_with_the_reference_on_hostile_origins(
    options: dict[str, Any], origin: str
) -> None:
    decision = Policy(**options).decide("GET", origin)
    assert dict(decision.headers).get("Access-Control-Allow-Origin") == Reference(
        options
    ).allow_origin(origin)


@given(
    entries=st.lists(st.sampled_from(EXACT_ORIGINS + PATTERN_ORIGINS), min_size=1, max_size=12),
    labels=st.lists(st.sampled_from(["a", "b", "example", "foo", "bar", "x-1", "_"]), max_size=4),
    base=st.sampled_from(EXACT_ORIGINS + PATTERN_ORIGINS),
    port=st.sampled_from(["", ":1", ":3000", ":8443", ":65535"]),
)
def test_well_formed_origins_near_the_list_agree_with_the_reference(
    entries: list[str], labels: list[str], base: str, port: str
) -> None:
    # Structured origins, all well formed, so that the wildcard and port logic itself is
    # exercised rather than the grammar check in front of it.
    prefix = ".".join(labels)
    origin = base.replace("*.", prefix + "." if prefix else "", 1).replace(":*", "")
    origin = origin + port if split_origin(origin + port) else origin
    options: dict[str, Any] = {"allow_origins": entries}
    allowed = dict(Policy(**options).decide("GET", origin).headers).get(
        "Access-Control-Allow-Origin"
    )
    assert allowed == Reference(options).allow_origin(origin)


@given(
    options=policy_options(),
    origin=ORIGINS,
    app_headers=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    "Content-Type",
                    "Vary",
                    "vary",
                    "Access-Control-Allow-Origin",
                    "access-control-allow-credentials",
                    "ACCESS-CONTROL-EXPOSE-HEADERS",
                    "X-Other",
                ]
            ),
            st.sampled_from(["*", "text/plain", "Accept-Encoding", "Cookie, Origin", "", "x"]),
        ),
        max_size=6,
    ),
)
def test_decorate_owns_the_cors_headers_whatever_the_app_set(
    options: dict[str, Any], origin: str | None, app_headers: list[tuple[str, str]]
) -> None:
    decision = Policy(**options).decide("GET", origin)
    original = list(app_headers)
    decorated = decision.decorate(app_headers)
    assert app_headers == original  # a new list; the app's is untouched
    cors = [(n, v) for n, v in decorated if n.lower() in CORS_NAMES]
    assert cors == list(decision.headers)  # ours replace the app's (R18)
    varies = [v for n, v in decorated if n.lower() == "vary"]
    assert len(varies) <= 1  # one merged line (R30)
    if decision.vary:
        vary = {part.lower() for part in elements(varies[0])}
        had_star = any(v.strip() == "*" for n, v in app_headers if n.lower() == "vary")
        assert had_star or {name.lower() for name in decision.vary} <= vary
    others = [(n, v) for n, v in app_headers if n.lower() not in CORS_NAMES | {"vary"}]
    assert [h for h in decorated if h[0].lower() not in CORS_NAMES | {"vary"}] == others


def naive_policy_for(
    prefixes: dict[str, Policy], regexes: list[tuple[str, Policy]], path: str
) -> Policy | None:
    for pattern, policy in regexes:
        if re.fullmatch(pattern, path):
            return policy
    best: tuple[int, Policy] | None = None
    for prefix, policy in prefixes.items():
        bare = prefix.rstrip("/") or "/"
        segment = bare == "/" or path == bare or path.startswith(bare + "/")
        if segment and (best is None or len(bare) > best[0]):
            best = (len(bare), policy)
    return best[1] if best else None


POLICIES = [Policy(allow_origins=[f"https://p{i}.example.com"]) for i in range(6)]


@given(
    prefixes=st.lists(
        st.sampled_from(["/", "/api", "/api/", "/api/public/", "/public", "/v1/", "/\xe4/"]),
        max_size=4,
        unique_by=lambda p: p.rstrip("/") or "/",
    ),
    regexes=st.lists(
        st.sampled_from([r"/v[0-9]+/.*", r"/api/v[0-9]+(/.*)?", r".*\.json"]),
        max_size=2,
        unique=True,
    ),
    path=PATHS,
)
def test_paths_agree_with_a_naive_reference(
    prefixes: list[str], regexes: list[str], path: str
) -> None:
    by_prefix: dict[str, Policy] = {prefix: POLICIES[i] for i, prefix in enumerate(prefixes)}
    by_regex = [(regex, POLICIES[4 + i]) for i, regex in enumerate(regexes)]
    keys: dict[PathKey, Policy] = {re.compile(r): p for r, p in by_regex}
    keys.update(by_prefix)
    paths = PathPolicies(keys)
    assert paths.policy_for(path) is naive_policy_for(by_prefix, by_regex, path)


# ---- regressions: core bugs found while fuzzing, fixed since.


@pytest.mark.parametrize("origin", ["http://localhost:65536", "http://localhost:99999"])
def test_any_port_entry_never_reflects_a_port_above_65535(origin: str) -> None:
    # R39, R47: configuration refuses these ports; a request must not get them reflected.
    decision = Policy(allow_origins=["http://localhost:*"]).decide("GET", origin)
    assert decision.headers == ()


def test_any_origin_reason_names_the_origin() -> None:
    decision = Policy(allow_origins="*").decide("GET", "https://any.example")
    assert dict(decision.headers) == {"Access-Control-Allow-Origin": "*"}
    assert "no Origin header" not in decision.reason
