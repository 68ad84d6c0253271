"""Origin patterns: parsing allow-list entries into their canonical forms, and vetting regexes.

An allow-list entry is one of (DESIGN.md "The policy"):

- an exact serialized origin, ``https://app.example.com`` or ``http://localhost:8000``;
- a subdomain wildcard, ``https://*.example.com``: one or more labels before the base,
  never the base itself (list it separately if you want it);
- any port, ``http://localhost:*`` (also combinable: ``https://*.example.com:*``);
- a full-match regular expression, only through ``allow_origin_regex``;
- a callable deciding at run time, only through ``allow_origin_func``.

Requests are matched (by :mod:`cors_wsgi.core.origin_matcher`) byte-exactly against these
canonical forms (R42): the request's Origin
is never normalized, and the value sent back is either the configured string itself or a
request value that passed the strict serialized-origin grammar below.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

from cors_wsgi.core.errors import Code, ProblemCollector
from cors_wsgi.core.headers import ANY

__all__ = [
    "ANY_ORIGIN",
    "ANY_PORT",
    "MAX_ORIGIN_LENGTH",
    "OriginPattern",
    "is_public_suffix",
    "parse_origin_pattern",
]

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


# A problem of an entry: its code and the message that names the fix.
_Problem = tuple[str, str]


def parse_origin_pattern(
    text: object, option: str, problems: ProblemCollector
) -> OriginPattern | None:
    """Parse one allow-list entry; report what is wrong with it to ``problems``.

    Returns ``None`` when the entry is unusable. Every message names the fix. The entry
    is read in steps, from the whole text to the scheme, the authority, the port and the
    host, and the first step that finds a problem reports it.
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
    stripped = text.strip()
    if stripped and stripped != text:
        problems.add(
            Code.ORIGIN_WITH_WHITESPACE,
            option,
            text,
            f"remove the surrounding whitespace: write {stripped!r}",
        )
        # Go on with the stripped text, so that its own problems are reported too.
        parse_origin_pattern(stripped, option, problems)
        return None
    scheme, _, rest = text.partition("://")
    found = (
        _text_problem(text)
        or _scheme_problem(text, scheme, rest)
        or _authority_problem(scheme, rest)
    )
    host, port = _split_host_port(rest) if found is None else ("", None)
    if found is None:
        found = _port_problem(scheme, host, port)
    if found is not None or port is None:
        if found is not None:
            problems.add(found[0], option, text, found[1])
        return None
    subdomains = host.startswith(_WILDCARD_LABEL)
    base = host[len(_WILDCARD_LABEL) :] if subdomains else host
    if "*" not in base and base.endswith("."):
        _refuse_trailing_dot(
            text, _suggested(scheme, rest.replace(".:", ":").rstrip(".")), option, problems
        )
        return None
    found = _base_problem(base, subdomains)
    if found is not None:
        problems.add(found[0], option, text, found[1])
        return None
    return OriginPattern(
        text=text,
        scheme=scheme,
        host="." + base if subdomains else base,
        port=port,
        subdomains=subdomains,
    )


def _refuse_trailing_dot(
    text: str, undotted: str, option: str, problems: ProblemCollector
) -> None:
    # A trailing dot makes another origin, which browsers send only for an address typed
    # with the dot; every check of the host (public suffixes, loopback) reads the name
    # without it, so it is refused rather than half-understood.
    problems.add(
        Code.ORIGIN_WITH_BAD_HOST,
        option,
        text,
        f"remove the trailing dot of the host: write {undotted!r} (the dotted form is "
        "another origin; to accept it as well, use allow_origin_regex)",
    )
    # Go on with the name without the dot, so that its own problems are reported too.
    parse_origin_pattern(undotted, option, problems)


def _text_problem(text: str) -> _Problem | None:
    """What makes the whole entry no origin at all: empty, 'null', '*', several origins."""
    if not text.strip():
        return (Code.EMPTY_ORIGIN, "an empty origin matches nothing; remove it from the list")
    if text == "null" or text.lower() == "null":
        return (
            Code.ORIGIN_NULL,
            "'null' is the origin of sandboxed iframes, data: and file: documents and "
            # V3
            "redirected requests, which any attacker can produce; remove it, and serve "
            "such pages from a real origin",
        )
    if text == ANY_ORIGIN:
        return (
            Code.WRONG_TYPE,
            "'*' cannot stand in a list with other origins; pass allow_origins='*' on its own "
            "for any origin",
        )
    if "," in text or " " in text or "\t" in text or text.count("://") > 1:
        parts = [part for part in re.split(r"[,\s]+", text) if part]
        return (
            Code.ORIGINS_RUN_TOGETHER,
            "this looks like several origins run together (a missing comma between list "
            f"items?); write them as separate items: {parts!r}",
        )
    return None


