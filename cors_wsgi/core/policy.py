"""The policy: a configuration validated once, compiled, and asked for a decision per request."""

from __future__ import annotations

import difflib
import itertools
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from cors_wsgi.core import headers as h
from cors_wsgi.core.decision import Decision, ReasonValues, _new_decision, make_decision, vary_line
from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem, ProblemCollector
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import (
    FORBIDDEN_METHODS,
    OPTIONS,
    SAFELISTED_METHODS,
    is_token,
    normalize_method,
)
from cors_wsgi.core.origins import (
    ANY_ORIGIN,
    MAX_ORIGIN_LENGTH,
    OriginFunc,
    OriginMatcher,
    OriginPattern,
    parse_origin_pattern,
    regex_canaries,
)
from cors_wsgi.core.vocabulary import WSGI_VOCABULARY, Vocabulary

__all__ = ["Policy", "is_preflight"]


logger = logging.getLogger("cors_wsgi")

# R24: browsers cap the preflight cache (Chromium 7200 s, Firefox 86400 s); more is a typo.
MAX_MAX_AGE = 86400
DEFAULT_MAX_AGE = 600
# Origins no attacker should be able to get trusted by a regex (V1, V3, V7).
_CANARY_ORIGINS = ("https://attacker.invalid", "http://attacker.invalid", "null")
# Up to this many allowed request headers, every value a browser can send is precomputed
# (2**8 - 1 strings at most).
_MAX_NAMES_FOR_KNOWN_VALUES = 8
# Room for whitespace that intermediaries add around list elements (R13).
_REQUEST_HEADERS_SLACK = 64
# The cap on Access-Control-Request-Headers when any header is allowed: far above what any
# browser sends, far below a hostile megabyte (V18).
_ANY_REQUEST_HEADERS_MAX_LENGTH = 8192
_NONE: frozenset[str] = frozenset()
# How many accepted Access-Control-Request-Headers values of non-browser form are remembered.
_MAX_LEARNED_VALUES = 256
# With allow_methods='*' and no credentials, preflights for these are answered from a table.
_COMMON_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})

OPTION_NAMES = (
    "allow_origins",
    "allow_origin_regex",
    "allow_origin_func",
    "allow_origin_func_ttl",
    "allow_methods",
    "allow_headers",
    "allow_credentials",
    "expose_headers",
    "max_age",
    "allow_private_network",
    "preflight_status",
    "preflight_passthrough",
    "debug",
)

RegexInput = str | re.Pattern[str]

# Reasons are %-templates filled only when read (a log line, explain()): building them
# costs on the request path. Option names are values, under keys ending in "option", so
# that an adapter can name them as its user wrote them.
_REASON_ORIGIN_REFUSED = (
    "the origin matches no entry of %(origins_option)s, %(regex_option)s or %(func_option)s"
)
_ORIGIN_OPTIONS: ReasonValues = (
    ("origins_option", "allow_origins"),
    ("regex_option", "allow_origin_regex"),
    ("func_option", "allow_origin_func"),
)
_ORIGINS_OPTION: ReasonValues = (("option", "allow_origins"),)
_METHODS_OPTION: ReasonValues = (("option", "allow_methods"),)
_HEADERS_OPTION: ReasonValues = (("option", "allow_headers"),)
# V18: a flood is refused before it is parsed, with a reason that does not quote it.
_REASON_BAD_HEADERS = (
    "Access-Control-Request-Headers is malformed or longer than any list %(option)s allows"
)
_REASON_PATTERN_MATCH = "the origin matches a pattern of the allow-list"
_REASON_PREFLIGHT_PASSED = "the preflight passed every check (origin, method, headers)"
_REASON_METHOD_REFUSED = (  # R10, R20
    "method %(method)r is not in %(option)s; methods compare case-sensitively"
)
_REASON_NOT_A_METHOD = "Access-Control-Request-Method %(method)r is not a method name"  # R6, R45
_REASON_HEADER_REFUSED = "request header %(header)r is not in %(option)s"  # R21
_REASON_AUTHORIZATION = (  # R22
    "request header 'authorization' is never covered by '*' in allow_headers; write "
    "allow_headers=['*', 'authorization'] if clients send Authorization"
)
_LOG_REFUSAL = "CORS %(kind)s from origin %(origin)r refused: "
# How much of a request value a reason or a log line quotes (V18: no log flooding).
_QUOTED_LENGTH = 200


