"""The request side: what a page sends, and what makes the browser send a preflight first."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cors_wsgi.core import headers as h
from cors_wsgi.core.methods import (
    FORBIDDEN_METHODS,
    SAFELISTED_METHODS,
    is_token,
    normalize_method,
)

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
HTTP_WHITESPACE = " \t\r\n"

# The request header fetch() itself sets (the core never reads it), and its value.
ACCEPT = "Accept"
ANY_TYPE = "*/*"
# §forbidden-request-header: forbidden when they name a forbidden method.
_METHOD_OVERRIDE_HEADERS = frozenset(
    {"x-http-method", "x-http-method-override", "x-method-override"}
)

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
        sent = [(h.ORIGIN, self.origin), (ACCEPT, ANY_TYPE), (h.REQUEST_METHOD, self.method)]
        names = self.unsafe_header_names
        if names:
            sent.append((h.REQUEST_HEADERS, ",".join(names)))
        return sent

    def actual_headers(self) -> list[tuple[str, str]]:
        """The headers of the actual request: the script's own, the Origin, and the
        ``Accept: */*`` that ``fetch()`` adds when the script set none."""
        sent = [(h.ORIGIN, self.origin)]
        if not any(name.lower() == ACCEPT.lower() for name, _ in self.headers):
            sent.append((ACCEPT, ANY_TYPE))
        sent.extend(self.headers)
        return sent


def is_safelisted_request_header(name: str, value: str) -> bool:
    """Whether one request header needs no preflight (§cors-safelisted-request-header, R12)."""
    if len(value) > _MAX_SAFELISTED_VALUE_LENGTH:
        return False
    lower = name.lower()
    if lower == ACCEPT.lower():
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
    text = value.strip(HTTP_WHITESPACE)
    kind, slash, rest = text.partition("/")
    if not slash or not is_token(kind):
        return None
    subtype = rest.split(";", 1)[0].rstrip(HTTP_WHITESPACE)
    if not is_token(subtype):
        return None
    return f"{kind}/{subtype}".lower()


def _is_forbidden_override(name: str, value: str) -> bool:
    """R14: method-override headers are forbidden when they name a forbidden method."""
    if name.lower() not in _METHOD_OVERRIDE_HEADERS:
        return False
    return any(
        item.strip(HTTP_WHITESPACE).upper() in FORBIDDEN_METHODS for item in value.split(",")
    )


def _header_pairs(request_headers: HeaderInput) -> list[tuple[str, str]]:
    if isinstance(request_headers, Mapping):
        return [(str(name), str(value)) for name, value in request_headers.items()]
    pairs: list[tuple[str, str]] = []
    for item in request_headers:
        if isinstance(item, str):
            name, _, value = item.partition(":")
            pairs.append((name.strip(), value.strip(HTTP_WHITESPACE)))
        else:
            name, value = item
            pairs.append((name, value))
    return pairs


def parse_header_argument(text: str) -> tuple[str, str]:
    """``"Name: value"`` (or ``"Name"``) as a pair; raises ValueError for a bad name."""
    name, _, value = text.partition(":")
    name = name.strip()
    if not is_token(name):
        raise ValueError(f"{text!r} is not 'Name: value' with a valid header name")
    return name, value.strip(HTTP_WHITESPACE)
