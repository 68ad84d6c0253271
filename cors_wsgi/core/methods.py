"""HTTP methods as CORS sees them: tokens, normalization, safelisted and forbidden names."""

from __future__ import annotations

import re

__all__ = ["FORBIDDEN_METHODS", "OPTIONS", "SAFELISTED_METHODS", "is_token", "normalize_method"]

# RFC 9110 token: the grammar of both method and header names (R23, R48).
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
is_token = _TOKEN.fullmatch

# R2: only a request with this method can be a preflight.
OPTIONS = "OPTIONS"

# R9: byte-exact and case-sensitive; a preflight for these is always answerable.
SAFELISTED_METHODS = frozenset({"GET", "HEAD", "POST"})

# R11: browsers can never send these, so configuring them is a mistake.
FORBIDDEN_METHODS = frozenset({"CONNECT", "TRACE", "TRACK"})

# R10: browsers byte-uppercase exactly these six names and no others.
_NORMALIZED_BY_BROWSERS = frozenset({"DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"})


def normalize_method(method: str) -> str:
    """Uppercase ``method`` if, and only if, browsers would (R10); ``patch`` stays ``patch``."""
    upper = method.upper()
    return upper if upper in _NORMALIZED_BY_BROWSERS else method
