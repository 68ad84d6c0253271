"""The browser's side of CORS: the Fetch standard's checks, run on the responses a page got.

Given the request a page makes (its origin, method, request headers, credentials mode) and
the responses it receives (the preflight's, then the actual one's), :func:`check` answers
what a browser answers: may the script read the response, and if not, which step failed.
It knows no framework and no server: :mod:`cors_wsgi.testing` feeds it test-client
responses and ``cors-wsgi probe`` feeds it responses from a live URL.

What it follows (section names of the Fetch standard, rules of SPEC.md):

- whether a preflight is sent (§main-fetch; R9 safelisted methods, R12 safelisted
  request headers), and what it carries (§cors-preflight-fetch; R13);
- the CORS check on the preflight and on the actual response (§cors-check; R17 ACAO equal
  to the origin or ``*`` without credentials, R18 duplicate lines joined with ``", "``,
  R19 ``Access-Control-Allow-Credentials: true`` exactly);
- the preflight's own checks: no redirect (R8), an ok status (R15), the lists of methods
  and headers parsed as HTTP lists (R23), the method allowed case-sensitively or by ``*``
  without credentials (R20), every CORS-unsafe header name allowed or covered by ``*``
  without credentials, ``authorization`` never by ``*`` (R21, R22);
- which response headers the script may read (§cors-filtered-response; R32).

The failing step's message is Chromium's own console text (Chromium 156), so a verdict reads
like the line the developer saw in the console, followed by what to change on the server.
A preflight cache is not modelled: every check is a first visit.

Two engines are checked against this model (Chromium 156 and Firefox 153 ESR, run by the
test suite): they decide every case of its table alike, in their standard-following mode.
Where they differ, :data:`ENGINE_DIFFERENCES` says how; the one difference that changes
what the model reports (how long a preflight may be cached) is chosen by ``engine=``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from cors_wsgi.core import headers as h
from cors_wsgi.core.methods import (
    FORBIDDEN_METHODS,
    SAFELISTED_METHODS,
    is_token,
    normalize_method,
)

__all__ = [
    "ALLOW_CREDENTIALS",
    "ALLOW_ORIGIN",
    "AUTHORIZATION_LENIENCY",
    "CHROMIUM",
    "ENGINES",
    "ENGINE_DIFFERENCES",
    "EXPOSE_HEADERS",
    "FIREFOX",
    "MAX_AGE_CAPS",
    "PREFLIGHT_ALLOW_CREDENTIALS",
    "PREFLIGHT_ALLOW_HEADERS",
    "PREFLIGHT_ALLOW_METHODS",
    "PREFLIGHT_ALLOW_ORIGIN",
    "PREFLIGHT_MAX_AGE",
    "PREFLIGHT_NEEDED",
    "PREFLIGHT_REDIRECT",
    "PREFLIGHT_STATUS",
    "REDIRECT",
    "REQUEST",
    "BrowserRequest",
    "ResponseHead",
    "Step",
    "Verdict",
    "check",
    "check_request",
    "cors_unsafe_request_header_names",
    "is_safelisted_request_header",
    "needs_preflight",
    "parse_header_argument",
]

ANY = "*"
# R15: the Fetch standard's "ok status".
_OK_STATUSES = range(200, 300)
# The redirect statuses browsers follow (§redirect-status).
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# §cors-preflight-fetch: an absent or unparsable Access-Control-Max-Age means 5 seconds.
DEFAULT_PREFLIGHT_MAX_AGE = 5
# The engines the model knows (see ENGINE_DIFFERENCES); check() takes one as engine=.
CHROMIUM = "chromium"
FIREFOX = "firefox"
ENGINES = (CHROMIUM, FIREFOX)
# R24: how long each engine caches a preflight at most, whatever the server says
# (Chromium since 76: 2 hours; Firefox: 24 hours).
MAX_AGE_CAPS = {CHROMIUM: 7200, FIREFOX: 86400}
CHROMIUM_MAX_AGE_CAP = MAX_AGE_CAPS[CHROMIUM]
# Where today's browsers are more lenient than the Fetch standard, which cors_wsgi follows.
AUTHORIZATION_LENIENCY = (
    "today's Chromium and Firefox are more lenient than the Fetch standard here: they still "
    "let '*' cover Authorization (with a deprecation warning in the console), so the call "
    "may work in a browser today; cors_wsgi follows the standard, which the browsers are "
    "moving to, and which they already follow with Chromium's "
    "CorsNonWildcardRequestHeadersSupport feature or Firefox's "
    "network.cors_preflight.authorization_covered_by_wildcard=false"
)
# What the browser suite found differs between the engines it runs (and the cap above).
ENGINE_DIFFERENCES: dict[str, str] = {
    "console": (
        'Chromium reports a refusal as "Access to fetch at ... has been blocked by CORS '
        'policy: ..." (the text of Verdict.console_message) and the page gets "TypeError: '
        'Failed to fetch"; Firefox as "Cross-Origin Request Blocked: ... (Reason: ...)" and '
        '"TypeError: NetworkError when attempting to fetch resource."'
    ),
    "refused-preflight": (
        "for a refused preflight Chromium prints one console message; Firefox two: the "
        'preflight\'s reason, then "CORS request did not succeed" (three for a redirected '
        "preflight)"
    ),
    "check-order": (
        "Firefox checks Access-Control-Allow-Methods before it parses "
        "Access-Control-Allow-Headers: when both fail it names the method, where Chromium "
        "and this model name the unparsable header list; both block"
    ),
    "preflight-cache": (
        "Firefox misses the first cached-preflight lookup of each fresh profile or user "
        "context and sends that preflight again; Chromium does not"
    ),
    "max-age-cap": (
        f"Chromium caches a preflight for at most {MAX_AGE_CAPS[CHROMIUM]} s, Firefox for "
        f"at most {MAX_AGE_CAPS[FIREFOX]} s"
    ),
    "authorization-under-wildcard": (
        "none between the engines: stock Chromium and stock Firefox both let "
        "'Access-Control-Allow-Headers: *' cover Authorization, against the standard"
    ),
    "private-network-access": (
        "Chromium implements Private Network Access preflights (not sent loopback to "
        "loopback); Firefox implements none"
    ),
}

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
# §cors-safelisted-request-header: content-type values that need no preflight (R12).
_SAFELISTED_CONTENT_TYPES = frozenset(
    {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
)
_MAX_SAFELISTED_VALUE_LENGTH = 128
_MAX_SAFELISTED_TOTAL_LENGTH = 1024
# §cors-unsafe-request-header-byte.
_UNSAFE_BYTES = re.compile(r'[\x00-\x08\x0a-\x1f"():<>?@\[\\\]{}\x7f]')
_LANGUAGE_VALUE = re.compile(r"[0-9A-Za-z *,\-.;=]*")
_SIMPLE_RANGE = re.compile(r"[Bb][Yy][Tt][Ee][Ss]=([0-9]+)-([0-9]*)")
_HTTP_WHITESPACE = " \t\r\n"
# A value Chromium can parse as a URL, for choosing its wording only (see _origin_failure).
_URL_LIKE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:.*", re.DOTALL)
_SPECIAL_SCHEMES = frozenset({"http", "https", "ws", "wss", "ftp"})

# Step names: stable identifiers for machines (JSON output, assertions in tests).
REQUEST = "request"
PREFLIGHT_NEEDED = "preflight-needed"
PREFLIGHT_REDIRECT = "preflight-redirect"
PREFLIGHT_ALLOW_ORIGIN = "preflight-allow-origin"
PREFLIGHT_ALLOW_CREDENTIALS = "preflight-allow-credentials"
PREFLIGHT_STATUS = "preflight-status"
PREFLIGHT_ALLOW_METHODS = "preflight-allow-methods"
PREFLIGHT_ALLOW_HEADERS = "preflight-allow-headers"
PREFLIGHT_MAX_AGE = "preflight-max-age"
ALLOW_ORIGIN = "allow-origin"
ALLOW_CREDENTIALS = "allow-credentials"
REDIRECT = "redirect"
EXPOSE_HEADERS = "expose-headers"

_PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
_VALID_VALUE = " Have the server send the header with a valid value."

HeaderInput = Mapping[str, str] | Iterable[tuple[str, str] | str]


@dataclass(frozen=True)
class BrowserRequest:
    """The request a page's script makes with ``fetch()``, as the browser sees it.

    ``headers`` holds the author request headers the browser keeps (names as written, in
    order); names a script may not set are left out and listed in ``dropped_headers``
    (R14: the browser silently ignores them). ``method`` is normalized as browsers do
    (R10). Build one with :meth:`create`, which accepts looser input.

    ``listed_header_names`` are names known only from a recorded preflight's
    Access-Control-Request-Headers, their values unknown: a browser lists a name there
    only when its value is CORS-unsafe, so each counts as unsafe, whatever its name.
    """

    url: str
    origin: str
    method: str = "GET"
    headers: tuple[tuple[str, str], ...] = ()
    credentials: bool = False
    force_preflight: bool = False
    dropped_headers: tuple[str, ...] = ()
    listed_header_names: tuple[str, ...] = ()

    @classmethod
    def create(
        cls,
        *,
        origin: str,
        url: str = "",
        method: str = "GET",
        request_headers: HeaderInput = (),
        credentials: bool = False,
        force_preflight: bool = False,
        listed_header_names: Iterable[str] = (),
    ) -> BrowserRequest:
        """Build a request from loose input.

        ``request_headers`` is a mapping, a list of ``(name, value)`` pairs, or a list of
        strings ``"Name: value"`` (or a bare ``"Name"``, meaning an empty value).
        ``force_preflight`` stands for the browser's use-CORS-preflight flag (an upload
        with progress listeners), which sends a preflight even for a simple request (R9).
        """
        kept: list[tuple[str, str]] = []
        dropped: list[str] = []
        for name, value in _header_pairs(request_headers):
            if h.is_forbidden_request_header(name.lower()) or _is_forbidden_override(name, value):
                dropped.append(name)
            else:
                kept.append((name, value))
        return cls(
            url=url,
            origin=origin,
            method=normalize_method(method),
            headers=tuple(kept),
            credentials=credentials,
            force_preflight=force_preflight,
            dropped_headers=tuple(dropped),
            listed_header_names=tuple(sorted({name.lower() for name in listed_header_names})),
        )

    @property
    def credentials_mode(self) -> str:
        """The ``fetch()`` credentials mode this request stands for."""
        return "include" if self.credentials else "same-origin"

    @property
    def unsafe_header_names(self) -> tuple[str, ...]:
        """The CORS-unsafe request-header names, as the preflight lists them (R13)."""
        names = cors_unsafe_request_header_names(self.headers)
        if not self.listed_header_names:
            return names
        return tuple(sorted({*names, *self.listed_header_names}))

    @property
    def preflight_needed(self) -> bool:
        """Whether the browser sends a preflight before this request (R9, R12)."""
        return bool(self.listed_header_names) or needs_preflight(
            self.method, self.headers, force=self.force_preflight
        )

    def preflight_headers(self) -> list[tuple[str, str]]:
        """The CORS headers of the preflight the browser sends for this request (R13)."""
        sent = [(h.ORIGIN, self.origin), ("Accept", "*/*"), (h.REQUEST_METHOD, self.method)]
        names = self.unsafe_header_names
        if names:
            sent.append((h.REQUEST_HEADERS, ",".join(names)))
        return sent

    def actual_headers(self) -> list[tuple[str, str]]:
        """The headers of the actual request: the script's own, the Origin, and the
        ``Accept: */*`` that ``fetch()`` adds when the script set none."""
        sent = [(h.ORIGIN, self.origin)]
        if not any(name.lower() == "accept" for name, _ in self.headers):
            sent.append(("Accept", "*/*"))
        sent.extend(self.headers)
        return sent


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
        return cls(code, tuple((str(n), str(v).strip(_HTTP_WHITESPACE)) for n, v in pairs))

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


