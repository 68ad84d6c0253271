"""Validation: a Policy's keywords in, every problem out at once, or a frozen normalized form.

Nothing here builds a lookup table or decides a request: :mod:`cors_wsgi.core.compiled`
compiles the :class:`ValidOptions` made here, and :class:`~cors_wsgi.Policy` decides.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from cors_wsgi.core import headers as h
from cors_wsgi.core.errors import Code, ConfigProblem, ProblemCollector
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import FORBIDDEN_METHODS, is_token, normalize_method
from cors_wsgi.core.origin_matcher import OriginFunc
from cors_wsgi.core.origin_patterns import ANY_ORIGIN, OriginPattern, parse_origin_pattern
from cors_wsgi.core.regex_canaries import regex_canaries

__all__ = [
    "DEFAULT_MAX_AGE",
    "MAX_MAX_AGE",
    "RegexInput",
    "ValidOptions",
    "unknown_option_problems",
    "validate_options",
]

# R24: browsers cap the preflight cache (Chromium 7200 s, Firefox 86400 s); more is a typo.
MAX_MAX_AGE = 86400
DEFAULT_MAX_AGE = 600
# Origins no attacker should be able to get trusted by a regex (V1, V3, V7).
_CANARY_ORIGINS = ("https://attacker.invalid", "http://attacker.invalid", "null")

RegexInput = str | re.Pattern[str]


@dataclass(frozen=True)
class ValidOptions:
    """A configuration that passed validation, in its normalized form: tuples of canonical
    spellings, ``'*'`` kept where it was given (``any_method``, ``any_header`` and
    ``expose_all`` say so), and the warnings (W-codes) of what is valid but likely not meant.
    """

    allow_origins: tuple[str, ...]
    origin_patterns: tuple[OriginPattern, ...]
    allow_origin_regex: tuple[re.Pattern[str], ...]
    allow_origin_func: OriginFunc | None
    allow_origin_func_ttl: float
    allow_methods: tuple[str, ...]
    any_method: bool
    allow_headers: tuple[str, ...]
    any_header: bool
    allow_credentials: bool
    expose_headers: tuple[str, ...]
    expose_all: bool
    max_age: int | None
    allow_private_network: bool
    preflight_status: int
    preflight_passthrough: bool
    debug: bool
    warnings: tuple[ConfigProblem, ...]

    @property
    def any_origin(self) -> bool:
        """Whether every origin is allowed (``allow_origins='*'``)."""
        return self.allow_origins == (ANY_ORIGIN,)


def validate_options(
    *,
    allow_origins: str | Iterable[str],
    allow_origin_regex: RegexInput | Iterable[RegexInput] | None,
    allow_origin_func: OriginFunc | None,
    allow_origin_func_ttl: float,
    allow_methods: str | Iterable[str],
    allow_headers: str | Iterable[str],
    allow_credentials: bool,
    expose_headers: str | Iterable[str],
    max_age: int | None,
    allow_private_network: bool,
    preflight_status: int,
    preflight_passthrough: bool,
    debug: bool,
) -> ValidOptions:
    """Check every keyword of :class:`~cors_wsgi.Policy` (see it for their meaning) and
    return their normalized form; raise :class:`~cors_wsgi.ConfigError` listing every
    problem at once."""
    problems = ProblemCollector()
    credentials = _check_bool(problems, "allow_credentials", allow_credentials)
    private_network = _check_bool(problems, "allow_private_network", allow_private_network)
    passthrough = _check_bool(problems, "preflight_passthrough", preflight_passthrough)
    debug_mode = _check_bool(problems, "debug", debug)
    origins, patterns = _check_origins(problems, allow_origins, credentials)
    regexes = _check_regexes(problems, allow_origin_regex, credentials)
    func, ttl = _check_func(problems, allow_origin_func, allow_origin_func_ttl)
    methods, any_method = _check_methods(problems, allow_methods)
    request_headers, any_header = _check_request_headers(problems, allow_headers)
    exposed, expose_all = _check_exposed_headers(problems, expose_headers, credentials)
    checked_max_age = _check_max_age(problems, max_age)
    status = _check_preflight_status(problems, preflight_status)
    problems.raise_if_any()
    return ValidOptions(
        allow_origins=origins,
        origin_patterns=patterns,
        allow_origin_regex=regexes,
        allow_origin_func=func,
        allow_origin_func_ttl=ttl,
        allow_methods=methods,
        any_method=any_method,
        allow_headers=request_headers,
        any_header=any_header,
        allow_credentials=credentials,
        expose_headers=exposed,
        expose_all=expose_all,
        max_age=checked_max_age,
        allow_private_network=private_network,
        preflight_status=status,
        preflight_passthrough=passthrough,
        debug=debug_mode,
        warnings=_warnings(request_headers, any_header),
    )


def _check_func(
    problems: ProblemCollector, func: OriginFunc | None, ttl: float
) -> tuple[OriginFunc | None, float]:
    if func is not None and not callable(func):
        problems.add(  # type: ignore[unreachable]
            Code.WRONG_TYPE,
            "allow_origin_func",
            func,
            "pass a function that takes the Origin string and returns True to allow it",
        )
        func = None
    if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 0 <= ttl <= 86400:
        problems.add(
            Code.WRONG_TYPE,
            "allow_origin_func_ttl",
            ttl,
            "give the seconds to cache answers of allow_origin_func, 0 to 86400",
        )
        ttl = 0.0
    return func, float(ttl)


def _whole_number(value: object) -> int | None:
    """``value`` as a plain int when it is one: an int or a subclass such as
    ``HTTPStatus.OK``, never a bool (True == 1) or a float (200.0 == 200, but a float status
    breaks every preflight later)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return int(value)
    return None


