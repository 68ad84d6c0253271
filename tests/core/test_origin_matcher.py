"""The origin matcher: byte-exact, whole-origin matching of the compiled allow-list (V4-V9,
V16, V20)."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from cors_wsgi import ConfigError, Policy
from cors_wsgi.core.errors import Code, ProblemCollector
from cors_wsgi.core.origin_matcher import OriginMatcher, combine_regexes
from cors_wsgi.core.origin_patterns import parse_origin_pattern
from tests.core.origin_testing import allows, matcher_for, problems_for

# ---- matching: byte-exact, whole origin, label boundaries ------------------------------

MATCH_TABLE = [
    # (rule, entries, origin, allowed)
    ("exact match", ("https://example.com",), "https://example.com", True),
    ("V4 prefix", ("https://example.com",), "https://example.com.evil.net", False),
    ("V4 prefix without dot", ("https://example.com",), "https://example.computer", False),
    ("V4 prefix hyphen", ("https://example.com",), "https://example.com-evil.net", False),
    ("V5 suffix without boundary", ("https://*.example.com",), "https://evilexample.com", False),
    ("V5 suffix notexample", ("https://*.example.com",), "https://notexample.com", False),
    ("wildcard never matches the apex", ("https://*.example.com",), "https://example.com", False),
    ("wildcard one label", ("https://*.example.com",), "https://a.example.com", True),
    ("wildcard several labels", ("https://*.example.com",), "https://a.b.example.com", True),
    ("wildcard keeps the scheme (V16)", ("https://*.example.com",), "http://a.example.com", False),
    (
        "wildcard keeps the port (V16)",
        ("https://*.example.com",),
        "https://a.example.com:8443",
        False,
    ),
    ("V6 substring", ("https://example.com",), "https://evil.net?https://example.com", False),
    ("V9 odd character", ("https://*.example.com",), "https://a}.example.com", False),
    ("V9 backtick", ("https://*.example.com",), "https://a`.example.com", False),
    ("empty label", ("https://*.example.com",), "https://.example.com", False),
    ("double dot", ("https://*.example.com",), "https://a..example.com", False),
    (
        "V16 port is part of the origin",
        ("https://example.com",),
        "https://example.com:8443",
        False,
    ),
    ("V16 scheme is part of the origin", ("https://example.com",), "http://example.com", False),
    ("R42 no case folding", ("https://example.com",), "https://EXAMPLE.com", False),
    ("R42 no case folding wildcard", ("https://*.example.com",), "https://A.example.com", False),
    ("R42 trailing dot is distinct", ("https://example.com",), "https://example.com.", False),
    ("R42 trailing dot wildcard", ("https://*.example.com",), "https://a.example.com.", False),
    (
        "R41 joined duplicates",
        ("https://example.com",),
        "https://example.com,https://example.com",
        False,
    ),
    (
        "R41 joined wildcard",
        ("https://*.example.com",),
        "https://a.example.com, https://b.example.com",
        False,
    ),
    ("V3 null", ("https://example.com",), "null", False),
    ("V14 CRLF", ("https://*.example.com",), "https://a.example.com\r\nSet-Cookie: x", False),
    ("any port: a port", ("http://localhost:*",), "http://localhost:3000", True),
    ("any port: no port", ("http://localhost:*",), "http://localhost", True),
    ("any port: other host", ("http://localhost:*",), "http://localhost.evil.net:3000", False),
    ("any port: leading zero", ("http://localhost:*",), "http://localhost:03000", False),
    ("any port + wildcard", ("https://*.example.com:*",), "https://a.example.com:9000", True),
    ("R37 default port is never sent", ("https://example.com",), "https://example.com:443", False),
    ("V20 similar entries", ("https://foo.com", "https://bar.com"), "https://barfoo.com", False),
    (
        "V20 similar wildcard entries",
        ("https://*.foo.com", "https://*.bar.com"),
        "https://x.barfoo.com",
        False,
    ),
]


@pytest.mark.parametrize(
    ("entries", "origin", "expected"),
    [(e, o, a) for _, e, o, a in MATCH_TABLE],
    ids=[rule for rule, *_ in MATCH_TABLE],
)
def test_match_table(entries: tuple[str, ...], origin: str, expected: bool) -> None:
    assert allows(entries, origin) is expected


def test_an_exact_match_sends_back_the_configured_string() -> None:
    # R54: the value comes from the configuration, not from the request.
    entry = "https://app.example.com"
    decision = Policy(allow_origins=[entry]).decide("GET", "https://app.example.com")
    assert decision.headers[0][1] is entry


def test_regexes_are_full_matched() -> None:
    matcher = matcher_for(
        regex=(r"https://[a-z]+\.example\.com", r"https://(?P<x>b)\.example\.org")
    )
    assert matcher.match("https://a.example.com") == "https://a.example.com"
    assert matcher.match("https://b.example.org") == "https://b.example.org"
    assert matcher.match("https://a.example.com.evil.net") is None  # V8
    assert matcher.match("xhttps://a.example.com") is None


def test_regexes_with_clashing_group_names_are_tried_one_by_one() -> None:
    matcher = matcher_for(
        regex=(r"https://(?P<n>a)\.example\.com", r"https://(?P<n>b)\.example\.com")
    )
    assert matcher.match("https://b.example.com") == "https://b.example.com"
    assert matcher.match("https://c.example.com") is None


def test_regexes_with_different_flags_are_tried_one_by_one() -> None:
    collector = ProblemCollector()
    matcher = OriginMatcher(
        (),
        (re.compile(r"https://a\.example\.com"), re.compile(r"https://b\.example\.com", re.I)),
        None,
        0,
    )
    assert not collector.problems
    assert matcher.match("https://b.example.com")
    assert matcher.match("https://x.example.com") is None


def test_overlong_origins_never_reach_a_regex() -> None:
    # V19: the length cap comes before the (possibly slow) user regex.
    seen: list[str] = []

    def recording(origin: str) -> bool:
        seen.append(origin)
        return True

    matcher = OriginMatcher((), (), recording, 0)
    assert matcher.match("https://" + "a" * 600 + ".example.com") is None
    assert seen == []


def test_the_callable_is_cached_and_bounded() -> None:
    calls: list[str] = []

    def tenant_table(origin: str) -> bool:
        calls.append(origin)
        return origin == "https://tenant.example.com"

    matcher = OriginMatcher((), (), tenant_table, 60)
    for _ in range(3):
        assert matcher.match("https://tenant.example.com") == "https://tenant.example.com"
        assert matcher.match("https://other.example.com") is None
    assert calls == ["https://tenant.example.com", "https://other.example.com"]
    assert matcher.match("not an origin") is None
    assert len(calls) == 2  # malformed origins never reach the callable


def test_the_callable_cache_forgets_the_oldest_and_expired_entries() -> None:
    calls: list[str] = []

    def tenant_table(origin: str) -> bool:
        calls.append(origin)
        return True

    matcher = OriginMatcher((), (), tenant_table, 60, func_cache_size=2)
    for origin in (
        "https://a.example",
        "https://b.example",
        "https://c.example",
        "https://a.example",
    ):
        matcher.match(origin)
    assert calls == [
        "https://a.example",
        "https://b.example",
        "https://c.example",
        "https://a.example",
    ]
    no_cache = OriginMatcher((), (), tenant_table, 0)
    no_cache.match("https://a.example")
    no_cache.match("https://a.example")
    assert calls[-2:] == ["https://a.example", "https://a.example"]


def test_a_truthy_non_bool_from_the_callable_does_not_allow() -> None:
    matcher = OriginMatcher((), (), lambda origin: "yes", 0)  # type: ignore[arg-type,return-value]
    assert matcher.match("https://a.example") is None


# ---- property: the fast matcher agrees with a deliberately naive reference (V20) -------


def naive_allows(entries: list[str], origin: str) -> bool:
    """The obvious, slow reading of each entry, written without any of the fast code."""
    for entry in entries:
        if "*" not in entry:
            if origin == entry:
                return True
            continue
        scheme, _, rest = entry.partition("://")
        host_pattern, _, port_pattern = rest.partition(":")
        if not origin.startswith(scheme + "://"):
            continue
        origin_rest = origin[len(scheme) + 3 :]
        origin_host, colon, origin_port = origin_rest.partition(":")
        if colon and (
            not origin_port.isdigit() or origin_port.startswith("0") or not origin_port.isascii()
        ):
            continue
        if port_pattern != "*" and origin_port != port_pattern:
            continue
        if host_pattern.startswith("*."):
            base = host_pattern[2:]
            if not origin_host.endswith("." + base):
                continue
            labels = origin_host[: -len(base) - 1].split(".")
        else:
            if origin_host != host_pattern:
                continue
            labels = origin_host.split(".")
        if all(
            label and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-_" for c in label)
            for label in labels
        ):
            return True
    return False


LABELS = st.sampled_from(["a", "b", "example", "com", "evil", "foo", "bar", "barfoo", "a-b", "x1"])
SCHEMES = st.sampled_from(["http", "https"])
PORTS = st.sampled_from(["", ":8000", ":8443", ":3000"])


@st.composite
def entries(draw: st.DrawFn) -> str:
    scheme = draw(SCHEMES)
    labels = draw(st.lists(LABELS, min_size=2, max_size=3))
    wildcard = draw(st.booleans())
    host = ("*." if wildcard else "") + ".".join(labels)
    port = draw(st.sampled_from(["", ":8000", ":*"]))
    return f"{scheme}://{host}{port}"


@st.composite
def origins(draw: st.DrawFn) -> str:
    scheme = draw(SCHEMES)
    labels = draw(st.lists(LABELS, min_size=1, max_size=5))
    origin = f"{scheme}://{'.'.join(labels)}{draw(PORTS)}"
    mutation = draw(st.sampled_from(["", "upper", "dot", "odd", "comma", "slash"]))
    if mutation == "upper":
        origin = origin.upper()
    elif mutation == "dot":
        origin += "."
    elif mutation == "odd":
        origin = origin.replace(".", draw(st.sampled_from(["}.", "`.", "..", ".-", "_."])), 1)
    elif mutation == "comma":
        origin = f"{origin},{origin}"
    elif mutation == "slash":
        origin += "/"
    return origin


@given(st.lists(entries(), min_size=1, max_size=6), origins())
def test_fast_matcher_agrees_with_naive_reference(entry_list: list[str], origin: str) -> None:
    collector = ProblemCollector()
    parsed = [parse_origin_pattern(e, "allow_origins", collector) for e in entry_list]
    assume(not collector.problems and all(parsed))
    assert allows(tuple(entry_list), origin) is naive_allows(entry_list, origin)


@given(st.lists(entries(), min_size=1, max_size=6), origins())
def test_allowed_origin_is_sent_back_byte_for_byte(entry_list: list[str], origin: str) -> None:
    collector = ProblemCollector()
    parsed = [parse_origin_pattern(e, "allow_origins", collector) for e in entry_list]
    assume(not collector.problems and all(parsed))
    decision = Policy(allow_origins=entry_list).decide("GET", origin)
    sent = dict(decision.headers).get("Access-Control-Allow-Origin")
    assert sent is None or sent == origin  # R17, R54: never anything else


@given(st.text(max_size=80))
def test_arbitrary_text_never_breaks_the_matcher(origin: str) -> None:
    policy = Policy(allow_origins=["https://*.example.com", "https://app.example.com"])
    decision = policy.decide("GET", origin)
    if decision.allowed:
        assert origin == "https://app.example.com" or origin.endswith(".example.com")
        assert origin.isascii() and "\r" not in origin and "\n" not in origin


def test_an_exception_in_the_callable_refuses_logs_and_is_not_cached(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def flaky(origin: str) -> bool:
        calls.append(origin)
        if len(calls) == 1:
            raise ConnectionError("tenant database is down")
        return True

    matcher = OriginMatcher((), (), flaky, 60)
    assert matcher.match("https://t.example") is None
    assert "tenant database is down" in caplog.text
    assert matcher.match("https://t.example") == "https://t.example"
    assert len(calls) == 2


# ---- issue 10: regex lists, trailing dots, empty labels ----------------------------------


def test_regex_list_does_not_renumber_groups_into_a_reflected_origin() -> None:
    # Each alone refuses https://evil.com; joined into one alternation, r2's (?(1)...) read
    # r1's group 1 and let it in, with credentials (V1, V8).
    r1 = r"https://(admin)\.example\.com"
    r2 = r"https://([a-z0-9.-]+)(?(1)\.example\.com|)"
    policy = Policy(allow_origin_regex=[r1, r2], allow_credentials=True)
    assert policy.decide("GET", "https://evil.com").headers == ()
    assert policy.decide("GET", "https://admin.example.com").allowed
    assert policy.decide("GET", "https://x.example.com").allowed


def test_regex_list_keeps_a_backreference_that_works_alone() -> None:
    first = r"https://(www)\.example\.com"
    echoed = r"https://([a-z]+)\.\1\.example\.org"
    policy = Policy(allow_origin_regex=[first, echoed])
    assert policy.decide("GET", "https://ab.ab.example.org").allowed
    assert not policy.decide("GET", "https://ab.cd.example.org").allowed


def test_regex_list_with_a_named_group_used_twice_still_matches_both() -> None:
    policy = Policy(
        allow_origin_regex=[r"https://(?P<t>a+)\.example\.com", r"https://(?P<t>b+)\.example\.net"]
    )
    assert policy.decide("GET", "https://aa.example.com").allowed
    assert policy.decide("GET", "https://bb.example.net").allowed


def test_regex_list_keeps_each_patterns_inline_flags_to_itself() -> None:
    policy = Policy(
        allow_origin_regex=[r"(?i)https://upper\.example\.com", r"https://a+\.example\.com"]
    )
    matcher = OriginMatcher((), policy.allow_origin_regex, None, 0)
    assert matcher.match("https://aa.example.com") is not None
    # The grammar of request origins refuses uppercase before any regex sees it (R36).
    assert matcher.match("https://AA.example.com") is None


# Fragments of patterns that joining could change: numbered and named groups, numbered and
# named backreferences, conditionals on numbers and names, inline and scoped flags.
_REGEX_FRAGMENTS = st.sampled_from(
    [
        "a",
        "b",
        "(a)",
        "(b|)",
        "(?P<n>a|b)",
        "(?P<m>b)",
        r"\1",
        r"\2",
        "(?P=n)",
        "(?(1)a|b)",
        "(?(2)b)",
        "(?(n)a|b)",
        "(?i:a)",
        "(?:ab)?",
        "a*",
        "[ab]",
        ".",
    ]
)
_REGEX_TEXT = st.lists(_REGEX_FRAGMENTS, min_size=1, max_size=5).map("".join)


def _compiled(texts: list[str]) -> tuple[re.Pattern[str], ...]:
    found = []
    for text in texts:
        try:
            found.append(re.compile(text))
        except re.error:
            continue
    return tuple(found)


@given(
    texts=st.lists(
        st.one_of(_REGEX_TEXT, _REGEX_TEXT.map(lambda text: "(?i)" + text)),
        min_size=1,
        max_size=4,
    ),
    subject=st.text(alphabet="abAB", max_size=6),
)
# The reviewer's shape: joined, the conditional reads the first pattern's group 1.
@example(texts=["(a)", "(b)?(?(1)a|b)"], subject="bb")
@example(texts=["(a)", r"(b)\1"], subject="bb")
def test_combined_regexes_answer_as_the_patterns_one_by_one(
    texts: list[str], subject: str
) -> None:
    regexes = _compiled(texts)
    assume(regexes)
    combined = combine_regexes(regexes)
    assert combined is not None
    expected = any(regex.fullmatch(subject) for regex in regexes)
    assert bool(combined(subject)) is expected, (texts, subject)


def test_trailing_dot_in_an_origin_is_refused_with_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origins=["https://*.github.io."], allow_credentials=True)
    found = {problem.code: problem.message for problem in caught.value.errors}
    assert "write 'https://*.github.io'" in found[Code.ORIGIN_WITH_BAD_HOST]
    # The name without the dot is checked too: it is a public suffix.
    assert Code.WILDCARD_OVER_PUBLIC_SUFFIX in found
    for entry in ("https://example.com.", "http://localhost.:8000", "https://*.example.com.:*"):
        assert problems_for(entry)[0] == Code.ORIGIN_WITH_BAD_HOST, entry


def test_trailing_dot_origin_is_never_reflected_by_a_wildcard() -> None:
    policy = Policy(allow_origins=["https://*.example.com"], allow_credentials=True)
    assert not policy.decide("GET", "https://evil.example.com.").allowed


def test_any_port_wildcard_refuses_an_empty_first_label() -> None:
    policy = Policy(allow_origins=["https://*.example.com:*"])
    for origin in ("https://.example.com", "https://.example.com:8443", "https://..example.com"):
        assert policy.decide("GET", origin).headers == (), origin
    assert policy.decide("GET", "https://a.example.com:8443").allowed
