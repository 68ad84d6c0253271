"""Chromium's console texts: the wording a developer saw, chosen as Chromium chooses it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
VALID_VALUE = " Have the server send the header with a valid value."
# A value Chromium can parse as a URL, for choosing its wording only (see _origin_failure).
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:.*", re.DOTALL)
_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})


def parses_as_url(value: str) -> bool:
    """Roughly whether Chromium's URL parser accepts ``value`` (only chooses wording)."""
    if _URL_LIKE.fullmatch(value) is None:
        return False
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in _SPECIAL_SCHEMES:
        return True
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    return bool(parts.hostname) and rest.startswith("//") and ";" not in parts.netloc
