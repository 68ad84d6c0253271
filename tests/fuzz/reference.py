"""A deliberately naive reading of a CORS configuration, to check the fast core against (V20).

Nothing here imports the core's matching, parsing or compiling code: each rule is written
the obvious, slow way, straight from SPEC.md. Wildcard and any-port entries reuse
``naive_allows`` of tests/core/test_origin_matcher.py (extended here to bracketed IPv6 hosts,
which it
does not parse); the rest (the request-origin grammar, regexes, the callable, methods and
request headers) is new.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tests.core.test_origin_matcher import naive_allows

# RFC 9110 tchar, spelled out rather than taken from the core's regex (R23, R48).
TCHARS = frozenset("!#$%&'*+-.^_`|~" + string.digits + string.ascii_letters)
HOST_CHARS = frozenset(string.ascii_lowercase + string.digits + "-_")
IPV6_CHARS = frozenset("0123456789abcdef:.")
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})  # R9
BROWSER_UPPERCASED = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})  # R10
# The documented bounds the core applies before any pattern other than an exact entry.
MAX_ORIGIN_LENGTH = 512
MAX_EMPTY_ELEMENTS = 16


def is_token(value: str) -> bool:
    return bool(value) and all(c in TCHARS for c in value)


def is_port(text: str) -> bool:
    """A port as browsers serialize it: 1 to 65535, no leading zero (R37, R39, R47)."""
    return text.isascii() and text.isdigit() and not text.startswith("0") and int(text) <= 65535


def split_origin(origin: str) -> tuple[str, str, str] | None:
    """(scheme, host, port) of a well-formed serialized origin (R36-R39), else ``None``."""
    scheme, separator, rest = origin.partition("://")
    if not separator or not scheme or not scheme.isascii():
        return None
    if not scheme[0].islower() or not all(
        c in string.ascii_lowercase + string.digits + "+.-" for c in scheme
    ):
        return None
    if rest.startswith("["):
        end = rest.find("]")
        if end < 2 or not all(c in IPV6_CHARS for c in rest[1:end]):
            return None
        host, after = rest[: end + 1], rest[end + 1 :]
        if after and not after.startswith(":"):
            return None
        port = after[1:]
        has_port = bool(after)
    else:
        host, colon, port = rest.partition(":")
        has_port = bool(colon)
        labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
        if not all(label and all(c in HOST_CHARS for c in label) for label in labels):
            return None
    if has_port and not is_port(port):
        return None
    return scheme, host, port


def entry_allows(entry: str, origin: str) -> bool:
    """One wildcard or any-port entry against an origin."""
    if "://[" not in entry:
        return naive_allows([entry], origin)
    # Only "scheme://[v6]:*" is possible: an IPv6 address has no subdomains.
    parts = split_origin(origin)
    return (
        parts is not None
        and entry.endswith(":*")
        and f"{parts[0]}://{parts[1]}" == entry[: -len(":*")]
    )


def request_header_names(value: str) -> list[str] | None:
    """The names in an Access-Control-Request-Headers value (R13), or ``None`` if malformed."""
    names: list[str] = []
    empty = 0
    for element in value.split(","):
        name = element.strip(" \t")
        if not name:
            empty += 1
            continue
        if not is_token(name):
            return None
        names.append(name.lower())
    if empty > MAX_EMPTY_ELEMENTS:
        return None
    return names


def as_list(value: object) -> list[Any]:
    if isinstance(value, str):
        return [value]
    assert isinstance(value, list | tuple)
    return list(value)


@dataclass(frozen=True)
class Reference:
    """What a policy built from ``options`` must answer, computed the slow way."""

    options: Mapping[str, Any]
    exact: frozenset[str] = field(init=False)
    patterns: tuple[str, ...] = field(init=False)
    regexes: tuple[re.Pattern[str], ...] = field(init=False)

    def __post_init__(self) -> None:
        entries = as_list(self.options.get("allow_origins", ()))
        set_ = object.__setattr__
        set_(self, "exact", frozenset(e for e in entries if "*" not in e))
        set_(self, "patterns", tuple(e for e in entries if "*" in e and e != "*"))
        regexes = self.options.get("allow_origin_regex") or ()
        set_(self, "regexes", tuple(re.compile(r) for r in as_list(regexes)))

    @property
    def any_origin(self) -> bool:
        return as_list(self.options.get("allow_origins", ())) == ["*"]

    @property
    def credentials(self) -> bool:
        return bool(self.options.get("allow_credentials", False))

    @property
    def func(self) -> Callable[[str], object] | None:
        func: Callable[[str], object] | None = self.options.get("allow_origin_func")
        return func

    @property
    def any_method(self) -> bool:
        return "*" in as_list(self.options.get("allow_methods", ("GET", "HEAD", "POST")))

    @property
    def methods(self) -> frozenset[str]:
        """The configured methods as browsers send them (R10), plus the safelisted (R9)."""
        configured = as_list(self.options.get("allow_methods", ("GET", "HEAD", "POST")))
        normalized = {m.upper() if m.upper() in BROWSER_UPPERCASED else m for m in configured}
        return frozenset(normalized) | SAFELISTED_METHODS

    @property
    def any_header(self) -> bool:
        return "*" in as_list(self.options.get("allow_headers", ()))

    @property
    def header_names(self) -> frozenset[str]:
        configured = as_list(self.options.get("allow_headers", ()))
        return frozenset(name.lower() for name in configured if name != "*")

    @property
    def exposed(self) -> frozenset[str]:
        return frozenset(as_list(self.options.get("expose_headers", ())))

    def allow_origin(self, origin: str | None) -> str | None:
        """The Access-Control-Allow-Origin value owed to ``origin``, or ``None``."""
        if self.any_origin:
            return "*"
        if origin is None:
            return None
        if origin in self.exact:
            return origin
        if len(origin) > MAX_ORIGIN_LENGTH or split_origin(origin) is None:
            return None  # V9, V14, V19: only well-formed origins reach patterns
        if any(entry_allows(entry, origin) for entry in self.patterns):
            return origin
        # V8, and each pattern alone: its groups, backreferences and conditionals are its
        # own (strategies.ORIGIN_REGEXES draws lists that would clash if joined).
        if any(regex.fullmatch(origin) for regex in self.regexes):
            return origin
        func = self.func
        if func is not None and func(origin) is True:
            return origin
        return None

    def method_allowed(self, request_method: str) -> bool:
        if self.any_method:
            # R45: "*" would be echoed as the wildcard; no browser sends a method named "*".
            return is_token(request_method) and request_method != "*"
        return request_method in self.methods  # case-sensitive (R10)

    def headers_allowed(self, request_headers: str | None) -> bool:
        if not request_headers:
            return True
        names = request_header_names(request_headers)
        if names is None:
            return False
        if self.any_header:
            return "authorization" not in names or "authorization" in self.header_names
        return all(name in self.header_names for name in names)

    def preflight_allowed(
        self, origin: str, request_method: str, request_headers: str | None
    ) -> bool:
        return (
            self.allow_origin(origin) is not None
            and self.method_allowed(request_method)
            and self.headers_allowed(request_headers)
        )

    def request_headers_short_enough(self, request_headers: str | None) -> bool:
        """True when no length cap may refuse this value: shorter than the names it could
        list, each once, comma-separated (or than 4 KiB when any header is allowed)."""
        if not request_headers:
            return True
        if self.any_header:
            return len(request_headers) <= 4096
        return len(request_headers) <= sum(len(name) + 1 for name in self.header_names)
