"""A decision applied to header lists of byte strings, the form ASGI servers speak.

The rules are :class:`~cors_wsgi.Decision`'s (the CORS headers the app set are replaced,
Vary becomes one merged line, R18, R30); only the spelling changes: names are lowercase
bytes, as the ASGI specification asks, and values latin-1 bytes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from cors_wsgi.headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    OWNED_RESPONSE_HEADERS,
    OWNED_RESPONSE_HEADERS_LOWER,
    VARY,
    merge_vary,
)

if TYPE_CHECKING:
    from cors_wsgi.decision import Decision

__all__ = ["ByteHeaders", "decorate_bytes", "preflight_response_bytes"]

ByteHeaders = list[tuple[bytes, bytes]]
_ByteLines = tuple[tuple[bytes, bytes], ...]

_VARY = VARY.lower().encode("latin-1")
# The names decorate_bytes() takes out of the app's headers: our own, and Vary, which it merges.
_REPLACED = frozenset(name.encode("latin-1") for name in OWNED_RESPONSE_HEADERS_LOWER) | {_VARY}
# Each replaced name starts with "a" or "v" (either case): other names are never lowercased.
_REPLACED_FIRST_BYTES = frozenset(b"aAvV")

# Encoded lines by decision. Decisions are immutable and most are shared (one per exact
# origin, one per refusal), so each is encoded once. The entry holds the decision itself:
# while it is cached its id cannot be reused by another, and the identity check makes a
# stale entry impossible. Decisions built per request (pattern matches, allowed preflights)
# are found by their lines' value instead. Both tables are bounded by clearing them when full.
_MAX_CACHED = 1 << 14  # above the largest allow-lists of exact origins in use
_by_decision: dict[int, tuple[Decision, _ByteLines, _ByteLines]] = {}
_by_value: dict[tuple[tuple[str, str], ...], _ByteLines] = {}
_preflights: dict[tuple[int | None, tuple[tuple[str, str], ...]], tuple[int, _ByteLines]] = {}
_NAME_BYTES = {
    name: name.lower().encode("latin-1")
    for name in (*OWNED_RESPONSE_HEADERS, VARY, CONTENT_TYPE, CONTENT_LENGTH)
}


def _encoded(lines: tuple[tuple[str, str], ...]) -> _ByteLines:
    encoded = _by_value.get(lines)
    if encoded is None:
        if len(_by_value) >= _MAX_CACHED:
            _by_value.clear()
        names = _NAME_BYTES
        encoded = tuple(
            [
                (names.get(name) or name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in lines
            ]
        )
        _by_value[lines] = encoded
    return encoded


def _encoded_lines(decision: Decision) -> tuple[_ByteLines, _ByteLines]:
    """``decision.header_lines`` and ``decision.headers`` in bytes."""
    entry = _by_decision.get(id(decision))
    if entry is not None and entry[0] is decision:
        return entry[1], entry[2]
    if len(_by_decision) >= _MAX_CACHED:
        _by_decision.clear()
    lines, headers = _encoded(decision.header_lines), _encoded(decision.headers)
    _by_decision[id(decision)] = (decision, lines, headers)
    return lines, headers


def decorate_bytes(decision: Decision, headers: Iterable[Sequence[bytes]]) -> ByteHeaders:
    """Return the app's header list with CORS applied, as :meth:`Decision.decorate` does
    for ``str`` pairs: a new list of ``(name, value)`` byte pairs; ``headers`` is untouched.

    Copies of the CORS response headers the app set itself are dropped, so that exactly one
    of each goes out (R18); the app's Vary lines and ours become one line (R30).
    """
    lines, own_headers = _encoded_lines(decision)
    # The app's pairs may be lists or tuples; the list goes out as it came, plus ours.
    pairs: ByteHeaders = list(headers)  # type: ignore[arg-type]
    for name, _ in pairs:
        if name and name[0] in _REPLACED_FIRST_BYTES and name.lower() in _REPLACED:
            break
    else:
        pairs.extend(lines)
        return pairs
    decorated = [pair for pair in pairs if pair[0].lower() not in _REPLACED]
    existing_vary = b", ".join(value for name, value in pairs if name.lower() == _VARY)
    decorated.extend(own_headers)
    if decision.vary:
        merged = merge_vary(existing_vary.decode("latin-1"), decision.vary)
        decorated.append((_VARY, merged.encode("latin-1")))
    elif existing_vary:
        decorated.append((_VARY, existing_vary))
    return decorated


def preflight_response_bytes(decision: Decision) -> tuple[int, ByteHeaders]:
    """:meth:`Decision.preflight_response` in bytes: the status and a fresh header list
    (the server may keep or change it, R55). Allowed preflights get a new decision per
    request, so answers are found by their value."""
    key = (decision.status, decision.header_lines)
    answer = _preflights.get(key)
    if answer is None:
        if len(_preflights) >= _MAX_CACHED:
            _preflights.clear()
        status, lines = decision.preflight_response()
        answer = _preflights[key] = (status, _encoded(tuple(lines)))
    return answer[0], list(answer[1])