def _type_note(value: object) -> str:
    """What to say of a value of the wrong type, or nothing when only its number is wrong."""
    if _whole_number(value) is not None:
        return ""
    return f" (an int, not {type(value).__name__})"


def _check_preflight_status(problems: ProblemCollector, value: object) -> int:
    status = _whole_number(value)
    if status not in (200, 204):
        problems.add(
            Code.BAD_PREFLIGHT_STATUS,
            "preflight_status",
            value,
            f"successful preflights are answered 204 (the default) or 200 (for old "
            f"clients that refuse 204){_type_note(value)}",
        )
        return 204
    assert status is not None
    return status


def unknown_option_problems(
    options: Mapping[str, object], names: tuple[str, ...]
) -> list[ConfigProblem]:
    """A problem (E024) for each key of ``options`` that is none of ``names``, with the
    closest name as its fix."""
    problems = ProblemCollector()
    for key in options:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"use one of {names}"
            problems.add(Code.UNKNOWN_OPTION, str(key), options[key], f"unknown option; {hint}")
    return problems.problems


def _warnings(request_headers: tuple[str, ...], any_header: bool) -> tuple[ConfigProblem, ...]:
    """What a valid configuration does that its author most likely did not mean."""
    found: list[ConfigProblem] = []
    if any_header and h.AUTHORIZATION not in request_headers:
        found.append(
            ConfigProblem(Code.STAR_WITHOUT_AUTHORIZATION, "allow_headers", ANY, _STAR_FIX)
        )
    return tuple(found)


_STAR_FIX = (
    "'*' covers every request header except Authorization (browsers never let '*' cover "
    "it), so preflights of requests that send a bearer token are refused; write "
    "allow_headers=['*', 'authorization'] if clients send Authorization"
)


def _check_bool(problems: ProblemCollector, option: str, value: object) -> bool:
    if not isinstance(value, bool):
        problems.add(Code.WRONG_TYPE, option, value, "give True or False")
        return False
    return value


