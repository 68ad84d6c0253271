"""The outcome of the CORS algorithm for one request, and how it changes a response."""

from __future__ import annotations

from cors_wsgi.headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    OWNED_RESPONSE_HEADERS_LOWER,
    VARY,
    merge_vary,
)

__all__ = ["Decision", "HeaderList"]

HeaderList = list[tuple[str, str]]

_EMPTY_BODY_HEADERS = ((CONTENT_TYPE, "text/plain; charset=utf-8"), (CONTENT_LENGTH, "0"))


class Decision:
    """What to do with one request, and why.

    - ``preflight``: the request is a CORS preflight (R2).
    - ``answer_here``: the adapter must answer it with :meth:`preflight_response` and never
      call the application (R7); false for every other request, and for preflights under
      ``preflight_passthrough``.
    - ``allowed``: the request passed every check (a request without Origin passes).
    - ``status``: the status of the preflight answer (``None`` for other requests).
    - ``headers``: the CORS headers to set, in order; ``vary``: the names to merge into Vary.
    - ``reason``: one sentence naming the rule that decided, for logs and debugging.

    Decisions are immutable and may be shared between requests and threads (R55, V21).
    """

    __slots__ = ("_reason", "allowed", "answer_here", "headers", "preflight", "status", "vary")

    preflight: bool
    answer_here: bool
    allowed: bool
    status: int | None
    headers: tuple[tuple[str, str], ...]
    vary: tuple[str, ...]
    _reason: str

    def __init__(
        self,
        *,
        preflight: bool,
        answer_here: bool,
        allowed: bool,
        status: int | None,
        headers: tuple[tuple[str, str], ...],
        vary: tuple[str, ...],
        reason: str,
    ) -> None:
        setter = object.__setattr__
        setter(self, "preflight", preflight)
        setter(self, "answer_here", answer_here)
        setter(self, "allowed", allowed)
        setter(self, "status", status)
        setter(self, "headers", headers)
        setter(self, "vary", vary)
        setter(self, "_reason", reason)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable")

    @property
    def reason(self) -> str:
        """Why the request was allowed or refused, in one sentence."""
        return self._reason

    def __repr__(self) -> str:
        return (
            f"Decision(preflight={self.preflight}, allowed={self.allowed}, "
            f"status={self.status}, headers={self.headers!r}, vary={self.vary!r}, "
            f"reason={self._reason!r})"
        )

    def preflight_response(self) -> tuple[int, HeaderList]:
        """The status and complete header list of the answer to a preflight (empty body)."""
        status = self.status if self.status is not None else 204
        headers = list(self.headers)
        if self.vary:
            headers.append((VARY, ", ".join(self.vary)))
        if status != 204:
            # R27: a 204 carries no body headers; any other status says its body is empty.
            headers.extend(_EMPTY_BODY_HEADERS)
        return status, headers

    def decorate(self, headers: HeaderList) -> HeaderList:
        """Return the app's header list with CORS applied (a new list; ``headers`` is untouched).

        Copies of the CORS response headers the app set itself are dropped, so that exactly
        one of each goes out (R18); the app's Vary lines and ours become one line (R30).
        """
        decorated: HeaderList = []
        existing_vary: str | None = None
        for header in headers:
            lower = header[0].lower()
            if lower in OWNED_RESPONSE_HEADERS_LOWER:
                continue
            if lower == "vary":
                existing_vary = (
                    header[1] if existing_vary is None else f"{existing_vary}, {header[1]}"
                )
                continue
            decorated.append(header)
        decorated.extend(self.headers)
        if self.vary:
            decorated.append((VARY, merge_vary(existing_vary, self.vary)))
        elif existing_vary is not None:
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
