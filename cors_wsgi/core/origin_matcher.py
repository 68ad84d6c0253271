"""The origin matcher: the compiled allow-list that requests' Origins are checked against,
at a cost per request that does not grow with the list's size.

Entries come parsed from :mod:`cors_wsgi.core.origin_patterns`; exact entries are table keys
of the policy and never reach the matcher.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from cors_wsgi.core.origin_patterns import ANY_PORT, MAX_ORIGIN_LENGTH, OriginPattern

__all__ = ["OriginFunc", "OriginMatcher", "combine_regexes"]

logger = logging.getLogger("cors_wsgi")

# The grammar a request Origin must follow before it is compared with any pattern other than
# an exact entry (R36-R39): lowercase scheme and host, non-empty labels, a port without a
# leading zero. Anything else (spaces, commas of joined duplicates, CR/LF, "}" or "`") fails.
_PORT_NUMBER = (
    r"(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
)
_REQUEST_ORIGIN = re.compile(
    r"([a-z][a-z0-9+.\-]*)://"
    r"((?:[a-z0-9_\-]+\.)*[a-z0-9_\-]+\.?|\[[0-9a-f:.]+\])"
    rf"(?::({_PORT_NUMBER}))?"
)
# What may stand before a wildcard's base: one or more labels (R36, V9).
_SUBDOMAIN_LABELS = re.compile(r"(?:[a-z0-9_\-]+\.)*[a-z0-9_\-]+")
_REQUEST_PORT = re.compile(_PORT_NUMBER)


class _TimedCache:
    """A small thread-safe LRU of recent answers of an ``allow_origin_func``, with expiry."""

    __slots__ = ("_entries", "_lock", "_max_entries", "_ttl")

    def __init__(self, max_entries: int, ttl: float) -> None:
        self._entries: OrderedDict[str, tuple[float, bool]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_entries = max_entries
        self._ttl = ttl

    def get(self, origin: str, now: float) -> bool | None:
        with self._lock:
            entry = self._entries.get(origin)
            if entry is None or entry[0] <= now:
                return None
            self._entries.move_to_end(origin)
            return entry[1]

    def put(self, origin: str, allowed: bool, now: float) -> None:
        with self._lock:
            self._entries[origin] = (now + self._ttl, allowed)
            self._entries.move_to_end(origin)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)


OriginFunc = Callable[[str], bool]


class OriginMatcher:
    """The compiled allow-list: its cost per request does not grow with the list's size.

    Exact entries are one hash lookup (done by the policy). Wildcard and any-port entries
    live in per-scheme sets of host suffixes, probed once per label of the request's host
    (bounded by the host's length, not by the list). Regular expressions are combined into
    one full-match pattern, and the callable's answers are cached.
    """

    __slots__ = (
        "_cache",
        "_entries",
        "_func",
        "_needs_grammar",
        "_regex",
        "_regexes",
        "_suffixes",
    )

    def __init__(
        self,
        patterns: tuple[OriginPattern, ...],
        regexes: tuple[re.Pattern[str], ...],
        func: OriginFunc | None,
        func_ttl: float,
        func_cache_size: int = 4096,
    ) -> None:
        # scheme -> (keys with their port, keys for any port). A key is what follows a dot
        # of the request's host (or "://" for an exact host): ".example.com" or
        # ".example.com:8443" for wildcards, "localhost" for an exact host on any port.
        with_port: dict[str, set[str]] = {}
        any_port: dict[str, set[str]] = {}
        # (scheme, key) -> the entry as written, for explanations.
        self._entries: dict[tuple[str, str], str] = {}
        for pattern in patterns:
            if pattern.port == ANY_PORT:
                key = pattern.host
                any_port.setdefault(pattern.scheme, set()).add(key)
            else:
                key = f"{pattern.host}:{pattern.port}" if pattern.port else pattern.host
                with_port.setdefault(pattern.scheme, set()).add(key)
            self._entries[pattern.scheme, key] = pattern.text
        self._suffixes = {
            scheme: (frozenset(with_port.get(scheme, ())), frozenset(any_port.get(scheme, ())))
            for scheme in with_port.keys() | any_port.keys()
        }
        self._regexes = regexes
        self._regex = combine_regexes(regexes)
        self._func = func
        self._cache = _TimedCache(func_cache_size, func_ttl) if func and func_ttl > 0 else None
        self._needs_grammar = self._regex is not None or func is not None

    @property
    def needs_structure(self) -> bool:
        """True when some entry is more than an exact origin (wildcard, regex, callable)."""
        return bool(self._suffixes) or self._needs_grammar

    def match(self, origin: str) -> str | None:
        """``origin`` itself if a non-exact entry allows it, else ``None``.

        Whatever is allowed here has passed the strict serialized-origin grammar (R36-R39),
        so no odd byte is ever sent back (V9, V14).
        """
        if len(origin) > MAX_ORIGIN_LENGTH:
            return None
        if self._suffixes:
            scheme_end = origin.find("://")
            tables = self._suffixes.get(origin[:scheme_end]) if scheme_end > 0 else None
            if tables is not None:
                with_port, any_port = tables
                host_start = scheme_end + 3
                if any_port or origin.startswith("[", host_start):
                    if _matches_suffix(origin, host_start, with_port, any_port):
                        return origin
                else:
                    # _matches_suffix() for the common case, inlined: wildcards on a fixed
                    # port, probed at each dot (a dot past the host leaves a ":" in what
                    # stands before it, which no label allows).
                    dot = origin.find(".", host_start)
                    while dot > host_start:
                        if origin[dot:] in with_port:
                            labels = origin[host_start:dot]
                            if (
                                labels.isascii()
                                and labels.isalnum()
                                and (labels.islower() or labels.isdigit())
                            ) or _SUBDOMAIN_LABELS.fullmatch(labels) is not None:
                                return origin
                            break
                        dot = origin.find(".", dot + 1)
        if not self._needs_grammar or _REQUEST_ORIGIN.fullmatch(origin) is None:
            return None
        if self._regex is not None and self._regex(origin):
            return origin
        if self._func is not None and self._ask_func(origin):
            return origin
        return None

    def matching_entry(self, origin: str) -> tuple[str, str] | None:
        """Which non-exact entry allows ``origin``, as ``(option, entry)``; for explanations.

        Each entry is tried alone with the same code as :meth:`match`, so the answer agrees
        with the decision (slower, and never on the request path).
        """
        if self.match(origin) is None:
            return None
        for scheme, (with_port, any_port) in self._suffixes.items():
            prefix = scheme + "://"
            if not origin.startswith(prefix):
                continue
            for key in sorted(with_port | any_port):
                one = (frozenset({key}) & with_port, frozenset({key}) & any_port)
                if _matches_suffix(origin, len(prefix), *one):
                    return ("allow_origins", self._entries[scheme, key])
        for regex in self._regexes:
            if regex.fullmatch(origin):
                return ("allow_origin_regex", regex.pattern)
        func = self._func
        name = getattr(func, "__qualname__", None) or repr(func)
        return ("allow_origin_func", name)

    def _ask_func(self, origin: str) -> bool:
        cache = self._cache
        now = time.monotonic()
        if cache is not None:
            cached = cache.get(origin, now)
            if cached is not None:
                return cached
        func = self._func
        assert func is not None
        try:
            allowed = func(origin) is True
        except Exception:
            # A failing lookup (a database that is down) refuses this request, is logged
            # with its traceback, and is not cached, so the next request asks again.
            logger.exception("allow_origin_func raised for origin %r; refused", origin)
            return False
        if cache is not None:
            cache.put(origin, allowed, now)
        return allowed


def _matches_suffix(
    origin: str, host_start: int, with_port: frozenset[str], any_port: frozenset[str]
) -> bool:
    """Whether the host (and port) of ``origin`` from ``host_start`` on matches a key.

    Only suffixes that start at a dot are probed, so the label boundary holds (V5); on a
    hit, what stands before the suffix must be labels and the port a real port, so the
    request passed the origin grammar before it is sent back (R36-R39, V9).
    """
    if origin.startswith("[", host_start):
        host_end = origin.find("]", host_start) + 1
        if host_end == 0:
            return False
    else:
        host_end = origin.find(":", host_start)
        if host_end < 0:
            host_end = len(origin)
    # An exact host on any port; the keys of wildcards start with a dot, which no request
    # host may (an empty first label, "https://.example.com").
    if (
        any_port
        and not origin.startswith(".", host_start)
        and origin[host_start:host_end] in any_port
    ):
        return _is_port_part(origin, host_end)
    dot = origin.find(".", host_start, host_end)
    while dot > host_start:
        if (with_port and origin[dot:] in with_port) or (
            any_port and origin[dot:host_end] in any_port and _is_port_part(origin, host_end)
        ):
            return _SUBDOMAIN_LABELS.fullmatch(origin, host_start, dot) is not None
        dot = origin.find(".", dot + 1, host_end)
    return False


def _is_port_part(origin: str, host_end: int) -> bool:
    """Whether ``origin`` ends at ``host_end`` or with ``:<a port browsers send>`` there."""
    return host_end == len(origin) or (
        origin[host_end] == ":" and _REQUEST_PORT.fullmatch(origin, host_end + 1) is not None
    )


# What in a pattern's text can make it mean something else inside a joined alternation:
# a backslash before a digit (a numbered backreference, or an octal escape), a named
# backreference, a conditional group, an inline flag (global or scoped), any named group
# (two patterns may use the same name). A false alarm only costs speed: such a pattern is
# tried on its own.
_NOT_JOINABLE = re.compile(r"\\[0-9]|\(\?P=|\(\?\(|\(\?[aiLmsux-]|\(\?P<|\(\?<[^=!]")


def _joinable(regex: re.Pattern[str]) -> bool:
    """Whether ``regex`` means exactly the same inside ``(?:...)|(?:...)`` as on its own.

    Without group references, conditionals and inline flags, the groups of a pattern only
    capture, so their numbers do not matter; and a full match of an alternation is a full
    match of one of its branches. Verbose patterns are never joined: a comment would run
    into the next branch.
    """
    return not regex.flags & re.VERBOSE and _NOT_JOINABLE.search(regex.pattern) is None


def combine_regexes(
    regexes: tuple[re.Pattern[str], ...],
) -> Callable[[str], object] | None:
    """One full-match callable for all ``regexes`` (V8: never a prefix or substring match).

    It answers exactly as ``any(r.fullmatch(origin) for r in regexes)`` would: patterns
    that :func:`_joinable` proves safe are joined into one alternation per set of flags;
    every other pattern is compiled as it was written and tried on its own.
    """
    if not regexes:
        return None
    if len(regexes) == 1:
        return regexes[0].fullmatch
    by_flags: dict[int, list[re.Pattern[str]]] = {}
    alone: list[re.Pattern[str]] = []
    for regex in regexes:
        if _joinable(regex):
            by_flags.setdefault(regex.flags, []).append(regex)
        else:
            alone.append(regex)
    matchers = [
        group[0].fullmatch
        if len(group) == 1
        else re.compile("|".join(f"(?:{r.pattern})" for r in group), flags).fullmatch
        for flags, group in by_flags.items()
    ]
    matchers.extend(regex.fullmatch for regex in alone)
    if len(matchers) == 1:
        return matchers[0]
    found = tuple(matchers)
    return lambda origin: any(matcher(origin) for matcher in found)
