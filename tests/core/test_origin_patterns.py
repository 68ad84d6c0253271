"""Origin patterns: allow-list parsing into canonical forms (R36-R42, R47)."""

from __future__ import annotations

import re

import pytest

from cors_wsgi import ConfigError, Policy
from cors_wsgi.core.errors import Code, ProblemCollector
from cors_wsgi.core.origin_patterns import OriginPattern, parse_origin_pattern
from tests.core.origin_testing import problems_for

# ---- configuration: each refused entry names its problem (R47) -------------------------

REFUSED_ENTRIES = [
    ("frontend-app.yourdomain.com", Code.ORIGIN_WITHOUT_SCHEME, "scheme-less (V17)"),
    ("frontend-app2.yourdomain.com:7000", Code.ORIGIN_WITHOUT_SCHEME, "scheme-less with port"),
    ("https://app.example.com/", Code.ORIGIN_WITH_PATH, "trailing slash (R36)"),
    ("https://app.example.com/api", Code.ORIGIN_WITH_PATH, "path (R36)"),
    ("https://app.example.com?x=1", Code.ORIGIN_WITH_PATH, "query (R36)"),
    ("https://app.example.com#top", Code.ORIGIN_WITH_PATH, "fragment (R36)"),
    ("https://user:pw@app.example.com", Code.ORIGIN_WITH_USERINFO, "userinfo (R36)"),
    ("https://App.Example.com", Code.ORIGIN_NOT_LOWERCASE, "uppercase host (R36)"),
    ("HTTPS://app.example.com", Code.ORIGIN_NOT_LOWERCASE, "uppercase scheme (R36)"),
    ("https://app.example.com:443", Code.ORIGIN_WITH_DEFAULT_PORT, "default https port (R37)"),
    ("http://app.example.com:80", Code.ORIGIN_WITH_DEFAULT_PORT, "default http port (R37)"),
    (" http://10.0.0.1:8000 ", Code.ORIGIN_WITH_WHITESPACE, "surrounding whitespace"),
    ("https://a.example.com:0", Code.ORIGIN_WITH_BAD_PORT, "port 0 (R47)"),
    ("https://a.example.com:65536", Code.ORIGIN_WITH_BAD_PORT, "port > 65535 (R47)"),
    ("https://a.example.com:08080", Code.ORIGIN_WITH_BAD_PORT, "leading zero (R47)"),
    ("https://a.example.com:", Code.ORIGIN_WITH_BAD_PORT, "empty port"),
    ("https://a.example.comhttps://b.example.com", Code.ORIGINS_RUN_TOGETHER, "missing comma"),
    ("https://a.example.com,https://b.example.com", Code.ORIGINS_RUN_TOGETHER, "one string"),
    ("https://a.example.com https://b.example.com", Code.ORIGINS_RUN_TOGETHER, "space-joined"),
    ("null", Code.ORIGIN_NULL, "null is attacker-controlled (V3)"),
    ("file://", Code.ORIGIN_OPAQUE_SCHEME, "file: origins are opaque (R40)"),
    ("data://x", Code.ORIGIN_OPAQUE_SCHEME, "data: origins are opaque (R40)"),
    ("https://bücher.example", Code.ORIGIN_WITH_BAD_HOST, "Unicode host, not Punycode (R38)"),
    ("http://127.1", Code.ORIGIN_WITH_BAD_HOST, "non-canonical IPv4 (R39)"),
    ("http://127.000.0.1", Code.ORIGIN_WITH_BAD_HOST, "leading zeros in IPv4 (R39)"),
    ("http://[0:0:0:0:0:0:0:1]", Code.ORIGIN_WITH_BAD_HOST, "uncompressed IPv6 (R39)"),
    ("http://[::1", Code.ORIGIN_WITH_BAD_HOST, "unterminated IPv6"),
    ("https://exa mple.com", Code.ORIGINS_RUN_TOGETHER, "space inside"),
    ("https://ex}ample.com", Code.ORIGIN_WITH_BAD_HOST, "odd host character (V9)"),
    ("https://", Code.ORIGIN_WITH_BAD_HOST, "no host"),
    ("https://*", Code.BAD_WILDCARD, "bare wildcard host"),
    ("https://*example.com", Code.BAD_WILDCARD, "wildcard without a label boundary (V5)"),
    ("https://a.*.example.com", Code.BAD_WILDCARD, "wildcard in the middle"),
    ("https://*.[::1]", Code.BAD_WILDCARD, "wildcard over an IPv6 address"),
    ("https://*.10.0.0.1", Code.BAD_WILDCARD, "wildcard over an IPv4 address"),
    ("https://*.com", Code.WILDCARD_OVER_PUBLIC_SUFFIX, "wildcard over a TLD (V11)"),
    ("https://*.github.io", Code.WILDCARD_OVER_PUBLIC_SUFFIX, "wildcard over github.io (V11)"),
    ("https://*.co.uk", Code.WILDCARD_OVER_PUBLIC_SUFFIX, "wildcard over co.uk (V11)"),
    ("", Code.EMPTY_ORIGIN, "empty string"),
    ("*", Code.WRONG_TYPE, "'*' inside a list"),
    (42, Code.WRONG_TYPE, "not a string"),
]


