"""The response side: the head of a response as CORS reads it, and its header lists."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cors_wsgi.browser.fetch.request import HTTP_WHITESPACE
from cors_wsgi.core.methods import is_token

# R15: the Fetch standard's "ok status".
OK_STATUSES = range(200, 300)
# The redirect statuses browsers follow (§redirect-status).
# Where a redirect points; the browser follows it (or, for a preflight, refuses it).
LOCATION = "Location"
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# §cors-safelisted-response-header-name (R32): readable without being exposed.
SAFELISTED_RESPONSE_HEADERS = frozenset(
    {
        "cache-control",
        "content-language",
        "content-length",
        "content-type",
        "expires",
        "last-modified",
        "pragma",
    }
)
# §forbidden-response-header-name: never readable, whatever the server exposes.
FORBIDDEN_RESPONSE_HEADERS = frozenset({"set-cookie", "set-cookie2"})


@dataclass(frozen=True)
class ResponseHead:
    """What CORS looks at in a response: the status and the header lines, in order.

    Values are kept with surrounding whitespace removed, as HTTP parsers deliver them.
    """

    status: int
    headers: tuple[tuple[str, str], ...] = ()

    @classmethod
    def create(
        cls, status: int | str, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()
    ) -> ResponseHead:
        """Build from a status (``204`` or a WSGI status line ``"204 No Content"``) and
        headers (a mapping or ``(name, value)`` pairs; repeated names stay separate)."""
        code = int(status.split(None, 1)[0]) if isinstance(status, str) else int(status)
        pairs = headers.items() if isinstance(headers, Mapping) else headers
        return cls(code, tuple((str(n), str(v).strip(HTTP_WHITESPACE)) for n, v in pairs))

    def get(self, name: str) -> str | None:
        """The header's value as browsers read it: every line joined by ``", "`` (R18),
        or ``None`` when absent (§concept-header-list-get)."""
        wanted = name.lower()
        values = [value for key, value in self.headers if key.lower() == wanted]
        return ", ".join(values) if values else None

    def values(self, name: str) -> list[str] | None:
        """The header's lines, or ``None`` when absent."""
        wanted = name.lower()
        values = [value for key, value in self.headers if key.lower() == wanted]
        return values or None

    @property
    def names(self) -> tuple[str, ...]:
        """The header names present, lowercased, each once, in order of appearance."""
        return tuple(dict.fromkeys(name.lower() for name, _ in self.headers))


class ListSyntaxError(ValueError):
    """A header that must be a comma-separated list of tokens is not one (R23)."""


def extract_list(response: ResponseHead, name: str) -> list[str] | None:
    """§extract-header-list-values for a ``#token`` list: ``None`` when absent, else the
    items (empty elements skipped); raises :class:`ListSyntaxError` when a line does not
    parse (R23)."""
    lines = response.values(name)
    if lines is None:
        return None
    items: list[str] = []
    for line in lines:
        for element in line.split(","):
            item = element.strip(" \t")
            if not item:
                continue
            if not is_token(item):
                raise ListSyntaxError(name)
            items.append(item)
    return items
