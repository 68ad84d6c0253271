"""The look-alike origins a credentialed regex is tried on (V1, V4-V9, V11): however the
pattern writes its names, the attacker's versions of them are found; legitimate patterns,
including ones over names nobody can register, are accepted."""

from __future__ import annotations

import pytest

from cors_wsgi import ConfigError, Policy
from cors_wsgi.core.errors import Code
from cors_wsgi.core.regex_canaries import literal_domains, regex_canaries

# Each pattern refused, with the attacker's origin it would let in with credentials.
# These were accepted once: the name's dots written otherwise than "\.", or the name cut by
# a group, gave no look-alikes to try.
BYPASSES = [
    (r"https://api.example\.com", "https://apixexample.com"),  # V7: the unescaped dot
    (r"^https://api.example.com$", "https://apixexample.com"),
    (r"https://.*example[.]com", "https://attackerexample.com"),
    (r"https://.*example\x2ecom", "https://attackerexample.com"),
    (r"https://.*(example)\.com", "https://attackerexample.com"),
    (r"https://.*example\.(?:com)", "https://attackerexample.com"),
    (r"https://.*(?P<site>example)\.com", "https://attackerexample.com"),
    (r"https://example\.(com|.*)", "https://example.com.attacker.invalid"),
    # V11: anybody can register a site under a public suffix.
    (r"https://[a-z0-9-]+\.github\.io", "https://attacker.github.io"),
    (r"https://myapp-[a-z0-9]+\.herokuapp\.com", "https://myapp-attacker.herokuapp.com"),
]


@pytest.mark.parametrize(("pattern", "attacker"), BYPASSES)
def test_a_credentialed_regex_that_lets_a_look_alike_in_is_refused(
    pattern: str, attacker: str
) -> None:
    assert any(canary == attacker for canary, _ in regex_canaries(pattern))
    with pytest.raises(ConfigError) as caught:
        Policy(allow_origin_regex=pattern, allow_credentials=True)
    (problem,) = caught.value.errors
    assert problem.code == Code.REGEX_MATCHES_ANY_ORIGIN
    assert problem.option == "allow_origin_regex"
    # The refused pattern really lets some look-alike in: the message names one.
    named = problem.message.split("'")[1]
    assert Policy(allow_origin_regex=pattern).decide("GET", named).allowed


@pytest.mark.parametrize(
    "pattern",
    [
        r"https://[a-z0-9-]+\.example\.com",
        r"https://(www\.)?example\.com",
        r"https://app\.example\.co\.uk",
        r"https://[a-z]+\.example\.com:8443",
        # Names nobody can register publicly: a pattern over them trusts local machines.
        r"https://[a-z0-9-]+\.localhost(:[0-9]+)?",
        r"https://.*\.internal",
        r"https://[a-z]+\.test",
    ],
)
def test_a_credentialed_regex_anchored_to_a_name_is_accepted(pattern: str) -> None:
    assert Policy(allow_origin_regex=pattern, allow_credentials=True).allow_origin_regex


def test_the_unescaped_dot_is_told_apart_from_an_escaped_one() -> None:
    assert literal_domains(r"https://api.example\.com") == ["api\x02example.com"]
    assert literal_domains(r"https://api\.example\.com") == ["api.example.com"]
    message = dict(regex_canaries(r"https://api.example\.com"))["https://apixexample.com"]
    assert "unescaped '.'" in message
    assert "write '\\.'" in message