@pytest.mark.parametrize(
    ("entry", "code"),
    [(e, c) for e, c, _ in REFUSED_ENTRIES],
    ids=[i for _, _, i in REFUSED_ENTRIES],
)
def test_refused_entries_report_their_code(entry: object, code: str) -> None:
    assert code in problems_for(entry)


def test_each_refusal_message_names_the_fix() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(
            allow_origins=[
                "frontend-app.yourdomain.com",
                "https://x.example.com/",
                "https://X.example.com",
            ]
        )
    messages = [problem.message for problem in caught.value.errors]
    assert "'https://frontend-app.yourdomain.com'" in messages[0]
    assert "'https://x.example.com'" in messages[1]
    assert "'https://x.example.com'" in messages[2]


def test_whitespace_and_missing_scheme_are_both_reported() -> None:
    assert problems_for(" 10.0.0.1:8000 ") == [
        Code.ORIGIN_WITH_WHITESPACE,
        Code.ORIGIN_WITHOUT_SCHEME,
    ]


def test_unicode_host_message_gives_the_punycode() -> None:
    collector = ProblemCollector()
    parse_origin_pattern("https://bücher.example", "allow_origins", collector)
    assert "xn--bcher-kva.example" in collector.problems[0].message


@pytest.mark.parametrize(
    "entry",
    [
        "https://app.example.com",
        "http://localhost:8000",
        "http://127.0.0.1:5173",
        "http://[::1]:3000",
        "https://xn--bcher-kva.example",
        "https://*.example.com",
        "http://localhost:*",
        "https://*.example.com:*",
        "http://*.localhost",
        "chrome-extension://abcdefghijklmnop",
    ],
)
def test_accepted_entries(entry: str) -> None:
    assert problems_for(entry) == []


def test_parsed_pattern_keeps_the_label_boundary() -> None:
    pattern = parse_origin_pattern("https://*.example.com", "allow_origins", ProblemCollector())
    assert pattern == OriginPattern(
        text="https://*.example.com", scheme="https", host=".example.com", port="", subdomains=True
    )


@pytest.mark.parametrize(
    "entry",
    [
        "HTTPS://B.example.com",
        "HTTPS://b.example.com/path",
        "https://B.example.com",
        "https://app.example.com/",
        "https://user@app.example.com",
        "https://app.example.com:443",
        "http://localhost:80",
        "app.example.com",
        "HTTP://LOCALHOST:3000",
    ],
)
def test_every_origin_a_message_tells_you_to_write_is_accepted(entry: str) -> None:
    # A fix that is refused in turn sends the user round in circles (the review found
    # 'HTTPS://B.example.com' -> "write 'https://B.example.com'", itself refused).
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origins=[entry])
    suggested = re.findall(r"write '([a-z][a-z0-9+.-]*://[^']*)'", caught.value.errors[0].message)
    assert suggested, caught.value.errors[0].message
    Policy(allow_origins=[suggested[0]])


def test_a_host_level_fix_says_it_is_the_host() -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origins=["https://münchen.de"])
    assert "write the host as 'xn--mnchen-3ya.de'" in caught.value.errors[0].message