def is_preflight(method: str, origin: str | None, request_method: str | None) -> bool:
    """Whether a request is a CORS preflight (R2): OPTIONS, with both an Origin and an
    Access-Control-Request-Method header (``None`` when absent)."""
    return method == OPTIONS and origin is not None and request_method is not None


class Policy:
    """A validated, immutable CORS configuration, compiled for fast decisions.

    Keywords (every one optional):

    - ``allow_origins``: ``"*"`` (any origin, anonymous requests only) or a list of
      origins: exact (``https://app.example.com``), subdomain wildcards
      (``https://*.example.com``: subdomains only, never the apex) and any-port entries
      (``http://localhost:*``). Default: no origin.
    - ``allow_origin_regex``: one or more regular expressions (``str`` or compiled),
      full-matched against the Origin.
    - ``allow_origin_func``: ``callable(origin) -> bool`` for run-time allow-lists; only
      called for well-formed origins, its answers cached for ``allow_origin_func_ttl``
      seconds (default 10; 0 calls it on every request).
    - ``allow_methods``: ``"*"`` or a list; GET, HEAD and POST are always allowed (R9).
      Default: GET, HEAD, POST.
    - ``allow_headers``: ``"*"`` or a list of request header names; ``"*"`` never covers
      ``authorization`` (R22): write ``["*", "authorization"]`` to allow it too.
    - ``allow_credentials``: send ``Access-Control-Allow-Credentials: true`` (default False).
    - ``expose_headers``: ``"*"`` or response header names scripts may read.
    - ``max_age``: seconds browsers may cache a preflight, 0 to 86400, or ``None`` to send
      no Access-Control-Max-Age (browsers then use 5 s). Default 600.
    - ``allow_private_network``: answer Private Network Access preflights (R50).
    - ``preflight_status``: 204 (default) or 200 for successful preflights.
    - ``preflight_passthrough``: let preflights reach the application, which answers them.
    - ``debug``: for development only. A refused preflight is answered with the status of a
      successful one and the headers that passed, so that the browser console names the
      exact failing step (origin, method or header); refusals are logged at WARNING
      instead of DEBUG. It reveals the allow-lists to anyone who asks: never in production.

    Every problem is reported at once in a :class:`~cors_wsgi.ConfigError`.
    """

    __slots__ = (
        "_accepted_request_headers",
        "_accepted_request_headers_limit",
        "_actual_by_origin",
        "_actual_vary",
        "_actual_vary_line",
        "_allow_headers_set",
        "_allow_headers_value",
        "_allow_methods_set",
        "_allow_methods_value",
        "_any_origin",
        "_any_origin_actual",
        "_authorization_allowed",
        "_fast_preflight_methods",
        "_matcher",
        "_max_request_headers_length",
        "_non_cors",
        "_preflight_by_origin",
        "_preflight_tail",
        "_preflight_vary",
        "_preflight_vary_line",
        "_refusal_level",
        "_refused_actual",
        "_refused_preflight_headers",
        "_refused_preflight_origin",
        "_structural",
        "_tail",
        "allow_credentials",
        "allow_headers",
        "allow_methods",
        "allow_origin_func",
        "allow_origin_func_ttl",
        "allow_origin_regex",
        "allow_origins",
        "allow_private_network",
        "debug",
        "expose_headers",
        "max_age",
        "origin_patterns",
        "preflight_passthrough",
        "preflight_status",
        "vocabulary",
        "warnings",
    )

    allow_origins: tuple[str, ...]
    allow_origin_regex: tuple[re.Pattern[str], ...]
    allow_origin_func: OriginFunc | None
    allow_origin_func_ttl: float
    allow_methods: tuple[str, ...]
    allow_headers: tuple[str, ...]
    allow_credentials: bool
    expose_headers: tuple[str, ...]
    max_age: int | None
    allow_private_network: bool
    preflight_status: int
    preflight_passthrough: bool
    debug: bool
    origin_patterns: tuple[OriginPattern, ...]
    # How messages and logged reasons name the options: the adapter's words.
    vocabulary: Vocabulary
    # What is valid but likely not what was meant (W-codes), for checks to show.
    warnings: tuple[ConfigProblem, ...]
    # The compiled form, derived once in _compile().
    _actual_by_origin: dict[str, Decision]
    _actual_vary: tuple[str, ...]
    _actual_vary_line: tuple[tuple[str, str], ...]
    _fast_preflight_methods: frozenset[str]
    _preflight_by_origin: dict[str, Decision]
    _preflight_vary_line: tuple[tuple[str, str], ...]
    _allow_headers_set: frozenset[str] | None
    _allow_headers_value: str | None
    _allow_methods_set: frozenset[str] | None
    _allow_methods_value: str | None
    _any_origin: bool
    _authorization_allowed: bool
    _matcher: OriginMatcher
    _max_request_headers_length: int
    _non_cors: Decision
    _preflight_tail: tuple[tuple[str, str], ...]
    _preflight_vary: tuple[str, ...]
    _any_origin_actual: Decision | None
    _accepted_request_headers: set[str]
    _accepted_request_headers_limit: int
    _refusal_level: int
    _refused_actual: Decision
    _refused_preflight_origin: Decision
    _refused_preflight_headers: Decision
    _structural: bool
    _tail: tuple[tuple[str, str], ...]

    def __init__(
        self,
        *,
        allow_origins: str | Iterable[str] = (),
        allow_origin_regex: RegexInput | Iterable[RegexInput] | None = None,
        allow_origin_func: OriginFunc | None = None,
        allow_origin_func_ttl: float = 10.0,
        allow_methods: str | Iterable[str] = ("GET", "HEAD", "POST"),
        allow_headers: str | Iterable[str] = (),
        allow_credentials: bool = False,
        expose_headers: str | Iterable[str] = (),
        max_age: int | None = DEFAULT_MAX_AGE,
        allow_private_network: bool = False,
        preflight_status: int = 204,
        preflight_passthrough: bool = False,
        debug: bool = False,
    ) -> None:
        problems = ProblemCollector()
        set_ = self._set
        credentials = _check_bool(problems, "allow_credentials", allow_credentials)
        set_("allow_credentials", credentials)
        set_(
            "allow_private_network",
            _check_bool(problems, "allow_private_network", allow_private_network),
        )
        set_(
            "preflight_passthrough",
            _check_bool(problems, "preflight_passthrough", preflight_passthrough),
        )
        set_("debug", _check_bool(problems, "debug", debug))

        origins, patterns = _check_origins(problems, allow_origins, credentials)
        set_("allow_origins", origins)
        set_("origin_patterns", patterns)
        any_origin = origins == (ANY_ORIGIN,)
        set_("_any_origin", any_origin)
        regexes = _check_regexes(problems, allow_origin_regex, credentials)
        set_("allow_origin_regex", regexes)
        if allow_origin_func is not None and not callable(allow_origin_func):
            problems.add(  # type: ignore[unreachable]
                Code.WRONG_TYPE,
                "allow_origin_func",
                allow_origin_func,
                "pass a function that takes the Origin string and returns True to allow it",
            )
            allow_origin_func = None
        set_("allow_origin_func", allow_origin_func)
        ttl = allow_origin_func_ttl
        if isinstance(ttl, bool) or not isinstance(ttl, int | float) or not 0 <= ttl <= 86400:
            problems.add(
                Code.WRONG_TYPE,
                "allow_origin_func_ttl",
                ttl,
                "give the seconds to cache answers of allow_origin_func, 0 to 86400",
            )
            ttl = 0.0
        set_("allow_origin_func_ttl", float(ttl))

        methods, any_method = _check_methods(problems, allow_methods)
        set_("allow_methods", methods)
        request_headers, any_header = _check_request_headers(problems, allow_headers)
        set_("allow_headers", request_headers)
        exposed, expose_all = _check_exposed_headers(problems, expose_headers, credentials)
        set_("expose_headers", exposed)
        set_("max_age", _check_max_age(problems, max_age))
        # Exactly an int: 200.0 == 200, but a float status breaks every preflight later.
        if type(preflight_status) is not int or preflight_status not in (200, 204):
            problems.add(
                Code.BAD_PREFLIGHT_STATUS,
                "preflight_status",
                preflight_status,
                "successful preflights are answered 204 (the default) or 200 (for old "
                "clients that refuse 204)",
            )
            preflight_status = 204
        set_("preflight_status", preflight_status)
        problems.raise_if_any()
        set_("vocabulary", WSGI_VOCABULARY)
        set_("warnings", _warnings(request_headers, any_header))
        self._compile(any_method, any_header, expose_all)

    def in_words_of(self, vocabulary: Vocabulary) -> Policy:
        """This policy, with its logged reasons worded in ``vocabulary`` (an adapter's)."""
        worded = object.__new__(Policy)
        for name in Policy.__slots__:
            if hasattr(self, name):
                object.__setattr__(worded, name, getattr(self, name))
        object.__setattr__(worded, "vocabulary", vocabulary)
        return worded

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Policy is immutable; build a new one")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("a Policy is immutable; build a new one")

    def __repr__(self) -> str:
        shown = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in OPTION_NAMES
            if name != "allow_origin_func" or self.allow_origin_func is not None
        )
        return f"Policy({shown})"

    @classmethod
    def from_mapping(cls, options: Policy | Mapping[str, Any]) -> Policy:
        """Build a policy from a dict of the keywords; unknown keys are reported (E024)."""
        if isinstance(options, Policy):
            return options
        if not isinstance(options, Mapping):
            raise ConfigError(
                [
                    ConfigProblem(
                        Code.WRONG_TYPE,
                        "policy",
                        options,
                        "give a Policy or a dict of its keywords",
                    )
                ]
            )
        unknown = [key for key in options if key not in OPTION_NAMES]
        if unknown:
            problems = ProblemCollector()
            for key in unknown:
                close = difflib.get_close_matches(str(key), OPTION_NAMES, n=1)
                hint = f"did you mean {close[0]!r}?" if close else f"use one of {OPTION_NAMES}"
                problems.add(
                    Code.UNKNOWN_OPTION, str(key), options[key], f"unknown option; {hint}"
                )
            try:
                cls(**{k: v for k, v in options.items() if k in OPTION_NAMES})
            except ConfigError as error:
                problems.problems.extend(error.errors)
            problems.raise_if_any()
        return cls(**options)

    # ---- compilation: everything that does not depend on the request happens here, once.

    def _compile(self, any_method: bool, any_header: bool, expose_all: bool) -> None:
        set_ = self._set
        credentials = self.allow_credentials
        self_any_origin = self._any_origin
        patterns = self.origin_patterns
        matcher = OriginMatcher(
            tuple(p for p in patterns if not p.is_exact),
            self.allow_origin_regex,
            self.allow_origin_func,
            self.allow_origin_func_ttl,
        )
        set_("_matcher", matcher)
        set_("_structural", matcher.needs_structure)

        credentials_header = ((h.ALLOW_CREDENTIALS, "true"),) if credentials else ()
        expose: tuple[tuple[str, str], ...] = ()
        if expose_all:
            expose = ((h.EXPOSE_HEADERS, ANY),)
        elif self.expose_headers:
            expose = ((h.EXPOSE_HEADERS, ", ".join(self.expose_headers)),)
        # The headers every allowed actual response carries after Access-Control-Allow-Origin.
        tail = credentials_header + expose
        set_("_tail", tail)

        # Methods (R20, R45): "*" for anonymous requests; with credentials the requested
        # method is echoed, since browsers ignore "*" there.
        allowed_methods = frozenset(self.allow_methods) | SAFELISTED_METHODS
        set_("_allow_methods_set", None if any_method else allowed_methods)
        if any_method:
            methods_value = None if credentials else ANY
        else:
            methods_value = ", ".join(self.allow_methods) if self.allow_methods else None
        set_("_allow_methods_value", methods_value)

        # Request headers (R21, R22, R46).
        names = tuple(name for name in self.allow_headers if name != ANY)
        set_("_allow_headers_set", None if any_header else frozenset(names))
        set_("_authorization_allowed", h.AUTHORIZATION in names)
        if any_header:
            headers_value = None if credentials else ",".join((ANY, *names))
            max_length = _ANY_REQUEST_HEADERS_MAX_LENGTH
        else:
            headers_value = ", ".join(names) if names else None
            max_length = sum(len(name) + 1 for name in names) * 2 + _REQUEST_HEADERS_SLACK
        set_("_allow_headers_value", headers_value)
        set_("_max_request_headers_length", max_length)
        # Browsers send the unsafe names sorted, lowercase and joined by "," (R13): for a
        # short list, every such value is known in advance and needs no parsing.
        browser_values: frozenset[str] = frozenset()
        if not any_header and len(names) <= _MAX_NAMES_FOR_KNOWN_VALUES:
            ordered = sorted(names)
            browser_values = frozenset(
                ",".join(subset)
                for size in range(1, len(ordered) + 1)
                for subset in itertools.combinations(ordered, size)
            )
        # Values other clients send (spaces, other cases and orders) are parsed once, then
        # remembered when every name is allowed: a bounded set, so that a client sending
        # random values costs parsing, never memory.
        set_("_accepted_request_headers", set(browser_values))
        set_("_accepted_request_headers_limit", len(browser_values) + _MAX_LEARNED_VALUES)

        preflight_tail: tuple[tuple[str, str], ...] = credentials_header
        if methods_value is not None:
            preflight_tail += ((h.ALLOW_METHODS, methods_value),)
        if headers_value is not None:
            preflight_tail += ((h.ALLOW_HEADERS, headers_value),)
        if self.max_age is not None:
            preflight_tail += ((h.MAX_AGE, str(self.max_age)),)
        set_("_preflight_tail", preflight_tail)
        preflight_vary: tuple[str, ...] = (h.ORIGIN, h.REQUEST_METHOD, h.REQUEST_HEADERS)
        if self.allow_private_network:
            preflight_vary += (h.REQUEST_PRIVATE_NETWORK,)
        set_("_preflight_vary", preflight_vary)

        # R31: with "*" nothing depends on the Origin, so nothing varies on it and even
        # requests without Origin get the headers; otherwise every response varies (R30).
        actual_vary: tuple[str, ...] = () if self_any_origin else (h.ORIGIN,)
        any_origin_actual = None
        if self_any_origin:
            any_headers = ((h.ALLOW_ORIGIN, ANY), *tail)
            non_cors = make_decision(
                preflight=False,
                answer_here=False,
                allowed=True,
                status=None,
                headers=any_headers,
                vary=(),
                reason_template="no Origin header: not a CORS request; '*' is sent to any origin",
            )
            any_origin_actual = make_decision(
                False,
                False,
                True,
                None,
                any_headers,
                (),
                "%(option)s is '*': any origin",
                _ORIGINS_OPTION,
            )
        else:
            non_cors = make_decision(
                preflight=False,
                answer_here=False,
                allowed=True,
                status=None,
                headers=(),
                vary=actual_vary,
                reason_template="no Origin header: not a CORS request",
            )
        set_("_non_cors", non_cors)
        set_("_any_origin_actual", any_origin_actual)
        set_("_refusal_level", logging.WARNING if self.debug else logging.DEBUG)
        set_(
            "_actual_by_origin",
            {
                p.text: make_decision(
                    preflight=False,
                    answer_here=False,
                    allowed=True,
                    status=None,
                    headers=((h.ALLOW_ORIGIN, p.text), *tail),
                    vary=actual_vary,
                    reason_template="origin %(origin)r is in %(option)s",
                    reason_values=(("origin", p.text), *_ORIGINS_OPTION),
                )
                for p in patterns
                if p.is_exact
            },
        )
        set_("_actual_vary", actual_vary)
        set_("_actual_vary_line", vary_line(actual_vary))
        set_("_preflight_vary_line", vary_line(preflight_vary))
        # Preflights from exact origins are answered from a table too, when the answer does
        # not depend on the request: a listed method (no echo, R45), Access-Control-Request-
        # Headers absent or one of the values browsers send for the allowed names (no echo,
        # R46), and no Private Network Access header to add (R51).
        if any_method:
            fast_methods = frozenset() if credentials else _COMMON_METHODS
        else:
            fast_methods = allowed_methods
        set_("_fast_preflight_methods", fast_methods)
        set_(
            "_preflight_by_origin",
            {
                text: make_decision(
                    True,
                    not self.preflight_passthrough,
                    True,
                    self.preflight_status,
                    ((h.ALLOW_ORIGIN, text), *preflight_tail),
                    preflight_vary,
                    _REASON_PREFLIGHT_PASSED,
                )
                for text in self._actual_by_origin
            },
        )
        # Refusals of an origin do not depend on the origin (it is logged beside the reason),
        # so they are built once.
        set_(
            "_refused_actual",
            self._refusal(False, actual_vary, _REASON_ORIGIN_REFUSED, _ORIGIN_OPTIONS),
        )
        set_(
            "_refused_preflight_origin",
            self._refusal(True, preflight_vary, _REASON_ORIGIN_REFUSED, _ORIGIN_OPTIONS),
        )
        set_(
            "_refused_preflight_headers",
            self._refusal(True, preflight_vary, _REASON_BAD_HEADERS, _HEADERS_OPTION),
        )

    # ---- decisions: the request path.

    def decide(
        self,
        method: str,
        origin: str | None,
        request_method: str | None = None,
        request_headers: str | None = None,
        request_private_network: str | None = None,
    ) -> Decision:
        """Decide what CORS does with one request, from its plain header values.

        ``request_headers`` is the Access-Control-Request-Headers value, several lines
        joined by ``,``. The result says whether to answer a preflight here, which headers to
        add to the application's response, and why. Refusals are logged on the
        ``cors_wsgi`` logger at DEBUG. A request without Origin gets the same decision
        whatever its method, so an adapter may ask once and keep the answer.
        """
        if origin is None:
            return self._non_cors  # R1, and R4 for OPTIONS with ACRM but no Origin.
        # A value longer than any origin is never looked up, since that would hash all of
        # it (V18).
        short = len(origin) <= MAX_ORIGIN_LENGTH
        if request_method is None or method != OPTIONS:
            # An actual request (R3, R5): not is_preflight(), inlined on the request path.
            # The common case is one dict lookup.
            decision = self._actual_by_origin.get(origin) if short else None
            if decision is not None:
                return decision
            if self._any_origin_actual is not None:
                return self._any_origin_actual
            if self._structural and self._matcher.match(origin) is not None:
                headers = ((h.ALLOW_ORIGIN, origin), *self._tail)
                return _new_decision(
                    Decision,
                    (
                        False,
                        False,
                        True,
                        None,
                        headers,
                        self._actual_vary,
                        _REASON_PATTERN_MATCH,
                        (),
                        (*headers, *self._actual_vary_line),
                    ),
                )
            decision = self._refused_actual
        else:
            decision = self._preflight_by_origin.get(origin) if short else None
            if (
                decision is not None
                and request_method in self._fast_preflight_methods
                and (
                    not request_headers
                    # The length first: a set lookup would hash a hostile megabyte (V18).
                    or (
                        len(request_headers) <= self._max_request_headers_length
                        and request_headers in self._accepted_request_headers
                    )
                )
                and (request_private_network != "true" or not self.allow_private_network)
            ):
                return decision
            decision = self._decide_preflight(
                origin, request_method, request_headers, request_private_network
            )
            if decision.allowed:
                return decision
        level = self._refusal_level
        if decision.reason_template is _REASON_AUTHORIZATION:
            level = _star_refusal_level(level)
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "CORS %s from origin %r refused: %s",
                "preflight" if decision.preflight else "request",
                _shortened(origin),
                _Worded(self.vocabulary, decision),
            )
        return decision

    def _allowed_origin(self, origin: str) -> str | None:
        if self._any_origin:
            return ANY
        if len(origin) <= MAX_ORIGIN_LENGTH and origin in self._actual_by_origin:
            return origin
        if self._structural:
            return self._matcher.match(origin)
        return None

    def matching_entry(self, origin: str) -> tuple[str, str] | None:
        """Which entry lets ``origin`` in: ``(option, entry)``, or ``None`` when none does.

        ``option`` is the keyword that holds it (``"allow_origins"``, ``"allow_origin_regex"``
        or ``"allow_origin_func"``) and ``entry`` the entry as configured (the regex's
        pattern; the function's name). Asks the same compiled matcher that decides requests.
        """
        if self._any_origin:
            return ("allow_origins", ANY)
        if len(origin) <= MAX_ORIGIN_LENGTH and origin in self._actual_by_origin:
            return ("allow_origins", origin)
        if not self._structural:
            return None
        return self._matcher.matching_entry(origin)

    def _decide_preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None,
        request_private_network: str | None,
    ) -> Decision:
        allowed_origin = self._allowed_origin(origin)
        if allowed_origin is None:
            return self._refused_preflight_origin
        # In debug mode a refused preflight carries what passed, so the browser's console
        # message names the step that failed.
        passed = ((h.ALLOW_ORIGIN, allowed_origin), *self._preflight_tail) if self.debug else ()
        methods = self._allow_methods_set
        if methods is not None:
            if request_method not in methods:
                return self._refusal(
                    True,
                    self._preflight_vary,
                    _REASON_METHOD_REFUSED,
                    (("method", _shortened(request_method)), *_METHODS_OPTION),
                    passed,
                )
        elif not is_token(request_method) or request_method == ANY:
            # R45: with credentials the method is echoed, and an echoed "*" would read as
            # the wildcard; no browser sends a method named "*".
            return self._refusal(
                True,
                self._preflight_vary,
                _REASON_NOT_A_METHOD,
                (("method", _shortened(request_method)),),
                passed,
            )
        tail = self._preflight_tail
        if not self._allow_methods_value and methods is None:
            tail = ((h.ALLOW_METHODS, request_method), *tail)  # R45: echo, never "*"
        # The length check comes before the set lookup, which would hash the whole value.
        if request_headers and (
            len(request_headers) > self._max_request_headers_length
            or request_headers not in self._accepted_request_headers
        ):
            refusal = self._check_request_headers(request_headers, allowed_origin, tail)
            if isinstance(refusal, Decision):
                return refusal
            tail = refusal
        headers = ((h.ALLOW_ORIGIN, allowed_origin), *tail)
        if self.allow_private_network and request_private_network == "true":
            headers = (*headers, (h.ALLOW_PRIVATE_NETWORK, "true"))  # R51
        return _new_decision(
            Decision,
            (
                True,
                not self.preflight_passthrough,
                True,
                self.preflight_status,
                headers,
                self._preflight_vary,
                _REASON_PREFLIGHT_PASSED,
                (),
                (*headers, *self._preflight_vary_line),
            ),
        )

    def _check_request_headers(
        self, request_headers: str, allowed_origin: str, tail: tuple[tuple[str, str], ...]
    ) -> Decision | tuple[tuple[str, str], ...]:
        """The refusal for Access-Control-Request-Headers, or the preflight's tail to send."""
        names = h.parse_request_headers(
            request_headers, self._max_request_headers_length, self._allow_headers_set or _NONE
        )
        passed = ((h.ALLOW_ORIGIN, allowed_origin), *tail) if self.debug else ()
        if names is None:
            if not self.debug:
                return self._refused_preflight_headers  # shared: a flood costs nothing
            return self._refusal(
                True, self._preflight_vary, _REASON_BAD_HEADERS, _HEADERS_OPTION, passed
            )
        allowed_names = self._allow_headers_set
        if allowed_names is not None:
            for name in names:
                if name not in allowed_names:
                    return self._refusal(
                        True,
                        self._preflight_vary,
                        _REASON_HEADER_REFUSED,
                        (("header", _shortened(name)), *_HEADERS_OPTION),
                        passed,
                    )
            accepted = self._accepted_request_headers
            if len(accepted) < self._accepted_request_headers_limit:
                accepted.add(request_headers)
            return tail
        if h.AUTHORIZATION in names and not self._authorization_allowed:
            return self._refusal(
                True, self._preflight_vary, _REASON_AUTHORIZATION, _HEADERS_OPTION, passed
            )
        if self._allow_headers_value is None and names:
            # R46: with credentials "*" means nothing to browsers, so the validated names
            # are sent back.
            return (*tail, (h.ALLOW_HEADERS, ",".join(dict.fromkeys(names))))
        return tail

    def _refusal(
        self,
        preflight: bool,
        vary: tuple[str, ...],
        reason_template: str,
        reason_values: ReasonValues = (),
        passed: tuple[tuple[str, str], ...] = (),
    ) -> Decision:
        status: int | None = None
        headers: tuple[tuple[str, str], ...] = ()
        if preflight:
            if self.debug:
                # R16 allows this deliberate exception: an ok status with partial headers.
                status, headers = self.preflight_status, passed
            else:
                status = 403  # R16: no CORS headers, an explicit 403
        return make_decision(
            preflight,
            preflight and not self.preflight_passthrough,
            False,
            status,
            headers,
            vary,
            reason_template,
            reason_values,
        )


