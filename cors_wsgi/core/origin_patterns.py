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
    "parse_origin_pattern",
    "regex_canaries",
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
