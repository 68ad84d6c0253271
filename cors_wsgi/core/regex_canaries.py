"""Origins an attacker can get, to try a credentialed origin regex on before trusting it.

A regular expression that lets an attacker's origin in, with credentials, lets that site
read the users' data (V1, V4-V9). The regex itself cannot be proven safe, so it is tried on
look-alikes of the names written in it: the attacker's own site, the trusted name with a
prefix glued on or under the attacker's domain, the name over plain http, the name with
another character where an unescaped ``.`` stands (V7), and a site anybody can register
when the name is a public suffix (``github.io``). A heuristic that catches the usual
mistakes, not every over-broad pattern: SECURITY.md says so.
"""

from __future__ import annotations

import re

from cors_wsgi.core.origin_patterns import is_public_suffix

__all__ = ["literal_domains", "regex_canaries"]

# The ways a pattern writes a dot that matches only a dot.
_LITERAL_DOT = re.compile(r"\\\.|\[\.\]|\\x2[eE]|\\056|\\u002[eE]")
# Group syntax, which cuts a name in the pattern's text but not in what it matches:
# r"(example)\.com" and r"example\.(?:com)" both name example.com.
_GROUP_SYNTAX = re.compile(r"\(\?P<\w+>|\(\?<\w+>|\(\?:|\(\?[aiLmsux-]+:|[()]")
# A character class, a backreference or the test of a conditional group stands for no
# written name: each is a break between names.
_REFERENCES = re.compile(r"\[(?:\\.|[^\]])*\]|\\\d+|\(\?P=\w+\)|\(\?\(\w+\)")
_DOT = "\x01"  # a literal dot, once _LITERAL_DOT has found it
_ANY_CHAR = "\x02"  # an unescaped "." between two name characters: any character
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_QUANTIFIERS = frozenset("?*+{")
# Sites anybody can register, whatever the pattern names.
_ATTACKER_SITES = tuple(
    (f"https://attacker.{top}", f"any .{top} site") for top in ("com", "net", "org", "io", "app")
)
# Names nobody can register on the public internet (RFC 2606, RFC 6761, ICANN's .internal):
# a pattern over them trusts only the user's own machine or network.
_SPECIAL_USE_TOPS = frozenset({"localhost", "test", "invalid", "example", "internal", "local"})
# Loopback names are exempt from the plain-http canary, as they are from E013 (V10).
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1"})


def _name_runs(pattern: str) -> list[str]:
    """The runs of the pattern's text that read as scheme, host and port characters, with
    literal dots as ``_DOT`` and unescaped dots inside a name as ``_ANY_CHAR``."""
    text = _GROUP_SYNTAX.sub("", _REFERENCES.sub("|", _LITERAL_DOT.sub(_DOT, pattern)))
    runs: list[str] = []
    run: list[str] = []
    for index, char in enumerate(text):
        following = text[index + 1 : index + 2].lower()
        if char == _DOT:
            run.append(".")
        elif char == "." and run and run[-1] in _HOST_CHARS and following in _HOST_CHARS:
            run.append(_ANY_CHAR)
        elif char.lower() in _HOST_CHARS or char in "/:":
            run.append(char.lower())
        elif char == "\\" and following in {"-", "/", ":"}:
            continue  # an escaped "-", "/" or ":" stands for itself
        else:
            if char in _QUANTIFIERS and run:
                run.pop()  # "https?": the "s" is optional, not part of the name
            runs.append("".join(run))
            run = []
    runs.append("".join(run))
    return runs


def literal_domains(pattern: str) -> list[str]:
    """The dotted host names written in ``pattern``, however its dots are written.

    ``r"https://[a-z0-9-]+\\.example\\.com"`` gives ``["example.com"]``; an unescaped dot
    inside a name is kept as ``"\\x02"`` (it matches any character), so
    ``r"https://api.example\\.com"`` gives ``["api\\x02example.com"]``.
    """
    domains = []
    for text in _name_runs(pattern):
        host = text.rpartition("//")[2].partition(":")[0].partition("/")[0]
        name = host.strip(".")
        plain = name.replace(_ANY_CHAR, ".")
        if plain and all(plain.split(".")) and ("." in plain or host.startswith(".")):
            domains.append(name)  # "example.com", or "com" from r"\.com"
    return list(dict.fromkeys(domains))


def _label_prefixes(pattern: str) -> list[str]:
    """Literal starts of a host label (``myapp-`` in ``r"https://myapp-[a-z0-9]+\\..."``)."""
    prefixes = []
    for text in _name_runs(pattern):
        host = text.rpartition("//")[2]
        if host and "." not in host and ":" not in host and _ANY_CHAR not in host:
            prefixes.append(host)
    return prefixes[:4]


def regex_canaries(pattern: str) -> tuple[tuple[str, str], ...]:
    """Origins an attacker can get, each with what it is, to try a credentialed regex on."""
    canaries = list(_ATTACKER_SITES)
    for written in literal_domains(pattern):
        name = written.replace(_ANY_CHAR, ".")
        if _ANY_CHAR in written:
            # V7: where an unescaped dot stands, any character matches: "apixexample.com".
            glued = written.replace(_ANY_CHAR, "x", 1).replace(_ANY_CHAR, ".")
            canaries.append(
                (
                    f"https://{glued}",
                    f"an unescaped '.' in {name!r} matches any character; write '\\.'",
                )
            )
        top = name.rpartition(".")[2]
        if top not in _SPECIAL_USE_TOPS:
            canaries.append((f"https://attacker.{top}", f"any .{top} site"))
        if "." not in name:
            continue  # a bare top-level domain, as in r"https://.*\.com"
        if is_public_suffix(name):
            # Anybody can register a site under github.io or herokuapp.com.
            what = f"anybody's site under {name!r}, where anyone can register a name"
            canaries.append((f"https://attacker.{name}", what))
            canaries += [
                (f"https://{prefix}attacker.{name}", what) for prefix in _label_prefixes(pattern)
            ]
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
