"""Origins: parsing allow-list entries, and the compiled matcher that requests are checked against.

An allow-list entry is one of (DESIGN.md "The policy"):

- an exact serialized origin, ``https://app.example.com`` or ``http://localhost:8000``;
- a subdomain wildcard, ``https://*.example.com``: one or more labels before the base,
  never the base itself (list it separately if you want it);
- any port, ``http://localhost:*`` (also combinable: ``https://*.example.com:*``);
- a full-match regular expression, only through ``allow_origin_regex``;
- a callable deciding at run time, only through ``allow_origin_func``.

Requests are matched byte-exactly against these canonical forms (R42): the request's Origin
is never normalized, and the value sent back is either the configured string itself or a
request value that passed the strict serialized-origin grammar below.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from cors_wsgi.core.errors import Code, ProblemCollector
from cors_wsgi.core.headers import ANY

__all__ = [
    "ANY_ORIGIN",
    "OriginMatcher",
    "OriginPattern",
    "parse_origin_pattern",
    "regex_canaries",
]

logger = logging.getLogger("cors_wsgi")

ANY_ORIGIN = ANY  # the allow-list that admits every origin
ANY_PORT = ANY  # a pattern's port that admits every port
_WILDCARD_LABEL = "*."

# No serialized origin is longer than this (scheme, "://", a 253-byte host, a port): a longer
# Origin is refused before any regex or callable sees it (V19).
MAX_ORIGIN_LENGTH = 512

_DEFAULT_PORTS = {"http": "80", "https": "443", "ws": "80", "wss": "443"}
# Schemes whose documents have opaque origins: browsers send "null" for them (R40, V3).
_OPAQUE_SCHEMES = frozenset({"file", "data", "blob", "about", "javascript"})
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*")
_HOST_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_DOTTED_NUMBERS = re.compile(r"[0-9.]+")

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

# A conservative built-in subset of the Public Suffix List: domains under which anybody can
# register a name, so "*.<suffix>" would trust strangers (V11). Single-label bases ("*.com")
# and "<two letters>.<co|com|org|net|ac|gov|edu>" bases are treated as public too.
_PUBLIC_SUFFIXES = frozenset(
    {
        "appspot.com",
        "azurestaticapps.net",
        "azurewebsites.net",
        "blogspot.com",
        "cloudfront.net",
        "compute.amazonaws.com",
        "elasticbeanstalk.com",
        "firebaseapp.com",
        "fly.dev",
        "github.io",
        "githubusercontent.com",
        "gitlab.io",
        "glitch.me",
        "herokuapp.com",
        "netlify.app",
        "ngrok-free.app",
        "ngrok.io",
        "now.sh",
        "onrender.com",
        "pages.dev",
        "pythonanywhere.com",
        "readthedocs.io",
        "repl.co",
        "s3.amazonaws.com",
        "surge.sh",
        "trycloudflare.com",
        "vercel.app",
        "web.app",
        "workers.dev",
    }
)
_GENERIC_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"})


@dataclass(frozen=True)
class OriginPattern:
    """One parsed allow-list entry.

    ``host`` is the exact host, or for a subdomain wildcard the base with a leading dot
    (``.example.com``), which enforces the label boundary (V5). ``port`` is the port as
    written, ``""`` for the scheme's default, or ``"*"`` for any port.
    """

    text: str
    scheme: str
    host: str
    port: str
    subdomains: bool

    @property
    def is_exact(self) -> bool:
        return not self.subdomains and self.port != ANY_PORT

    @property
    def is_loopback(self) -> bool:
        """True for localhost names and loopback addresses, exempt from the https rule (V10)."""
        host = self.host.lstrip(".")
        if host == "localhost" or host.endswith(".localhost") or host == "[::1]":
            return True
        return host.startswith("127.") and _DOTTED_NUMBERS.fullmatch(host) is not None

    @property
    def is_secure(self) -> bool:
        return self.scheme not in ("http", "ws")


def _suggested(scheme: str, rest: str) -> str:
    return f"{scheme}://{rest}"


def parse_origin_pattern(
    text: object, option: str, problems: ProblemCollector
) -> OriginPattern | None:
    """Parse one allow-list entry; report what is wrong with it to ``problems``.

    Returns ``None`` when the entry is unusable. Every message names the fix.
    """
    if not isinstance(text, str):
        problems.add(
            Code.WRONG_TYPE,
            option,
            text,
            f"each origin must be a str such as 'https://app.example.com', not "
            f"{type(text).__name__}",
        )
        return None
    if not text.strip():
        problems.add(
            Code.EMPTY_ORIGIN,
            option,
            text,
            "an empty origin matches nothing; remove it from the list",
        )
        return None
    stripped = text.strip()
    if stripped != text:
        problems.add(
            Code.ORIGIN_WITH_WHITESPACE,
            option,
            text,
            f"remove the surrounding whitespace: write {stripped!r}",
        )
        # Go on with the stripped text, so that its own problems are reported too.
        parse_origin_pattern(stripped, option, problems)
        return None
    if text == "null" or text.lower() == "null":
        problems.add(
            Code.ORIGIN_NULL,
            option,
            text,
            "'null' is the origin of sandboxed iframes, data: and file: documents and "
            # V3
            "redirected requests, which any attacker can produce; remove it, and serve "
            "such pages from a real origin",
        )
        return None
    if text == ANY_ORIGIN:
        problems.add(
            Code.WRONG_TYPE,
            option,
            text,
            "'*' cannot stand in a list with other origins; pass allow_origins='*' on its own "
            "for any origin",
        )
        return None
    if "," in text or " " in text or "\t" in text or text.count("://") > 1:
        parts = [part for part in re.split(r"[,\s]+", text) if part]
        problems.add(
            Code.ORIGINS_RUN_TOGETHER,
            option,
            text,
            "this looks like several origins run together (a missing comma between list "
            f"items?); write them as separate items: {parts!r}",
        )
        return None
    scheme, separator, rest = text.partition("://")
    if not separator:
        bare = text.rstrip("/")
        problems.add(
            Code.ORIGIN_WITHOUT_SCHEME,
            option,
            text,
            f"an origin starts with its scheme; write 'https://{bare.lower()}' (or "
            f"'http://{bare.lower()}' for a plain-http development server)",
        )
        return None
    if scheme.lower() in _OPAQUE_SCHEMES:
        problems.add(
            Code.ORIGIN_OPAQUE_SCHEME,
            option,
            text,
            f"{scheme}: documents have an opaque origin and browsers send 'null' for them, "
            # V3
            "which must never be trusted; serve the page from an http(s) origin",
        )
        return None
    if not _SCHEME.fullmatch(scheme):
        fix = (
            f"write {_suggested(scheme.lower(), rest)!r}"
            if _SCHEME.fullmatch(scheme.lower())
            else "use a scheme such as 'https'"
        )
        problems.add(
            Code.ORIGIN_NOT_LOWERCASE if scheme.lower() != scheme else Code.ORIGIN_WITHOUT_SCHEME,
            option,
            text,
            # R36
            f"browsers send the scheme in lowercase ASCII; {fix}",
        )
        return None
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=-1)
    if cut >= 0:
        problems.add(
            Code.ORIGIN_WITH_PATH,
            option,
            text,
            # R36
            "an origin has no path, trailing slash, query or fragment; write "
            f"{_suggested(scheme, rest[:cut])!r}",
        )
        return None
    if "@" in rest:
        problems.add(
            Code.ORIGIN_WITH_USERINFO,
            option,
            text,
            "an origin has no user name or password; write "
            f"{_suggested(scheme, rest.rpartition('@')[2])!r}",
        )
        return None
    if rest != rest.lower():
        problems.add(
            Code.ORIGIN_NOT_LOWERCASE,
            option,
            text,
            # R36, R42
            "browsers send host names in lowercase and matching is exact; write "
            f"{_suggested(scheme, rest.lower())!r}",
        )
        return None
    if rest.startswith(_WILDCARD_LABEL + "["):
        problems.add(
            Code.BAD_WILDCARD, option, text, "an IP address has no subdomains; list it exactly"
        )
        return None
    host, port = _split_host_port(rest)
    if port is None:
        problems.add(
            Code.ORIGIN_WITH_BAD_PORT,
            option,
            text,
            "a port is 1 to 65535 without leading zeros, or '*' for any port; write e.g. "
            f"{_suggested(scheme, host + ':8000')!r}",
        )
        return None
    if port and port == _DEFAULT_PORTS.get(scheme):
        problems.add(
            Code.ORIGIN_WITH_DEFAULT_PORT,
            option,
            text,
            # R37
            f"browsers omit the default port {port} of {scheme}, so this never matches; "
            f"write {_suggested(scheme, host)!r}",
        )
        return None
    subdomains = host.startswith(_WILDCARD_LABEL)
    base = host[len(_WILDCARD_LABEL) :] if subdomains else host
    if "*" in base:
        problems.add(
            Code.BAD_WILDCARD,
            option,
            text,
            "a wildcard stands only as the whole first label, as in 'https://*.example.com' "
            "(or as the port, ':*'); for any origin use allow_origins='*', for anything "
            "else use allow_origin_regex",
        )
        return None
    if base.endswith("."):
        # A trailing dot makes another origin, which browsers send only for an address typed
        # with the dot; every check below (public suffixes, loopback) reads the name without
        # it, so it is refused rather than half-understood.
        undotted = _suggested(scheme, rest.replace(".:", ":").rstrip("."))
        problems.add(
            Code.ORIGIN_WITH_BAD_HOST,
            option,
            text,
            f"remove the trailing dot of the host: write {undotted!r} (the dotted form is "
            "another origin; to accept it as well, use allow_origin_regex)",
        )
        # Go on with the name without the dot, so that its own problems are reported too.
        parse_origin_pattern(undotted, option, problems)
        return None
    host_problem = _host_problem(base)
    if host_problem is not None:
        problems.add(Code.ORIGIN_WITH_BAD_HOST, option, text, host_problem)
        return None
    if subdomains and _DOTTED_NUMBERS.fullmatch(base):
        problems.add(
            Code.BAD_WILDCARD, option, text, "an IP address has no subdomains; list it exactly"
        )
        return None
    if subdomains and _is_public_suffix(base) and base != "localhost":
        problems.add(
            Code.WILDCARD_OVER_PUBLIC_SUFFIX,
            option,
            text,
            # V11
            f"anybody can register a name under '{base}' (a public suffix), so this "
            "trusts strangers; list your own domain, e.g. 'https://*.yourapp.example.com', "
            "or name the exact sites",
        )
        return None
    return OriginPattern(
        text=text,
        scheme=scheme,
        host="." + base if subdomains else base,
        port=port,
        subdomains=subdomains,
    )


def _split_host_port(rest: str) -> tuple[str, str | None]:
    """Split ``host[:port]``; the port is ``""`` when absent and ``None`` when malformed."""
    if rest.startswith("["):
        end = rest.find("]")
        host, after = (rest[: end + 1], rest[end + 1 :]) if end >= 0 else (rest, "")
        if not after:
            return host, ""
        if not after.startswith(":"):
            return host, None
        port = after[1:]
    else:
        host, colon, port = rest.partition(":")
        if not colon:
            return host, ""
    if port == ANY_PORT:
        return host, port
    if not _PORT.fullmatch(port) or int(port) > 65535:
        return host, None
    return host, port


def _host_problem(host: str) -> str | None:
    """Why ``host`` is not a canonical serialized host (R38, R39), or ``None``."""
    if not host:
        return "the host is missing"
    if not host.isascii():
        try:
            ascii_host = host.encode("idna").decode("ascii")
        except UnicodeError:
            # R38
            return "browsers send international names in Punycode; convert this host"
        # R38
        return f"browsers send international names in Punycode; write '{ascii_host}'"
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "")
        except ValueError:
            return "not a valid bracketed IPv6 address"
        if host != f"[{address.compressed}]":
            # R39
            return f"browsers send IPv6 addresses compressed; write '[{address.compressed}]'"
        return None
    if _DOTTED_NUMBERS.fullmatch(host.rstrip(".")):
        try:
            canonical = str(ipaddress.IPv4Address(host))
        except ValueError:
            # R39
            return "not a valid IPv4 address in dotted-decimal form"
        # R39
        return None if canonical == host else f"write the IPv4 address as '{canonical}'"
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or not all(_HOST_LABEL.fullmatch(label) for label in labels):
        return (
            "a host is dot-separated labels of lowercase letters, digits and hyphens, "
            "each 1 to 63 characters"
        )
    return None


def _is_public_suffix(base: str) -> bool:
    labels = base.rstrip(".").split(".")
    if len(labels) == 1:
        return True
    if base in _PUBLIC_SUFFIXES:
        return True
    return len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _GENERIC_SECOND_LEVEL


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


# Characters that stand for themselves in a pattern's text, as host names use them.
_LITERAL_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_QUANTIFIERS = frozenset("?*+{")
# Sites anybody can register, whatever the pattern names.
_ATTACKER_SITES = tuple(
    (f"https://attacker.{top}", f"any .{top} site") for top in ("com", "net", "org", "io", "app")
)
# Loopback names are exempt from the plain-http canary, as they are from E013 (V10).
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1"})


def _literal_domains(pattern: str) -> list[str]:
    """The dotted host names written literally in ``pattern`` (``\\.`` read as a dot).

    ``r"https://[a-z0-9-]+\\.example\\.com"`` gives ``["example.com"]``: the name the
    pattern is meant to trust, from which the attackers' look-alikes are made. A heuristic:
    it only chooses which origins to try the pattern on.
    """
    runs: list[str] = []
    run: list[str] = []
    index = 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\" and index + 1 < len(pattern) and pattern[index + 1] in ".-/:":
            run.append(pattern[index + 1])
            index += 2
            continue
        if char.lower() in _LITERAL_HOST_CHARS or char in "/:":
            run.append(char.lower())
        else:
            if char in _QUANTIFIERS and run:
                run.pop()  # "https?": the "s" is optional, not part of the name
            runs.append("".join(run))
            run = []
        index += 1
    runs.append("".join(run))
    domains = []
    for text in runs:
        host = text.rpartition("//")[2].partition(":")[0].partition("/")[0]
        name = host.strip(".")
        if name and all(name.split(".")) and ("." in name or host.startswith(".")):
            domains.append(name)  # "example.com", or "com" from r"\.com"
    return list(dict.fromkeys(domains))


def regex_canaries(pattern: str) -> tuple[tuple[str, str], ...]:
    """Origins an attacker can get, each with what it is, to try a credentialed regex on.

    For every host name written in the pattern (``example.com``): the attacker's own site
    under its top-level domain, the name with a prefix glued on (``evilexample.com``), the
    name as a subdomain of the attacker's domain, and the name over plain http.
    """
    canaries = list(_ATTACKER_SITES)
    for name in _literal_domains(pattern):
        top = name.rpartition(".")[2]
        canaries.append((f"https://attacker.{top}", f"any .{top} site"))
        if "." not in name:
            continue  # a bare top-level domain, as in r"https://.*\.com"
        canaries += [
            (f"https://attacker{name}", f"a name that merely ends in {name!r}"),
            (f"https://www.attacker{name}", f"a name that merely ends in {name!r}"),
            (f"https://{name}.attacker.invalid", f"{name!r} as a subdomain of another site"),
            (f"https://www.{name}.attacker.invalid", f"{name!r} inside another site's name"),
        ]
        if name not in _LOOPBACK_NAMES and not name.endswith(".localhost"):
            canaries += [
                (f"http://{name}", "plain http, which anyone on the network can fake"),
                (f"http://www.{name}", "plain http, which anyone on the network can fake"),
            ]
    return tuple(canaries)
