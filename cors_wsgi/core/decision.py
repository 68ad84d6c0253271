"""The outcome of the CORS algorithm for one request, and the one way it changes a response.

A decision goes on a response in one of three spellings, all with the same rules (the CORS
headers the app set are replaced, so exactly one of each goes out; the app's Vary lines and
ours become one line): :meth:`cors_wsgi.Decision.decorate` for a list of ``(str, str)``
pairs (WSGI), :func:`decorate_mapping` for a mapping-style header object (Django's
``ResponseHeaders``, Werkzeug's ``Headers``), and :func:`decorate_bytes` for ASGI's
lowercase byte pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, NamedTuple, Protocol

from cors_wsgi.core.headers import (
    CONTENT_LENGTH,
    CONTENT_TYPE,
    OWNED_RESPONSE_HEADERS_LOWER,
    VARY,
    merge_vary,
)

if TYPE_CHECKING:
    from cors_wsgi.core.vocabulary import Vocabulary

__all__ = [
    "ByteHeaders",
    "Decision",
    "HeaderList",
    "HeaderMapping",
    "ReasonValues",
    "decorate_bytes",
    "decorate_mapping",
    "make_decision",
    "preflight_response_bytes",
    "vary_line",
]

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
_VARY_LOWER = VARY.lower()
_REPLACED_LOWER = OWNED_RESPONSE_HEADERS_LOWER | {_VARY_LOWER}


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
    *,
    per_request: bool = False,
) -> Decision:
    """A :class:`Decision` from its fields, with ``header_lines`` derived from them;
    ``per_request``: it is built for one request, not kept in a policy's tables."""
    lines = (*headers, *vary_line(vary))
    return _new_decision(
        _PerRequestDecision if per_request else Decision,
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


def _reason_fill(values: ReasonValues, name: Callable[[str], str]) -> dict[str, object]:
    """A reason's values with its option names said by ``name``: a key ending in "option"
    holds one name, one ending in "options" a tuple of them, said as "a, b or c" (names
    that an adapter spells alike, as Flask's ``origins`` for three core options, once)."""
    filled: dict[str, object] = {}
    for key, value in values:
        if key.endswith("option"):
            filled[key] = name(str(value))
        elif key.endswith("options") and isinstance(value, tuple):
            names = list(dict.fromkeys(name(str(option)) for option in value))
            filled[key] = (
                names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
            )
        else:
            filled[key] = value
    return filled


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
    One built for a single request (a pattern match, for one) is of a private subclass,
    which pickles and copies as a plain ``Decision``.
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
        return self.reason_template % _reason_fill(self.reason_values, str)

    def reason_in(self, vocabulary: Vocabulary) -> str:
        """:attr:`reason` in the words of an adapter: its option names and fixes.

        Only the template and the option names are translated; request values (a header
        name, a method) are quoted as they came, whatever they look like.
        """
        values = _reason_fill(self.reason_values, vocabulary.name)
        return vocabulary.render(self.reason_template) % values

    def preflight_response(self) -> tuple[int, HeaderList]:
        """The status and complete header list of the answer to a preflight (empty body)."""
        status = _preflight_status(self)
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
        existing_vary = ", ".join(value for name, value in headers if name.lower() == _VARY_LOWER)
        decorated += self.headers
        if self.vary:
            decorated.append((VARY, merge_vary(existing_vary, self.vary)))
        elif existing_vary:
            decorated.append((VARY, existing_vary))
        return decorated

    def header_updates(self, existing_vary: str | None) -> HeaderList:
        """The headers to set on a mapping-style response, after deleting
        :data:`cors_wsgi.core.headers.OWNED_RESPONSE_HEADERS` from it (what
        :func:`cors_wsgi.core.decision.decorate_mapping` does).

        ``existing_vary`` is the response's current Vary value (several lines joined by
        ``", "``) or ``None``; the merged Vary is included when this decision adds to it.
        """
        updates = list(self.headers)
        if self.vary:
            updates.append((VARY, merge_vary(existing_vary, self.vary)))
        return updates


def _preflight_status(decision: Decision) -> int:
    return decision.status if decision.status is not None else 204


class _PerRequestDecision(Decision):
    """A decision built for one request (a pattern match, a preflight's answer that echoes
    what it asked, a refusal that names it), where a policy's shared decisions come from
    its tables. The same type to its users; the byte spelling keeps no encoding of it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return Decision.__name__ + super().__repr__()[len(type(self).__name__) :]

    def __reduce__(self) -> tuple[type[Decision], tuple[object, ...]]:
        # Pickled and copied as a plain Decision: the subclass is this process's business.
        return (Decision, tuple(self))


class HeaderMapping(Protocol):
    """A case-insensitive, mutable response header object, as frameworks offer them
    (Django's ``ResponseHeaders``, Werkzeug's ``Headers``): only its public methods are used."""

    def keys(self) -> Iterable[str]: ...

    def get(self, name: str) -> str | None: ...

    def pop(self, name: str, default: None) -> object: ...

    def __setitem__(self, name: str, value: str) -> None: ...


def decorate_mapping(
    decision: Decision,
    headers: HeaderMapping,
    vary_lines: Callable[[str], Iterable[str]] | None = None,
) -> None:
    """Put ``decision`` on a mapping-style header object, in place, with the rules of
    :meth:`cors_wsgi.Decision.decorate`.

    ``vary_lines`` reads every line of a header, for objects that keep several lines per
    name (Werkzeug's ``getlist``); without it, ``headers.get`` is taken to hold them all.
    """
    # R18: one copy of each CORS header goes out. The names are scanned once, for ours and
    # for Vary, and only what is there is read or removed: a framework's public header
    # methods validate and raise KeyError for a missing name, which costs more than the scan.
    owned: list[str] = []  # lowercase, each once
    has_vary = False
    # keys(): iterating Werkzeug's Headers yields (name, value) pairs, Django's yields names.
    for name in headers.keys():  # noqa: SIM118
        first = name[:1]
        if first in "aA":
            lower = name.lower()
            if lower in OWNED_RESPONSE_HEADERS_LOWER and lower not in owned:
                owned.append(lower)
        elif first in "vV":
            has_vary = has_vary or name.lower() == _VARY_LOWER
    for owned_name in owned:  # both frameworks' pop() removes every line of a name
        headers.pop(owned_name, None)
    existing_vary = None
    if decision.vary and has_vary:  # R30: the app's Vary and ours, merged into one line
        if vary_lines is None:
            existing_vary = headers.get(VARY)
        else:
            existing_vary = ", ".join(vary_lines(VARY)) or None
    for name, value in decision.header_updates(existing_vary):
        headers[name] = value


# ASGI: byte pairs. The rules are those above; only the spelling changes: names are
# lowercase bytes, as the ASGI specification asks, and values latin-1 bytes.

ByteHeaders = list[tuple[bytes, bytes]]
_ByteLines = tuple[tuple[bytes, bytes], ...]

_VARY_BYTES = _VARY_LOWER.encode("latin-1")
# The names decorate_bytes() takes out of the app's headers: our own, and Vary, which it merges.
_REPLACED = frozenset(name.encode("latin-1") for name in OWNED_RESPONSE_HEADERS_LOWER) | {
    _VARY_BYTES
}
# Each replaced name starts with "a" or "v" (either case): other names are never lowercased.
_REPLACED_FIRST_BYTES = frozenset(b"aAvV")

# Encoded lines by decision. Decisions are immutable and most are shared (one per exact
# origin, one per refusal), so each is encoded once and found again by its id. Each entry
# holds its decision: while it is cached no other object can have its id, and one entry is
# written and read whole, so even threads that clear a full table meanwhile cannot pair a
# decision with another's lines (the identity check guards that too). A decision built for
# one request is never kept (it would hold memory for nothing): it is encoded line by line
# from the table of encoded lines, where the lines a policy shares between its decisions
# are found, so only its new line (the request's origin) costs an encoding. Every table is
# bounded by clearing it when full.
_MAX_CACHED = 1 << 14  # above the largest allow-lists of exact origins in use
_MAX_CACHED_VALUE = 128  # characters: a table of lines full of them holds a few MiB
_Entry = tuple[Decision, _ByteLines]
_actual_lines: dict[int, _Entry] = {}
_preflight_lines: dict[int, _Entry] = {}


def _keep(table: dict[int, _Entry], decision: Decision, lines: _ByteLines) -> None:
    if decision.__class__ is not _PerRequestDecision:
        if len(table) >= _MAX_CACHED:
            table.clear()
        table[id(decision)] = (decision, lines)


_lines: dict[tuple[str, str], tuple[bytes, bytes]] = {}


def _encoded(lines: Iterable[tuple[str, str]]) -> _ByteLines:
    known = _lines.get
    return tuple([known(line) or _encoded_line(line) for line in lines])


def _encoded_line(line: tuple[str, str]) -> tuple[bytes, bytes]:
    name, value = line
    encoded = (name.lower().encode("latin-1"), value.encode("latin-1"))
    # Only short lines are kept: the long ones echo a request (a preflight's header list,
    # up to 8 KiB each) and would let a flood of them hold memory.
    if len(value) <= _MAX_CACHED_VALUE:
        if len(_lines) >= _MAX_CACHED:
            _lines.clear()
        _lines[line] = encoded
    return encoded


def decorate_bytes(decision: Decision, headers: Iterable[Sequence[bytes]]) -> ByteHeaders:
    """Return the app's header list with CORS applied, as :meth:`cors_wsgi.Decision.decorate` does
    for ``str`` pairs: a new list of ``(name, value)`` byte pairs; ``headers`` is untouched.

    Copies of the CORS response headers the app set itself are dropped, so that exactly one
    of each goes out (R18); the app's Vary lines and ours become one line (R30).
    """
    entry = _actual_lines.get(id(decision))
    if entry is not None and entry[0] is decision:
        lines = entry[1]
    else:
        lines = _encoded(decision.header_lines)
        _keep(_actual_lines, decision, lines)
    # The app's pairs may be lists or tuples; the list goes out as it came, plus ours.
    # (Unpacked, not list(): a call of the type costs more on this path.)
    pairs: ByteHeaders = [*headers]  # type: ignore[list-item]
    for name, _ in pairs:
        if name and name[0] in _REPLACED_FIRST_BYTES and name.lower() in _REPLACED:
            break
    else:
        pairs += lines
        return pairs
    decorated = [pair for pair in pairs if pair[0].lower() not in _REPLACED]
    existing_vary = b", ".join(value for name, value in pairs if name.lower() == _VARY_BYTES)
    decorated += _encoded(decision.headers)  # as decorate() does: its headers, then Vary
    if decision.vary:
        merged = merge_vary(existing_vary.decode("latin-1"), decision.vary)
        decorated.append((_VARY_BYTES, merged.encode("latin-1")))
    elif existing_vary:
        decorated.append((_VARY_BYTES, existing_vary))
    return decorated


def preflight_response_bytes(decision: Decision) -> tuple[int, ByteHeaders]:
    """:meth:`Decision.preflight_response` in bytes: the status and a fresh header list
    (the server may keep or change it, R55)."""
    entry = _preflight_lines.get(id(decision))
    if entry is not None and entry[0] is decision:
        lines = entry[1]
    else:
        lines = _encoded(decision.preflight_response()[1])
        _keep(_preflight_lines, decision, lines)
    return _preflight_status(decision), list(lines)
