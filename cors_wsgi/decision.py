"""The outcome of the CORS algorithm for one request, and how it changes a response."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from cors_wsgi.headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    OWNED_RESPONSE_HEADERS_LOWER,
    VARY,
    merge_vary,
)

if TYPE_CHECKING:
    from cors_wsgi.errors import Vocabulary

__all__ = ["Decision", "HeaderList", "ReasonValues", "make_decision", "vary_line"]

HeaderList = list[tuple[str, str]]

# Skips NamedTuple's argument handling: decisions are built on the request path.
_new_decision = tuple.__new__

_EMPTY_BODY_HEADERS = ((CONTENT_TYPE, "text/plain; charset=utf-8"), (CONTENT_LENGTH, "0"))
# Response header names, as applications commonly spell them, that decorate() never replaces.
_COMMON_OTHER_NAMES = frozenset(
    spelling
    for name in (
        "Content-Type",
        "Content-Length",
        "Content-Encoding",
        "Content-Language",
        "Content-Disposition",
        "Content-Security-Policy",
        "Cache-Control",
        "Date",
        "ETag",
        "Expires",
        "Last-Modified",
        "Location",
        "Server",
        "Set-Cookie",
        "Strict-Transport-Security",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "X-Frame-Options",
    )
    for spelling in (name, name.lower())
)
# The names decorate() takes out of the app's headers: our own, and Vary, which it merges.
_REPLACED_LOWER = OWNED_RESPONSE_HEADERS_LOWER | {"vary"}


ReasonValues = tuple[tuple[str, object], ...]


def vary_line(vary: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """The Vary header line for ``vary`` (none for no names): joined once, at compile time."""
    return ((VARY, ", ".join(vary)),) if vary else ()


def make_decision(
    preflight: bool,
    answer_here: bool,
    allowed: bool,
    status: int | None,
    headers: tuple[tuple[str, str], ...],
    vary: tuple[str, ...],
    reason_template: str,
    reason_values: ReasonValues = (),
) -> Decision:
    """A :class:`Decision` from its fields, with ``header_lines`` derived from them."""
    lines = (*headers, *vary_line(vary))
    return _new_decision(
        Decision,
        (
            preflight,
            answer_here,
            allowed,
            status,
            headers,
            vary,
            reason_template,
            reason_values,
            lines,
        ),
    )


class Decision(NamedTuple):
    """What to do with one request, and why.

    - ``preflight``: the request is a CORS preflight (R2).
    - ``answer_here``: the adapter must answer it with :meth:`preflight_response` and never
      call the application (R7); false for every other request, and for preflights under
      ``preflight_passthrough``.
    - ``allowed``: the request passed every check (a request without Origin passes).
    - ``status``: the status of the preflight answer (``None`` for other requests).
    - ``headers``: the CORS headers to set, in order; ``vary``: the names to merge into Vary.
    - ``reason_template`` and ``reason_values``: why, as a ``%``-style template and the
      values that fill it (request values already cut short, so that no header floods a
      log line); :attr:`reason` is the sentence. It is only formatted when something reads
      it, never on the request path. A value whose key ends in ``option`` is the name of a
      :class:`~cors_wsgi.Policy` keyword, which an adapter may replace by the name its
      user wrote.
    - ``header_lines``: ``headers`` followed by the Vary line, computed once: what is
      appended to a response that has no Vary or CORS header of its own.

    Build one with :func:`make_decision`, which derives ``header_lines``.

    Decisions are immutable tuples and may be shared between requests and threads (R55, V21).
    """

    preflight: bool
    answer_here: bool
    allowed: bool
    status: int | None
    headers: tuple[tuple[str, str], ...]
    vary: tuple[str, ...]
    reason_template: str
    reason_values: ReasonValues
    header_lines: tuple[tuple[str, str], ...]

    @property
    def reason(self) -> str:
        """One sentence naming why the request was allowed or refused, for logs and debugging."""
        return self.reason_template % dict(self.reason_values)

    def reason_in(self, vocabulary: Vocabulary) -> str:
        """:attr:`reason` in the words of an adapter: its option names and fixes.

        Only the template and the option names are translated; request values (a header
        name, a method) are quoted as they came, whatever they look like.
        """
        values = {
            key: vocabulary.name(str(value)) if key.endswith("option") else value
            for key, value in self.reason_values
        }
        return vocabulary.render(self.reason_template) % values

    def preflight_response(self) -> tuple[int, HeaderList]:
        """The status and complete header list of the answer to a preflight (empty body)."""
        status = self.status if self.status is not None else 204
        headers = list(self.header_lines)
        if status != 204:
            # R27: a 204 carries no body headers; any other status says its body is empty.
            headers.extend(_EMPTY_BODY_HEADERS)
        return status, headers

    def decorate(self, headers: HeaderList) -> HeaderList:
        """Return the app's header list with CORS applied (a new list; ``headers`` is untouched).

        Copies of the CORS response headers the app set itself are dropped, so that exactly
        one of each goes out (R18); the app's Vary lines and ours become one line (R30).
        """
        for name, _ in headers:
            # Every replaced name starts with "a" or "v": only those are lowercased. The
            # commonest names skip even that test with one set lookup.
            if (
                name not in _COMMON_OTHER_NAMES
                and name[:1] in "aAvV"
                and name.lower() in _REPLACED_LOWER
            ):
                return self._merge_into(headers)
        return [*headers, *self.header_lines]

    def _merge_into(self, headers: HeaderList) -> HeaderList:
        """decorate() for an app that set Vary or CORS headers of its own."""
        decorated = [header for header in headers if header[0].lower() not in _REPLACED_LOWER]
        existing_vary = ", ".join(value for name, value in headers if name.lower() == "vary")
        decorated += self.headers
        if self.vary:
            decorated.append((VARY, merge_vary(existing_vary, self.vary)))
        elif existing_vary:
            decorated.append((VARY, existing_vary))
        return decorated

    def header_updates(self, existing_vary: str | None) -> HeaderList:
        """The headers to set on a mapping-style response, after deleting
        :data:`cors_wsgi.headers.OWNED_RESPONSE_HEADERS` from it.

        ``existing_vary`` is the response's current Vary value (several lines joined by
        ``", "``) or ``None``; the merged Vary is included when this decision adds to it.
        """
        updates = list(self.headers)
        if self.vary:
            updates.append((VARY, merge_vary(existing_vary, self.vary)))
        return updates
