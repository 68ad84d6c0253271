"""The policy: validated options, their compiled rules, and the request path, decide()."""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Mapping
from typing import Any

from cors_wsgi.core import headers as h
from cors_wsgi.core.compiled import CompiledRules
from cors_wsgi.core.decision import Decision, _new_decision, _PerRequestDecision
from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import OPTIONS
from cors_wsgi.core.options import (
    DEFAULT_MAX_AGE,
    RegexInput,
    unknown_option_problems,
    validate_options,
)
from cors_wsgi.core.origin_matcher import OriginFunc
from cors_wsgi.core.origin_patterns import MAX_ORIGIN_LENGTH, OriginPattern
from cors_wsgi.core.preflight import PreflightChecks
from cors_wsgi.core.reasons import (
    REASON_AUTHORIZATION,
    REASON_PATTERN_MATCH,
    shortened,
)
from cors_wsgi.core.vocabulary import WSGI_VOCABULARY, Vocabulary

__all__ = ["OPTION_NAMES", "Policy", "is_preflight"]


logger = logging.getLogger("cors_wsgi")
_NONE: frozenset[str] = frozenset()


def is_preflight(method: str, origin: str | None, request_method: str | None) -> bool:
    """Whether a request is a CORS preflight (R2): OPTIONS, with both an Origin and an
    Access-Control-Request-Method header (``None`` when absent)."""
    return method == OPTIONS and origin is not None and request_method is not None


class Policy(PreflightChecks):
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
        options = validate_options(
            allow_origins=allow_origins,
            allow_origin_regex=allow_origin_regex,
            allow_origin_func=allow_origin_func,
            allow_origin_func_ttl=allow_origin_func_ttl,
            allow_methods=allow_methods,
            allow_headers=allow_headers,
            allow_credentials=allow_credentials,
            expose_headers=expose_headers,
            max_age=max_age,
            allow_private_network=allow_private_network,
            preflight_status=preflight_status,
            preflight_passthrough=preflight_passthrough,
            debug=debug,
        )
        for name in _KEPT_OPTIONS:
            self._set(name, getattr(options, name))
        self._set("vocabulary", WSGI_VOCABULARY)
        self._compile(options)

    def in_words_of(self, vocabulary: Vocabulary) -> Policy:
        """This policy, with its logged reasons worded in ``vocabulary`` (an adapter's)."""
        worded = object.__new__(Policy)
        for name in (*CompiledRules.__slots__, *Policy.__slots__):
            if hasattr(self, name):
                object.__setattr__(worded, name, getattr(self, name))
        object.__setattr__(worded, "vocabulary", vocabulary)
        return worded

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
        problems = unknown_option_problems(options, OPTION_NAMES)
        if problems:
            try:
                cls(**{k: v for k, v in options.items() if k in OPTION_NAMES})
            except ConfigError as error:
                problems.extend(error.errors)
            raise ConfigError(problems)
        return cls(**options)

    # ---- compilation: everything that does not depend on the request happens here, once.

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
                return self._pattern_match(origin)
            # _logged(), with its test first: most refusals are not logged (DEBUG).
            if logger.isEnabledFor(self._refusal_level):
                return self._logged(self._refused_actual, origin)
            return self._refused_actual
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
            # The preflight table has the exact origins' keys: a miss there is not one.
            decision = self._decide_preflight(
                origin,
                request_method,
                request_headers,
                request_private_network,
                exact=decision is not None,
            )
            if decision.allowed:
                return decision
        return self._logged(decision, origin)

    def _pattern_match(self, origin: str) -> Decision:
        """The decision of an actual request from an origin a pattern of the list allows."""
        headers = ((h.ALLOW_ORIGIN, origin), *self._tail)
        return _new_decision(
            _PerRequestDecision,
            (
                False,
                False,
                True,
                None,
                headers,
                self._actual_vary,
                REASON_PATTERN_MATCH,
                (),
                (*headers, *self._actual_vary_line),
            ),
        )

    def _logged(self, refusal: Decision, origin: str) -> Decision:
        """``refusal``, logged on the cors_wsgi logger (DEBUG, or WARNING in debug mode)."""
        level = self._refusal_level
        if refusal.reason_template is REASON_AUTHORIZATION:
            level = _star_refusal_level(level)
        if logger.isEnabledFor(level):
            logger.log(
                level,
                "CORS %s from origin %r refused: %s",
                "preflight" if refusal.preflight else "request",
                shortened(origin),
                _Worded(self.vocabulary, refusal),
            )
        return refusal

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


#: The keywords of Policy, in the order of its signature (the one place they are listed).
OPTION_NAMES: tuple[str, ...] = tuple(
    name
    for name, parameter in inspect.signature(Policy.__init__).parameters.items()
    if parameter.kind is inspect.Parameter.KEYWORD_ONLY
)
# What a Policy keeps of its validated options, as public attributes.
_KEPT_OPTIONS = (*OPTION_NAMES, "origin_patterns", "warnings")


class _Worded:
    """A decision's reason, in an adapter's words, formatted only if a log line is written."""

    __slots__ = ("decision", "vocabulary")

    def __init__(self, vocabulary: Vocabulary, decision: Decision) -> None:
        self.vocabulary = vocabulary
        self.decision = decision

    def __str__(self) -> str:
        return self.decision.reason_in(self.vocabulary)


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