def _scheme_problem(text: str, scheme: str, rest: str) -> _Problem | None:
    """A missing, opaque or misspelled scheme."""
    if "://" not in text:
        bare = text.rstrip("/")
        return (
            Code.ORIGIN_WITHOUT_SCHEME,
            f"an origin starts with its scheme; write 'https://{bare.lower()}' (or "
            f"'http://{bare.lower()}' for a plain-http development server)",
        )
    if scheme.lower() in _OPAQUE_SCHEMES:
        return (
            Code.ORIGIN_OPAQUE_SCHEME,
            f"{scheme}: documents have an opaque origin and browsers send 'null' for them, "
            # V3
            "which must never be trusted; serve the page from an http(s) origin",
        )
    if not _SCHEME.fullmatch(scheme):
        # The whole fix at once: the host of an origin is lowercase too.
        authority = re.split(r"[/?#]", rest, maxsplit=1)[0].lower()
        fix = (
            f"write {_suggested(scheme.lower(), authority)!r}"
            if _SCHEME.fullmatch(scheme.lower())
            else "use a scheme such as 'https'"
        )
        return (
            Code.ORIGIN_NOT_LOWERCASE if scheme.lower() != scheme else Code.ORIGIN_WITHOUT_SCHEME,
            # R36
            f"browsers send the scheme in lowercase ASCII; {fix}",
        )
    return None


def _authority_problem(scheme: str, rest: str) -> _Problem | None:
    """What follows the scheme is more or other than a lowercase host and port."""
    cut = min((rest.find(c) for c in "/?#" if c in rest), default=-1)
    if cut >= 0:
        return (
            Code.ORIGIN_WITH_PATH,
            # R36
            "an origin has no path, trailing slash, query or fragment; write "
            f"{_suggested(scheme, rest[:cut])!r}",
        )
    if "@" in rest:
        return (
            Code.ORIGIN_WITH_USERINFO,
            "an origin has no user name or password; write "
            f"{_suggested(scheme, rest.rpartition('@')[2])!r}",
        )
    if rest != rest.lower():
        return (
            Code.ORIGIN_NOT_LOWERCASE,
            # R36, R42
            "browsers send host names in lowercase and matching is exact; write "
            f"{_suggested(scheme, rest.lower())!r}",
        )
    if rest.startswith(_WILDCARD_LABEL + "["):
        return (Code.BAD_WILDCARD, "an IP address has no subdomains; list it exactly")
    return None


def _port_problem(scheme: str, host: str, port: str | None) -> _Problem | None:
    """A port that is no port (``None``), or the default port browsers leave out."""
    if port is None:
        return (
            Code.ORIGIN_WITH_BAD_PORT,
            "a port is 1 to 65535 without leading zeros, or '*' for any port; write e.g. "
            f"{_suggested(scheme, host + ':8000')!r}",
        )
    if port and port == _DEFAULT_PORTS.get(scheme):
        return (
            Code.ORIGIN_WITH_DEFAULT_PORT,
            # R37
            f"browsers omit the default port {port} of {scheme}, so this never matches; "
            f"write {_suggested(scheme, host)!r}",
        )
    return None


def _base_problem(base: str, subdomains: bool) -> _Problem | None:
    """A host (the base of a wildcard) that is malformed, or a wildcard that trusts too much."""
    if "*" in base:
        return (
            Code.BAD_WILDCARD,
            "a wildcard stands only as the whole first label, as in 'https://*.example.com' "
            "(or as the port, ':*'); for any origin use allow_origins='*', for anything "
            "else use allow_origin_regex",
        )
    host_problem = _host_problem(base)
    if host_problem is not None:
        return (Code.ORIGIN_WITH_BAD_HOST, host_problem)
    if subdomains and _DOTTED_NUMBERS.fullmatch(base):
        return (Code.BAD_WILDCARD, "an IP address has no subdomains; list it exactly")
    if subdomains and is_public_suffix(base) and base != "localhost":
        return (
            Code.WILDCARD_OVER_PUBLIC_SUFFIX,
            # V11
            f"anybody can register a name under '{base}' (a public suffix), so this "
            "trusts strangers; list your own domain, e.g. 'https://*.yourapp.example.com', "
            "or name the exact sites",
        )
    return None


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
        return f"browsers send international names in Punycode; write the host as '{ascii_host}'"
    if host.startswith("["):
        try:
            address = ipaddress.IPv6Address(host[1:-1] if host.endswith("]") else "")
        except ValueError:
            return "not a valid bracketed IPv6 address"
        if host != f"[{address.compressed}]":
            # R39
            return (
                "browsers send IPv6 addresses compressed; write the host as "
                f"'[{address.compressed}]'"
            )
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


def is_public_suffix(base: str) -> bool:
    """Whether anybody can register a name under ``base`` (``com``, ``github.io``, ``co.uk``)."""
    labels = base.rstrip(".").split(".")
    if len(labels) == 1:
        return True
    if base in _PUBLIC_SUFFIXES:
        return True
    return len(labels) == 2 and len(labels[1]) == 2 and labels[0] in _GENERIC_SECOND_LEVEL