@dataclass(frozen=True)
class Step:
    """One step of the browser's check.

    ``name`` is a stable identifier (``"preflight-allow-origin"``...), ``passed`` says
    whether the browser carries on, ``message`` is one plain sentence (with the fix when
    it failed), ``rule`` cites SPEC.md. ``console`` is the text Chromium prints after
    "has been blocked by CORS policy:" when this step fails; empty otherwise.
    """

    name: str
    passed: bool
    message: str
    rule: str = ""
    console: str = ""

    def as_dict(self) -> dict[str, object]:
        """The step as plain data (for JSON)."""
        data: dict[str, object] = {
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
            "rule": self.rule,
        }
        if self.console:
            data["console"] = self.console
        return data


@dataclass(frozen=True)
class Verdict:
    """What the browser decides about one request, and why, step by step.

    - ``allowed``: the script gets the response (for ``checked_actual=False``, only that the
      preflight passed);
    - ``preflight_needed``: the browser sends a preflight first;
    - ``steps``: every step taken, in order; the last one failed when ``allowed`` is false;
    - ``readable_headers``: lowercased names of the actual response's headers the script
      can read with ``response.headers.get()`` (empty when blocked or not checked);
    - ``redirect_to``: the Location of an actual response that is a redirect, which the
      browser follows (and checks again) before the script sees anything.
    """

    request: BrowserRequest
    allowed: bool
    preflight_needed: bool
    steps: tuple[Step, ...]
    readable_headers: tuple[str, ...] = ()
    checked_actual: bool = True
    redirect_to: str | None = None
    status: int | None = None

    @property
    def failed_step(self) -> Step | None:
        """The step that blocked the request, or ``None``."""
        return next((step for step in self.steps if not step.passed), None)

    @property
    def console_message(self) -> str | None:
        """Chromium's console line for this refusal ("... has been blocked by CORS
        policy: ..."), or ``None`` when the request is allowed."""
        failed = self.failed_step
        if failed is None or not failed.console:
            return None
        return (
            f"Access to fetch at '{self.request.url}' from origin '{self.request.origin}' "
            f"has been blocked by CORS policy: {failed.console}"
        )

    @property
    def summary(self) -> str:
        """One line: the outcome."""
        method = self.request.method
        target = f" {self.request.url}" if self.request.url else ""
        who = f"from {self.request.origin}" + (
            " with credentials" if self.request.credentials else ""
        )
        if not self.allowed:
            return f"BLOCKED: the browser refuses {method}{target} {who}"
        if not self.checked_actual:
            return f"PREFLIGHT PASSED: the browser would send {method}{target} {who}"
        return f"ALLOWED: the script can read the response to {method}{target} {who}"

    def __str__(self) -> str:
        lines = [self.summary]
        lines.extend(f"  {'ok ' if step.passed else 'FAIL'} {step.message}" for step in self.steps)
        console = self.console_message
        if console is not None:
            lines.append(f"  Chromium says: {console}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The verdict as plain data (for JSON)."""
        failed = self.failed_step
        return {
            "allowed": self.allowed,
            "summary": self.summary,
            "request": {
                "url": self.request.url,
                "origin": self.request.origin,
                "method": self.request.method,
                "headers": [list(pair) for pair in self.request.headers],
                "dropped_headers": list(self.request.dropped_headers),
                "credentials": self.request.credentials,
                "credentials_mode": self.request.credentials_mode,
            },
            "preflight_needed": self.preflight_needed,
            "checked_actual": self.checked_actual,
            "status": self.status,
            "failed_step": failed.name if failed is not None else None,
            "console_message": self.console_message,
            "readable_headers": list(self.readable_headers),
            "redirect_to": self.redirect_to,
            "steps": [step.as_dict() for step in self.steps],
        }


# ---- request side: what makes a preflight.


def is_safelisted_request_header(name: str, value: str) -> bool:
    """Whether one request header needs no preflight (§cors-safelisted-request-header, R12)."""
    if len(value) > _MAX_SAFELISTED_VALUE_LENGTH:
        return False
    lower = name.lower()
    if lower == "accept":
        return _UNSAFE_BYTES.search(value) is None
    if lower in ("accept-language", "content-language"):
        return _LANGUAGE_VALUE.fullmatch(value) is not None
    if lower == "content-type":
        if _UNSAFE_BYTES.search(value) is not None:
            return False
        return _mime_essence(value) in _SAFELISTED_CONTENT_TYPES
    if lower == "range":
        match = _SIMPLE_RANGE.fullmatch(value)
        if match is None:
            return False
        start, end = match.groups()
        return not end or int(start) <= int(end)
    return False


def cors_unsafe_request_header_names(headers: Iterable[tuple[str, str]]) -> tuple[str, ...]:
    """The names the preflight's Access-Control-Request-Headers lists: lowercased, sorted,
    each once (§cors-unsafe-request-header-names, R13). Safelisted headers join them when
    their values add up to more than 1024 bytes."""
    unsafe: set[str] = set()
    potentially_unsafe: set[str] = set()
    safelisted_size = 0
    for name, value in headers:
        if is_safelisted_request_header(name, value):
            potentially_unsafe.add(name.lower())
            safelisted_size += len(value)
        else:
            unsafe.add(name.lower())
    if safelisted_size > _MAX_SAFELISTED_TOTAL_LENGTH:
        unsafe |= potentially_unsafe
    return tuple(sorted(unsafe))


def needs_preflight(
    method: str, headers: Iterable[tuple[str, str]] = (), *, force: bool = False
) -> bool:
    """Whether a browser sends a preflight before this request (R9, R12; §main-fetch)."""
    if force or normalize_method(method) not in SAFELISTED_METHODS:
        return True
    return bool(cors_unsafe_request_header_names(headers))


def _mime_essence(value: str) -> str | None:
    """The essence (``type/subtype``, lowercased) of a MIME type, or ``None`` when it does
    not parse (WHATWG "parse a MIME type", as far as the essence goes)."""
    text = value.strip(_HTTP_WHITESPACE)
    kind, slash, rest = text.partition("/")
    if not slash or not is_token(kind):
        return None
    subtype = rest.split(";", 1)[0].rstrip(_HTTP_WHITESPACE)
    if not is_token(subtype):
        return None
    return f"{kind}/{subtype}".lower()


def _is_forbidden_override(name: str, value: str) -> bool:
    """R14: method-override headers are forbidden when they name a forbidden method."""
    if name.lower() not in ("x-http-method", "x-http-method-override", "x-method-override"):
        return False
    return any(
        item.strip(_HTTP_WHITESPACE).upper() in FORBIDDEN_METHODS for item in value.split(",")
    )


def _header_pairs(request_headers: HeaderInput) -> list[tuple[str, str]]:
    if isinstance(request_headers, Mapping):
        return [(str(name), str(value)) for name, value in request_headers.items()]
    pairs: list[tuple[str, str]] = []
    for item in request_headers:
        if isinstance(item, str):
            name, _, value = item.partition(":")
            pairs.append((name.strip(), value.strip(_HTTP_WHITESPACE)))
        else:
            name, value = item
            pairs.append((name, value))
    return pairs


# ---- response side: the checks.


def check(
    request: BrowserRequest,
    *,
    preflight: ResponseHead | None = None,
    actual: ResponseHead | None = None,
    engine: str = CHROMIUM,
) -> Verdict:
    """Run the browser's CORS checks for ``request`` on the responses it got.

    ``preflight`` is required when the request needs one (:attr:`BrowserRequest.preflight_needed`)
    and ignored otherwise. Without ``actual``, only the preflight is judged
    (``checked_actual`` is false). ``engine`` (``"chromium"`` or ``"firefox"``) chooses
    the engine whose preflight-cache cap the verdict reports; both decide alike. Raises
    :class:`ValueError` when a needed preflight is missing, when neither response is
    given, or for an unknown engine.
    """
    if engine not in MAX_AGE_CAPS:
        raise ValueError(f"unknown engine {engine!r}: choose {' or '.join(map(repr, ENGINES))}")
    steps: list[Step] = []
    needed = request.preflight_needed

    def verdict(
        allowed: bool,
        *,
        checked_actual: bool = True,
        status: int | None = None,
        readable: tuple[str, ...] = (),
        redirect_to: str | None = None,
    ) -> Verdict:
        return Verdict(
            request=request,
            allowed=allowed,
            preflight_needed=needed,
            steps=tuple(steps),
            readable_headers=readable,
            checked_actual=checked_actual,
            redirect_to=redirect_to,
            status=status,
        )

    request_step = _request_step(request)
    steps.append(request_step)
    if not request_step.passed:
        return verdict(False, checked_actual=False)
    steps.append(_preflight_needed_step(request))
    if needed:
        if preflight is None:
            raise ValueError(
                f"{request.method} with headers {list(request.unsafe_header_names)} needs a "
                "preflight: give the response to the OPTIONS request as preflight="
            )
        if not _check_preflight(request, preflight, steps, engine):
            return verdict(False, checked_actual=False, status=preflight.status)
    elif actual is None:
        raise ValueError("give the response to check as actual= (this request has no preflight)")
    if actual is None:
        return verdict(True, checked_actual=False)
    for step in _cors_check(request, actual, ALLOW_ORIGIN, ALLOW_CREDENTIALS, prefix=""):
        steps.append(step)
        if not step.passed:
            return verdict(False, status=actual.status)
    redirect_to = None
    if actual.status in REDIRECT_STATUSES and actual.get("Location") is not None:
        redirect_to = actual.get("Location")
        steps.append(
            Step(
                REDIRECT,
                True,
                f"the response is a {actual.status} redirect to {redirect_to}: the browser "
                "follows it and runs these checks again on the next response; after a "
                "redirect to another origin it sends 'Origin: null' (R35)",
                "R35",
            )
        )
        return verdict(True, status=actual.status, redirect_to=redirect_to)
    readable, expose_step = _exposed_headers(request, actual)
    steps.append(expose_step)
    return verdict(True, readable=readable, status=actual.status)


def _request_step(request: BrowserRequest) -> Step:
    method = request.method
    if method.upper() in FORBIDDEN_METHODS:
        return Step(
            REQUEST,
            False,
            f"fetch() refuses the method {method} before sending anything: browsers never "
            "send CONNECT, TRACE or TRACK (R11)",
            "R11",
        )
    if not is_token(method):
        return Step(REQUEST, False, f"fetch() refuses {method!r}: not a method name", "R10")
    text = f"the page on {request.origin} sends {method}"
    text += (
        " with credentials (cookies, HTTP auth)" if request.credentials else " without credentials"
    )
    if request.dropped_headers:
        text += (
            "; the browser drops the headers a script may not set: "
            + ", ".join(request.dropped_headers)
            + " (R14)"
        )
    return Step(REQUEST, True, text, "R14" if request.dropped_headers else "")


def _preflight_needed_step(request: BrowserRequest) -> Step:
    reasons = []
    if request.force_preflight:
        reasons.append("the request forces one (upload listeners or a stream body)")
    if request.method not in SAFELISTED_METHODS:
        reasons.append(f"{request.method} is not GET, HEAD or POST")
    names = request.unsafe_header_names
    if len(names) == 1:
        reasons.append(f"the header {names[0]} is not CORS-safelisted")
    elif names:
        reasons.append(f"the headers {', '.join(names)} are not CORS-safelisted")
    if not reasons:
        return Step(
            PREFLIGHT_NEEDED,
            True,
            "no preflight: the method is GET, HEAD or POST and every header is "
            "CORS-safelisted, so the browser sends the request directly (R9, R12)",
            "R9",
        )
    sent = f"Access-Control-Request-Method: {request.method}"
    if names:
        sent += f", Access-Control-Request-Headers: {','.join(names)}"
    return Step(
        PREFLIGHT_NEEDED,
        True,
        f"a preflight is sent first because {' and '.join(reasons)}: OPTIONS with {sent} "
        "(R9, R12, R13)",
        "R9",
    )


def _check_preflight(
    request: BrowserRequest, response: ResponseHead, steps: list[Step], engine: str
) -> bool:
    """Append the preflight's steps; true when the preflight passed (§cors-preflight-fetch)."""
    status = response.status
    location = response.get("Location")
    # Only a redirect status with a Location is a redirect; any other 3xx is just not ok.
    if status in REDIRECT_STATUSES and location is not None:
        where = f" to {location}"
        steps.append(
            Step(
                PREFLIGHT_REDIRECT,
                False,
                f"the preflight was answered with a {status} redirect{where}: browsers never "
                "follow a redirect on a preflight (R8). Answer OPTIONS before any "
                "redirecting layer (trailing-slash or HTTPS redirects, login pages): put the "
                "CORS middleware first, and call the final URL from the page",
                "R8",
                _PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
            )
        )
        return False
    for step in _cors_check(
        request,
        response,
        PREFLIGHT_ALLOW_ORIGIN,
        PREFLIGHT_ALLOW_CREDENTIALS,
        prefix=_PREFLIGHT_PREFIX,
    ):
        steps.append(step)
        if not step.passed:
            return False
    if status not in _OK_STATUSES:
        steps.append(
            Step(
                PREFLIGHT_STATUS,
                False,
                f"the preflight got status {status}; a preflight must get a 2xx status (R15). "
                "Something before or instead of the CORS layer answered it (a 401 from "
                "authentication, a 404 or 405 from routing): preflights carry no "
                "credentials and must be answered by the CORS layer (R7)",
                "R15",
                _PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
            )
        )
        return False
    steps.append(
        Step(PREFLIGHT_STATUS, True, f"the preflight got status {status}, a 2xx (R15)", "R15")
    )
    try:
        methods = _extract_list(response, h.ALLOW_METHODS)
    except _ListSyntaxError:
        steps.append(_unparsable_step(PREFLIGHT_ALLOW_METHODS, h.ALLOW_METHODS, response))
        return False
    try:
        header_names = _extract_list(response, h.ALLOW_HEADERS)
    except _ListSyntaxError:
        steps.append(_unparsable_step(PREFLIGHT_ALLOW_HEADERS, h.ALLOW_HEADERS, response))
        return False
    for step in (
        _method_step(request, methods, response),
        _headers_step(request, header_names, response),
    ):
        steps.append(step)
        if not step.passed:
            return False
    steps.append(_max_age_step(response, engine))
    return True


def _cors_check(
    request: BrowserRequest,
    response: ResponseHead,
    origin_step: str,
    credentials_step: str,
    prefix: str,
) -> list[Step]:
    """§cors-check: the steps for Access-Control-Allow-Origin, then -Allow-Credentials."""
    what = "the preflight's" if prefix else "the response's"
    origin = request.origin
    value = response.get(h.ALLOW_ORIGIN)
    if value is None:
        if prefix:
            cause = (
                f"the server refused the preflight (status {response.status}): its origin "
                f"{origin}, or its method {request.method}"
                + (
                    f" or headers {', '.join(request.unsafe_header_names)}"
                    if request.unsafe_header_names
                    else ""
                )
                + ", since a refusing server sends no CORS headers at all (R16; the server's "
                "log, or cors_wsgi.explain(), says which). Or no CORS layer answers OPTIONS "
                "on this path"
            )
        elif response.status >= 400:
            cause = (
                f"this {response.status} response has no CORS headers, so the page cannot "
                "read the error (R29): the CORS layer must wrap whatever produced it (error "
                f"handlers, authentication), or the server does not allow {origin} here"
            )
        else:
            cause = (
                f"the server does not allow {origin} here. Add it to the allowed origins, and "
                "check that the CORS layer covers this path"
            )
        return [
            Step(
                origin_step,
                False,
                f"{what} Access-Control-Allow-Origin is missing, so the browser refuses it "
                f"(R17, R29): {cause}",
                "R17",
                prefix + "No 'Access-Control-Allow-Origin' header is present on the "
                "requested resource.",
            )
        ]
    if value == ANY:
        if request.credentials:
            return [
                Step(
                    origin_step,
                    False,
                    f"{what} Access-Control-Allow-Origin is '*', which browsers refuse for a "
                    "request with credentials (R17, R43): send the page's origin itself, "
                    "and only for origins on your allow-list (never reflect every origin, V1)",
                    "R17",
                    prefix + "The value of the 'Access-Control-Allow-Origin' header in the "
                    "response must not be the wildcard '*' when the request's credentials "
                    "mode is 'include'.",
                )
            ]
        return [
            Step(
                origin_step,
                True,
                f"{what} Access-Control-Allow-Origin is '*', which covers any origin "
                "without credentials (R17)",
                "R17",
            )
        ]
    if value != origin:
        return [_origin_mismatch_step(origin_step, what, origin, value, prefix)]
    steps = [
        Step(
            origin_step,
            True,
            f"{what} Access-Control-Allow-Origin is {origin}, the page's origin (R17)",
            "R17",
        )
    ]
    if request.credentials:
        credentials = response.get(h.ALLOW_CREDENTIALS)
        if credentials != "true":
            shown = credentials or ""
            problem = (
                "missing"
                if credentials is None
                else f"{credentials!r}, not exactly 'true'"
                + (" (several lines are joined, R18)" if "," in credentials else "")
            )
            steps.append(
                Step(
                    credentials_step,
                    False,
                    f"{what} Access-Control-Allow-Credentials is {problem}, and a request "
                    "with credentials needs exactly 'true' (R19): allow credentials in the "
                    "CORS configuration, or call fetch() without credentials",
                    "R19",
                    prefix + "The value of the 'Access-Control-Allow-Credentials' header in "
                    f"the response is '{shown}' which must be 'true' when the request's "
                    "credentials mode is 'include'.",
                )
            )
        else:
            steps.append(
                Step(
                    credentials_step,
                    True,
                    f"{what} Access-Control-Allow-Credentials is 'true' (R19)",
                    "R19",
                )
            )
    return steps


def _origin_mismatch_step(step: str, what: str, origin: str, value: str, prefix: str) -> Step:
    # Chromium words the refusal by what the value looks like; the cause follows its choice.
    if "," in value or " " in value:
        console = (
            f"The 'Access-Control-Allow-Origin' header contains multiple values '{value}', "
            "but only one is allowed."
        )
        cause = (
            "holds several values; a browser joins repeated header lines with ', ' and the "
            "result never matches (R18). Is CORS applied twice (two middlewares, or the app "
            "sets the header too)? Send exactly one origin"
        )
    elif value != "null" and not _parses_as_url(value):
        console = f"The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'."
        cause = (
            "is not an origin (scheme://host[:port], lowercase, R36); send the page's "
            f"origin exactly as the browser sent it: {origin}"
        )
    else:
        console = (
            f"The 'Access-Control-Allow-Origin' header has a value '{value}' that is not "
            "equal to the supplied origin."
        )
        cause = _mismatch_cause(origin, value)
    return Step(
        step,
        False,
        f"{what} Access-Control-Allow-Origin is {value!r}, which {cause}",
        "R17",
        prefix + console + _VALID_VALUE,
    )


def _mismatch_cause(origin: str, value: str) -> str:
    """Why ``value`` is not ``origin``, in the words a developer needs (R17, R36, R37)."""
    if value == "null":
        return (
            "is never the page's origin: 'null' would let sandboxed or file pages in (V3); "
            f"send {origin}"
        )
    if value.rstrip("/") == origin:
        return f"has a trailing slash: send exactly {origin} (R36)"
    if value.lower() == origin.lower():
        return f"differs in case: origins compare byte for byte; send {origin} (R36, R42)"
    sent, seen = urlsplit(value), urlsplit(origin)
    if sent.scheme != seen.scheme and sent.netloc == seen.netloc:
        return f"has the scheme {sent.scheme}, the page is {seen.scheme}: send {origin} (V16)"
    if (sent.hostname, sent.scheme) == (seen.hostname, seen.scheme):
        return f"names another port; the port is part of the origin: send {origin} (R37, V16)"
    return f"is another origin than the page's ({origin}); the browser compares them exactly (R17)"


def _parses_as_url(value: str) -> bool:
    """Roughly whether Chromium's URL parser accepts ``value`` (only chooses wording)."""
    if _URL_LIKE.fullmatch(value) is None:
        return False
    scheme, _, rest = value.partition(":")
    if scheme.lower() not in _SPECIAL_SCHEMES:
        return True
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        return False
    return bool(parts.hostname) and rest.startswith("//") and ";" not in parts.netloc


class _ListSyntaxError(ValueError):
    """A header that must be a comma-separated list of tokens is not one (R23)."""


def _extract_list(response: ResponseHead, name: str) -> list[str] | None:
    """§extract-header-list-values for a ``#token`` list: ``None`` when absent, else the
    items (empty elements skipped); raises :class:`_ListSyntaxError` when a line does not
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
                raise _ListSyntaxError(name)
            items.append(item)
    return items


def _unparsable_step(step: str, header: str, response: ResponseHead) -> Step:
    return Step(
        step,
        False,
        f"the preflight's {header} is {response.get(header)!r}, which does not parse as a "
        "comma-separated list of names, so the whole preflight fails (R23): separate names "
        "with commas, e.g. 'PUT, DELETE' or 'content-type, x-token'",
        "R23",
        f"Cannot parse {header} response header field in preflight response.",
    )


def _method_step(
    request: BrowserRequest, methods: list[str] | None, response: ResponseHead
) -> Step:
    method = request.method
    if methods is None and request.force_preflight:
        # Fetch, CORS-preflight fetch: "if methods is null and request's use-CORS-preflight
        # flag is set", the methods list is the request's own method.
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            "the preflight has no Access-Control-Allow-Methods; for a request the browser "
            "preflights in any case (an upload with progress listeners), its own method "
            f"{method} then counts as allowed (R20)",
            "R20",
        )
    listed = methods or []
    if method in listed:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"the preflight's Access-Control-Allow-Methods lists {method} (R20)",
            "R20",
        )
    if method in SAFELISTED_METHODS:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"{method} is CORS-safelisted, so Access-Control-Allow-Methods need not list it (R20)",
            "R20",
        )
    if ANY in listed and not request.credentials:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"the preflight's Access-Control-Allow-Methods is '*', which covers {method} "
            "without credentials (R20)",
            "R20",
        )
    if ANY in listed:
        cause = (
            "is '*', which browsers ignore for a request with credentials (R20, R45): "
            f"list {method} itself"
        )
    elif any(item.upper() == method.upper() for item in listed):
        cause = (
            f"lists {method} in another case; methods compare case-sensitively (R10, R20): "
            f"send {method}"
        )
    elif methods is None:
        cause = f"is missing: add {method} to the allowed methods"
    else:
        cause = f"is {response.get(h.ALLOW_METHODS)!r}: add {method} to the allowed methods"
    return Step(
        PREFLIGHT_ALLOW_METHODS,
        False,
        f"the preflight's Access-Control-Allow-Methods {cause}",
        "R20",
        f"Method {method} is not allowed by Access-Control-Allow-Methods in preflight response.",
    )


def _headers_step(
    request: BrowserRequest, header_names: list[str] | None, response: ResponseHead
) -> Step:
    listed = header_names or []
    allowed = {item.lower() for item in listed}
    wildcard = ANY in allowed and not request.credentials
    names = request.unsafe_header_names
    # §cors-preflight-fetch 7.6 then 7.7: authorization first, never covered by "*" (R22).
    ordered = [h.AUTHORIZATION] if h.AUTHORIZATION in names else []
    ordered += [name for name in names if name != h.AUTHORIZATION]
    for name in ordered:
        if name in allowed or (wildcard and name != h.AUTHORIZATION):
            continue
        if name == h.AUTHORIZATION and ANY in allowed:
            cause = (
                "is '*', which never covers authorization (R22, V23): list it explicitly, "
                f"e.g. '*, authorization' ({AUTHORIZATION_LENIENCY})"
            )
        elif ANY in allowed:
            cause = (
                f"is '*', which browsers ignore for a request with credentials (R21, R46): "
                f"list {name} itself"
            )
        elif header_names is None:
            cause = f"is missing: add {name} to the allowed headers"
        else:
            cause = (
                f"is {response.get(h.ALLOW_HEADERS)!r}, without {name}: add it to the "
                "allowed headers"
            )
        return Step(
            PREFLIGHT_ALLOW_HEADERS,
            False,
            f"the preflight's Access-Control-Allow-Headers {cause}",
            "R22" if name == h.AUTHORIZATION else "R21",
            f"Request header field {name} is not allowed by Access-Control-Allow-Headers in "
            "preflight response.",
        )
    if not names:
        text = "no CORS-unsafe request headers to allow (R21)"
    else:
        text = f"the preflight's Access-Control-Allow-Headers covers {', '.join(names)} (R21)"
    if request.listed_header_names:
        text += (
            "; the values of " + ", ".join(request.listed_header_names) + " are unknown, so "
            "each was checked as a CORS-unsafe header (a browser lists a name only then)"
        )
    return Step(PREFLIGHT_ALLOW_HEADERS, True, text, "R21")


def _max_age_step(response: ResponseHead, engine: str) -> Step:
    value = response.get(h.MAX_AGE)
    if value is not None and value.isascii() and value.isdigit():
        seconds = int(value)
        cap = MAX_AGE_CAPS[engine]
        capped = min(seconds, cap)
        text = f"the preflight passed; {engine.capitalize()} may reuse it for {capped} s"
        if capped != seconds:
            text += f" (it caps the {seconds} s asked for at {cap} s)"
    else:
        shown = "absent" if value is None else f"{value!r}, not whole seconds,"
        text = (
            f"the preflight passed; Access-Control-Max-Age is {shown} so browsers reuse it "
            f"for {DEFAULT_PREFLIGHT_MAX_AGE} s only (R24)"
        )
    return Step(PREFLIGHT_MAX_AGE, True, text, "R24")


def _exposed_headers(
    request: BrowserRequest, response: ResponseHead
) -> tuple[tuple[str, ...], Step]:
    """§cors-filtered-response (R32): the header names the script can read."""
    notes: list[str] = []
    try:
        listed = _extract_list(response, h.EXPOSE_HEADERS) or []
    except _ListSyntaxError:
        listed = []
        notes.append(
            f"Access-Control-Expose-Headers {response.get(h.EXPOSE_HEADERS)!r} does not "
            "parse, so browsers ignore it (R23)"
        )
    exposed = {item.lower() for item in listed}
    everything = ANY in exposed and not request.credentials
    if ANY in exposed and request.credentials:
        notes.append("'*' in Access-Control-Expose-Headers is ignored with credentials (R32)")
    readable = tuple(
        name
        for name in response.names
        if name not in FORBIDDEN_RESPONSE_HEADERS
        and (everything or name in SAFELISTED_RESPONSE_HEADERS or name in exposed)
    )
    missing = sorted(exposed - set(response.names) - {ANY})
    if missing:
        notes.append(f"exposed but absent from this response: {', '.join(missing)}")
    hidden = [
        name
        for name in response.names
        if name not in readable and not name.startswith("access-control-")
    ]
    text = f"status {response.status}: the script can read the response"
    text += f"; readable headers: {', '.join(readable) if readable else 'none'}"
    if hidden:
        text += f"; hidden from the script: {', '.join(hidden)} (expose them to read them, R32)"
    if notes:
        text += "; " + "; ".join(notes)
    return readable, Step(EXPOSE_HEADERS, True, text, "R32")


def check_request(
    *,
    origin: str,
    url: str = "",
    method: str = "GET",
    request_headers: HeaderInput = (),
    credentials: bool = False,
    preflight: ResponseHead | None = None,
    actual: ResponseHead | None = None,
    force_preflight: bool = False,
    engine: str = CHROMIUM,
) -> Verdict:
    """:func:`check` with the request given as keywords (see :meth:`BrowserRequest.create`)."""
    request = BrowserRequest.create(
        origin=origin,
        url=url,
        method=method,
        request_headers=request_headers,
        credentials=credentials,
        force_preflight=force_preflight,
    )
    return check(request, preflight=preflight, actual=actual, engine=engine)


def parse_header_argument(text: str) -> tuple[str, str]:
    """``"Name: value"`` (or ``"Name"``) as a pair; raises ValueError for a bad name."""
    name, _, value = text.partition(":")
    name = name.strip()
    if not is_token(name):
        raise ValueError(f"{text!r} is not 'Name: value' with a valid header name")
    return name, value.strip(_HTTP_WHITESPACE)
