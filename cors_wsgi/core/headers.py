"""Header names, header-name rules, the bounded Access-Control-Request-Headers parser and Vary."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cors_wsgi.core.methods import is_token

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ALLOW_CREDENTIALS",
    "ALLOW_HEADERS",
    "ALLOW_METHODS",
    "ALLOW_ORIGIN",
    "ALLOW_PRIVATE_NETWORK",
    "ANY",
    "EXPOSE_HEADERS",
    "MAX_AGE",
    "ORIGIN",
    "OWNED_RESPONSE_HEADERS",
    "REQUEST_HEADERS",
    "REQUEST_METHOD",
    "REQUEST_PRIVATE_NETWORK",
    "VARY",
    "merge_vary",
    "parse_request_headers",
]

# The wildcard of the CORS lists (allowed origins, methods, request and exposed headers),
# written once; R20, R21, R22, R32 say where browsers honour it.
ANY = "*"

# Canonical spelling of every header this package reads or writes (R53), named once.
ORIGIN = "Origin"
REQUEST_METHOD = "Access-Control-Request-Method"
REQUEST_HEADERS = "Access-Control-Request-Headers"
REQUEST_PRIVATE_NETWORK = "Access-Control-Request-Private-Network"
ALLOW_ORIGIN = "Access-Control-Allow-Origin"
ALLOW_CREDENTIALS = "Access-Control-Allow-Credentials"
ALLOW_METHODS = "Access-Control-Allow-Methods"
ALLOW_HEADERS = "Access-Control-Allow-Headers"
ALLOW_PRIVATE_NETWORK = "Access-Control-Allow-Private-Network"
EXPOSE_HEADERS = "Access-Control-Expose-Headers"
MAX_AGE = "Access-Control-Max-Age"
VARY = "Vary"
CONTENT_TYPE = "Content-Type"
CONTENT_LENGTH = "Content-Length"

# The response headers this package owns: in CORS scope, any copy the app set is replaced,
# so that there is exactly one Access-Control-Allow-Origin line (R18).
OWNED_RESPONSE_HEADERS: tuple[str, ...] = (
    ALLOW_ORIGIN,
    ALLOW_CREDENTIALS,
    ALLOW_METHODS,
    ALLOW_HEADERS,
    ALLOW_PRIVATE_NETWORK,
    EXPOSE_HEADERS,
    MAX_AGE,
)
OWNED_RESPONSE_HEADERS_LOWER = frozenset(name.lower() for name in OWNED_RESPONSE_HEADERS)

# R14: names scripts can never set, so allowing them is a configuration mistake.
FORBIDDEN_REQUEST_HEADERS = frozenset(
    {
        "accept-charset",
        "accept-encoding",
        "access-control-request-headers",
        "access-control-request-method",
        "access-control-request-private-network",
        "connection",
        "content-length",
        "cookie",
        "cookie2",
        "date",
        "dnt",
        "expect",
        "host",
        "keep-alive",
        "origin",
        "referer",
        "set-cookie",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "via",
    }
)
FORBIDDEN_REQUEST_HEADER_PREFIXES = ("proxy-", "sec-")

# R48: the response-only CORS names (OWNED_RESPONSE_HEADERS_LOWER) make no sense as request
# headers, and request-only names (or names browsers never expose, R32) make no sense as exposed.
UNEXPOSABLE_RESPONSE_HEADERS = frozenset(
    {
        "origin",
        "access-control-request-method",
        "access-control-request-headers",
        "access-control-request-private-network",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
        "set-cookie",
        "set-cookie2",
    }
)

# R22: never covered by "*" in Access-Control-Allow-Headers.
AUTHORIZATION = "authorization"

# Whitespace that RFC 9110 allows around list elements (OWS).
_OWS = " \t"
# V18: a flood of empty list elements ("a,,,,,,b") is refused after this many.
MAX_EMPTY_ELEMENTS = 16


def parse_request_headers(
    value: str, max_length: int, known: frozenset[str] = frozenset()
) -> list[str] | None:
    """Parse an Access-Control-Request-Headers value into lowercased names.

    Accepts any case, any order, optional whitespace and several header lines joined by
    ``,`` (R13). Returns ``None`` for a value that is longer than ``max_length``, holds
    more than a few empty elements, or holds anything that is not a header-name token.
    The length check comes first, so a megabyte of commas costs what a short value costs
    (V18). ``known`` are lowercase tokens (the allowed names), taken without a second
    look at their characters.
    """
    if len(value) > max_length:
        return None
    if not value.isascii():
        # No token holds a non-ASCII character; refusing first also keeps lower() from
        # folding one into ASCII (the Kelvin sign into "k").
        return None
    names: list[str] = []
    empty_elements = 0
    for element in value.lower().split(","):
        name = element.strip(_OWS)
        if name in known:
            names.append(name)
            continue
        if not name:
            empty_elements += 1
            if empty_elements > MAX_EMPTY_ELEMENTS:
                return None
            continue
        if not is_token(name):
            return None
        names.append(name)
    return names


def merge_vary(existing: str | None, names: Iterable[str]) -> str:
    """Return one Vary value holding ``existing``'s names plus ``names``, each once (R30).

    Comparison is case-insensitive, the order of existing names is kept, and a ``*`` in
    ``existing`` (which already varies on everything) is left alone.
    """
    if not existing or not existing.strip(_OWS + ","):
        return ", ".join(names)
    merged: dict[str, str] = {}  # lowercased name -> the first spelling seen
    for element in existing.split(","):
        name = element.strip(_OWS)
        if name:
            merged.setdefault(name.lower(), name)
    if ANY not in merged:
        for name in names:
            merged.setdefault(name.lower(), name)
    return ", ".join(merged.values())


def is_forbidden_request_header(name: str) -> bool:
    """True for names a script can never set (R14); ``name`` must be lowercase."""
    return name in FORBIDDEN_REQUEST_HEADERS or name.startswith(FORBIDDEN_REQUEST_HEADER_PREFIXES)
