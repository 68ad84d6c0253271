"""The request side of the browser's check (cors_wsgi.browser.fetch.request): which
requests are preflighted, what the preflight and the actual request carry, what a script
may not set."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi.browser.fetch import (
    BrowserRequest,
    cors_unsafe_request_header_names,
    is_safelisted_request_header,
    needs_preflight,
    parse_header_argument,
)

ORIGIN = "https://app.example.com"

Headers = tuple[tuple[str, str], ...]


# ---- which requests are preflighted (R9, R12, R13)


@pytest.mark.parametrize(
    ("name", "value", "safelisted"),
    [
        ("Accept", "application/json", True),
        ("accept", "text/html, */*;q=0.8", True),
        ("Accept", 'x"y', False),  # a CORS-unsafe byte
        ("Accept", "a" * 129, False),  # over 128 bytes
        ("Accept-Language", "en-US,en;q=0.9", True),
        ("Content-Language", "de-DE", True),
        ("Accept-Language", "en_US", False),  # "_" is not allowed there
        ("Content-Type", "text/plain", True),
        ("Content-Type", "text/plain;charset=UTF-8", True),
        ("Content-Type", "  Multipart/Form-Data ; boundary=x", True),
        ("content-type", "application/x-www-form-urlencoded", True),
        ("Content-Type", "application/json", False),
        ("Content-Type", "text/plain; x=(1)", False),  # "(" is a CORS-unsafe byte
        ("Content-Type", "text", False),  # no subtype
        ("Content-Type", "text/", False),
        ("Content-Type", "te xt/plain", False),
        ("Range", "bytes=0-", True),
        ("Range", "bytes=0-499", True),
        ("Range", "BYTES=5-5", True),
        ("Range", "bytes=-500", False),  # a suffix range is not simple
        ("Range", "bytes=9-1", False),
        ("Range", "bytes=0-1,3-4", False),
        ("Range", "items=0-1", False),
        ("X-Requested-With", "XMLHttpRequest", False),
        ("Authorization", "Bearer x", False),
    ],
)
def test_safelisted_request_headers_r12(name: str, value: str, safelisted: bool) -> None:
    assert is_safelisted_request_header(name, value) is safelisted


@pytest.mark.parametrize(
    ("method", "headers", "force", "expected"),
    [
        pytest.param("GET", (), False, False, id="R9-get"),
        pytest.param("head", (), False, False, id="R10-head-normalized"),
        pytest.param("POST", (("Content-Type", "text/plain"),), False, False, id="R12-form"),
        pytest.param("PUT", (), False, True, id="R9-put"),
        pytest.param("patch", (), False, True, id="R10-patch-stays-lowercase"),
        pytest.param("GET", (("X-Token", "a"),), False, True, id="R12-custom-header"),
        pytest.param("POST", (("Content-Type", "application/json"),), False, True, id="R12-json"),
        pytest.param("GET", (), True, True, id="R9-use-cors-preflight-flag"),
    ],
)
def test_needs_preflight_r9_r12(
    method: str, headers: Headers, force: bool, expected: bool
) -> None:
    assert needs_preflight(method, headers, force=force) is expected


def test_unsafe_header_names_are_lowercased_sorted_unique_r13() -> None:
    names = cors_unsafe_request_header_names(
        [("X-B", "1"), ("Content-Type", "application/json"), ("x-b", "2"), ("Accept", "x")]
    )
    assert names == ("content-type", "x-b")


def test_safelisted_headers_over_1024_bytes_in_total_become_unsafe_r12() -> None:
    headers = [
        ("Accept", "a" * 128),
        ("Accept-Language", "b" * 128),
        ("Content-Language", "c" * 128),
    ] * 3
    assert cors_unsafe_request_header_names(headers[:3]) == ()
    assert cors_unsafe_request_header_names(headers) == (
        "accept",
        "accept-language",
        "content-language",
    )


def test_preflight_and_actual_headers_are_what_a_browser_sends_r13() -> None:
    request = BrowserRequest.create(
        origin=ORIGIN,
        method="put",
        request_headers={"X-Token": "t", "Content-Type": "application/json", "Cookie": "a=b"},
    )
    assert request.method == "PUT"  # R10
    assert request.dropped_headers == ("Cookie",)  # R14: scripts cannot set it
    assert request.preflight_headers() == [
        ("Origin", ORIGIN),
        ("Accept", "*/*"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", "content-type,x-token"),
    ]
    assert request.actual_headers() == [
        ("Origin", ORIGIN),
        ("Accept", "*/*"),
        ("X-Token", "t"),
        ("Content-Type", "application/json"),
    ]
    with_accept = BrowserRequest.create(origin=ORIGIN, request_headers=["Accept: text/csv"])
    assert with_accept.actual_headers() == [("Origin", ORIGIN), ("Accept", "text/csv")]
    assert with_accept.preflight_headers()[-1] == ("Access-Control-Request-Method", "GET")


@pytest.mark.parametrize(
    ("header", "dropped"),
    [
        (("X-HTTP-Method-Override", "TRACE"), True),
        (("X-Method-Override", "get, track"), True),
        (("X-HTTP-Method", "PUT"), False),
        (("Sec-Fetch-Mode", "cors"), True),
        (("Proxy-Authorization", "x"), True),
        (("Host", "evil.example"), True),
    ],
)
def test_forbidden_request_headers_are_dropped_r14(header: tuple[str, str], dropped: bool) -> None:
    request = BrowserRequest.create(origin=ORIGIN, request_headers=[header])
    assert (request.dropped_headers == (header[0],)) is dropped
    assert (request.headers == ()) is dropped


def test_header_arguments_parse_like_curl() -> None:
    assert parse_header_argument("X-Token:  abc ") == ("X-Token", "abc")
    assert parse_header_argument("X-Empty") == ("X-Empty", "")
    with pytest.raises(ValueError, match="valid header name"):
        parse_header_argument("Bad Name: x")


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["X-A", "x-a", "Accept", "Content-Type", "Range", "X-B"]),
            st.text(max_size=140),
        ),
        max_size=8,
    )
)
def test_unsafe_names_are_sorted_lowercase_unique_r13(headers: list[tuple[str, str]]) -> None:
    names = cors_unsafe_request_header_names(headers)
    assert list(names) == sorted(set(names))
    assert all(name == name.lower() for name in names)
    assert {name.lower() for name, _ in headers} >= set(names)
    assert needs_preflight("GET", headers) is bool(names)