class _Worded:
    """A decision's reason, in an adapter's words, formatted only if a log line is written."""

    __slots__ = ("decision", "vocabulary")

    def __init__(self, vocabulary: Vocabulary, decision: Decision) -> None:
        self.vocabulary = vocabulary
        self.decision = decision

    def __str__(self) -> str:
        return self.decision.reason_in(self.vocabulary)


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
# The first refusal of the requested Authorization under '*' in a process is logged at
# WARNING, whatever the level of other refusals: it is the commonest surprise of a migration
# from flask-cors or Starlette, whose '*' covered it.
_star_refusal_logged = False


def _star_refusal_level(level: int) -> int:
    global _star_refusal_logged
    if _star_refusal_logged:
        return level
    _star_refusal_logged = True
    return max(level, logging.WARNING)


def _shortened(value: str) -> str:
    """A request value as quoted in a reason or a log line: a hostile megabyte is cut short."""
    return value if len(value) <= _QUOTED_LENGTH else value[:_QUOTED_LENGTH] + "..."


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
        if name in h.RESPONSE_ONLY_CORS_HEADERS:
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
    if type(value) is not int or not 0 <= value <= MAX_MAX_AGE:  # not a bool, not a float
        problems.add(
            Code.MAX_AGE_OUT_OF_RANGE,
            "max_age",
            value,
            f"give whole seconds from 0 to {MAX_MAX_AGE} (browsers cap it: Chromium at "
            # R24
            "7200), or None to send no Access-Control-Max-Age",
        )
        return None
    return value