def _as_list(
    problems: ProblemCollector, option: str, value: object, example: str
) -> list[object] | None:
    """A str-or-iterable option as a list; ``None`` (after reporting) when it is neither."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Mapping) or not isinstance(value, Iterable):
        problems.add(
            Code.WRONG_TYPE,
            option,
            value,
            f"give a list of strings, such as {example}, or '*'",
        )
        return None
    return list(value)


def _check_origins(
    problems: ProblemCollector, value: object, credentials: bool
) -> tuple[tuple[str, ...], tuple[OriginPattern, ...]]:
    option = "allow_origins"
    alone = value == ANY_ORIGIN or (
        isinstance(value, list | tuple) and len(value) == 1 and value[0] == ANY_ORIGIN
    )
    items = [ANY_ORIGIN] if alone else _as_list(problems, option, value, "['https://a.example']")
    if items is None:
        return (), ()
    if credentials and ANY_ORIGIN in items:
        # '*' anywhere is this error, and only this one: E023's fix for '*' in a list
        # ('*' on its own) would only lead here.
        problems.add(
            Code.ANY_ORIGIN_WITH_CREDENTIALS,
            option,
            value,
            "with allow_credentials=True, browsers reject '*' on credentialed requests, and "
            # R43, V1
            "reflecting every origin instead lets any site read your users' data; "
            "list the origins that may send credentials, e.g. ['https://app.example.com']",
        )
        items = [item for item in items if item != ANY_ORIGIN]
    if alone:
        return (ANY_ORIGIN,), ()
    patterns: list[OriginPattern] = []
    for item in items:
        pattern = parse_origin_pattern(item, option, problems)
        if pattern is None:
            continue
        if credentials and not pattern.is_secure and not pattern.is_loopback:
            secure = pattern.text.replace(pattern.scheme + "://", "https://", 1)
            problems.add(
                Code.INSECURE_ORIGIN_WITH_CREDENTIALS,
                option,
                pattern.text,
                "with credentials, a plain-http origin lets anyone on the network inject "
                # V10
                f"script that reads your users' data; use {secure!r} (loopback and "
                "localhost are exempt)",
            )
            continue
        patterns.append(pattern)
    unique = tuple(dict.fromkeys(patterns))
    return tuple(p.text for p in unique), unique


def _check_regexes(
    problems: ProblemCollector, value: object, credentials: bool
) -> tuple[re.Pattern[str], ...]:
    option = "allow_origin_regex"
    if value is None:
        return ()
    items: list[object] | None = [value] if isinstance(value, re.Pattern) else None
    if items is None:
        items = _as_list(problems, option, value, r"[r'https://[a-z0-9-]+\.example\.com']")
    compiled: list[re.Pattern[str]] = []
    for item in items or ():
        if isinstance(item, re.Pattern):
            if not isinstance(item.pattern, str):
                problems.add(Code.BAD_REGEX, option, item, "compile the pattern from a str")
                continue
            regex: re.Pattern[str] = item
        elif isinstance(item, str):
            try:
                regex = re.compile(item)
            except re.error as error:
                problems.add(Code.BAD_REGEX, option, item, f"does not compile: {error}")
                continue
        else:
            problems.add(Code.WRONG_TYPE, option, item, "give a str or a compiled pattern")
            continue
        if any(regex.fullmatch(canary) for canary in _CANARY_ORIGINS):
            fix = (
                # V1
                "with credentials that is the reflect-any-origin vulnerability; "
                if credentials
                else "for any origin use allow_origins='*'; "
            )
            problems.add(
                Code.REGEX_MATCHES_ANY_ORIGIN,
                option,
                regex.pattern,
                f"this pattern accepts origins like 'https://attacker.invalid' or 'null': {fix}"
                r"anchor it to your domain, e.g. r'https://[a-z0-9-]+\.example\.com'",
            )
            continue
        if credentials and _accepts_look_alike(problems, option, regex):
            continue
        compiled.append(regex)
    return tuple(compiled)


_LOOK_ALIKE_FIX = (
    "with credentials, that site could read your users' data; anchor every part of the "
    r"host, e.g. r'https://[a-z0-9-]+\.example\.com' trusts the subdomains of "
    "example.com and nothing else"
)


def _accepts_look_alike(problems: ProblemCollector, option: str, regex: re.Pattern[str]) -> bool:
    """Report (and say True) when a credentialed regex accepts an origin an attacker can get:
    their own site, the trusted name with a prefix glued on or under their domain, or the
    trusted name over plain http (V1, V7, V10)."""
    for canary, what in regex_canaries(regex.pattern):
        if regex.fullmatch(canary):
            insecure = canary.startswith("http://")
            problems.add(
                Code.INSECURE_ORIGIN_WITH_CREDENTIALS
                if insecure
                else Code.REGEX_MATCHES_ANY_ORIGIN,
                option,
                regex.pattern,
                f"this pattern accepts {canary!r} ({what}); "
                + (
                    "with credentials, a plain-http origin lets anyone on the network inject "
                    "script that reads your users' data; match 'https://' only (loopback "
                    "and localhost are exempt)"
                    if insecure
                    else _LOOK_ALIKE_FIX
                ),
            )
            return True
    return False


_A_HEADER = "a header name"


def _tokens(
    problems: ProblemCollector,
    option: str,
    items: Iterable[object],
    code: str,
    what: str,
    example: str,
) -> Iterator[str]:
    """The items that are HTTP tokens (R23, R48); each other item is reported under code."""
    for item in items:
        if isinstance(item, str) and is_token(item):
            yield item
            continue
        several = item.replace(",", " ").split() if isinstance(item, str) else []
        if len(several) > 1 and all(map(is_token, several)):
            # "GET, POST" as one string: the same fix as for origins run together.
            message = f"several names run together; write them as separate items: {several!r}"
        else:
            message = f"{what} is an HTTP token such as {example}"
        problems.add(code, option, item, message)


def _check_methods(problems: ProblemCollector, value: object) -> tuple[tuple[str, ...], bool]:
    option = "allow_methods"
    items = _as_list(problems, option, value, "['GET', 'POST', 'PUT', 'DELETE']")
    if items is None:
        return (), False
    if ANY in items:
        return (ANY,), True
    methods: list[str] = []
    for item in _tokens(problems, option, items, Code.BAD_METHOD, "a method", "'PUT' or 'PATCH'"):
        if item.upper() in FORBIDDEN_METHODS:
            problems.add(
                Code.FORBIDDEN_METHOD,
                option,
                item,
                # R11
                "browsers never send CONNECT, TRACE or TRACK; remove it",
            )
            continue
        methods.append(normalize_method(item))
    return tuple(dict.fromkeys(methods)), False


def _check_request_headers(
    problems: ProblemCollector, value: object
) -> tuple[tuple[str, ...], bool]:
    option = "allow_headers"
    items = _as_list(problems, option, value, "['content-type', 'authorization']")
    if items is None:
        return (), False
    any_header = ANY in items
    names: list[str] = [ANY] if any_header else []
    named = [item for item in items if item != ANY]
    for item in _tokens(problems, option, named, Code.BAD_HEADER_NAME, _A_HEADER, "'x-token'"):
        name = item.lower()
        if h.is_forbidden_request_header(name):
            problems.add(
                Code.FORBIDDEN_REQUEST_HEADER,
                option,
                item,
                # R14
                "scripts can never set this header, so allowing it does nothing; remove it",
            )
            continue
        if name in h.OWNED_RESPONSE_HEADERS_LOWER:
            problems.add(
                Code.HEADER_IN_WRONG_LIST,
                option,
                item,
                # R48
                "this is a response header of CORS, never sent by browsers; remove it",
            )
            continue
        names.append(name)
    return tuple(dict.fromkeys(names)), any_header


def _check_exposed_headers(
    problems: ProblemCollector, value: object, credentials: bool
) -> tuple[tuple[str, ...], bool]:
    option = "expose_headers"
    items = _as_list(problems, option, value, "['x-total-count']")
    if items is None:
        return (), False
    if ANY in items:
        if credentials:
            problems.add(
                Code.EXPOSE_ALL_WITH_CREDENTIALS,
                option,
                value,
                "browsers ignore '*' in Access-Control-Expose-Headers on credentialed "
                # R44
                "requests; list the headers scripts may read, e.g. ['x-total-count']",
            )
        return (ANY,), True
    names: list[str] = []
    for item in _tokens(problems, option, items, Code.BAD_HEADER_NAME, _A_HEADER, "'x-count'"):
        if item.lower() in h.UNEXPOSABLE_RESPONSE_HEADERS:
            problems.add(
                Code.HEADER_IN_WRONG_LIST,
                option,
                item,
                # R32, R48
                "browsers never let scripts read this header; remove it",
            )
            continue
        names.append(item)
    return tuple(dict.fromkeys(names)), False


def _check_max_age(problems: ProblemCollector, value: object) -> int | None:
    if value is None:
        return None
    seconds = _whole_number(value)
    if seconds is None or not 0 <= seconds <= MAX_MAX_AGE:
        problems.add(
            Code.MAX_AGE_OUT_OF_RANGE,
            "max_age",
            value,
            f"give whole seconds from 0 to {MAX_MAX_AGE} (browsers cap it: Chromium at "
            # R24
            f"7200), or None to send no Access-Control-Max-Age{_type_note(value)}",
        )
        return None
    return seconds
