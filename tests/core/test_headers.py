"""Header rules: the bounded request-headers parser (R13, V18) and Vary merging (R30)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi.core.headers import is_forbidden_request_header, merge_vary, parse_request_headers
from cors_wsgi.core.methods import is_token, normalize_method


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("content-type,x-token", ["content-type", "x-token"]),  # R13: what browsers send
        ("X-Token, Content-Type", ["x-token", "content-type"]),
        (" a ,\tb\t", ["a", "b"]),
        ("a,,b", ["a", "b"]),
        ("", []),
        ("a;b", None),  # R23
        ("a b", None),
        ("a,\x7f", None),
    ],
)
def test_parse_request_headers(value: str, expected: list[str] | None) -> None:
    assert parse_request_headers(value, 1000) == expected


def test_parse_refuses_overlong_values_before_reading_them() -> None:
    assert parse_request_headers("a" * 101, 100) is None
    assert parse_request_headers("," * (1 << 20), 100) is None  # V18


def test_parse_refuses_a_flood_of_empty_elements() -> None:
    # 18 commas between two names are 17 empty elements; 17 commas, 16.
    assert parse_request_headers("a" + "," * 18 + "b", 1000) is None
    assert parse_request_headers("a" + "," * 17 + "b", 1000) == ["a", "b"]


@given(st.lists(st.from_regex(r"[a-z0-9\-]{1,12}", fullmatch=True), max_size=10))
def test_parse_reads_back_what_browsers_write(names: list[str]) -> None:
    browser_value = ",".join(sorted(set(names)))  # R13
    assert parse_request_headers(browser_value, 10_000) == sorted(set(names))


@pytest.mark.parametrize(
    ("existing", "added", "merged"),
    [
        (None, ("Origin",), "Origin"),
        ("", ("Origin",), "Origin"),
        (" , ", ("Origin",), "Origin"),
        ("Accept-Encoding", ("Origin",), "Accept-Encoding, Origin"),
        ("origin", ("Origin",), "origin"),  # never duplicated
        (
            "Cookie, ORIGIN",
            ("Origin", "Access-Control-Request-Method"),
            "Cookie, ORIGIN, Access-Control-Request-Method",
        ),
        ("*", ("Origin",), "*"),  # already varies on everything
        ("Accept,, Cookie", ("Origin",), "Accept, Cookie, Origin"),
    ],
)
def test_merge_vary(existing: str | None, added: tuple[str, ...], merged: str) -> None:
    assert merge_vary(existing, added) == merged


@given(
    st.lists(
        st.sampled_from(["Accept", "origin", "Cookie", "ORIGIN", " "]), unique=True, max_size=4
    )
)
def test_merge_vary_adds_origin_once_and_keeps_the_rest(existing: list[str]) -> None:
    merged = merge_vary(", ".join(existing), ("Origin",))
    names = [n.strip() for n in merged.split(",")]
    lowered = [n.lower() for n in names]
    assert len(lowered) == len(set(lowered))  # each name once, whatever its case
    assert set(lowered) == {n.strip().lower() for n in existing if n.strip()} | {"origin"}


def test_forbidden_request_headers() -> None:
    assert is_forbidden_request_header("cookie")
    assert is_forbidden_request_header("sec-ch-ua")
    assert is_forbidden_request_header("proxy-authorization")
    assert not is_forbidden_request_header("authorization")
    assert not is_forbidden_request_header("x-secret")


def test_methods() -> None:
    assert normalize_method("delete") == "DELETE"
    assert normalize_method("patch") == "patch"  # R10
    assert is_token("PATCH") and not is_token("GE T") and not is_token("")
