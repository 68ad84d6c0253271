"""The compiled rules: every lookup table and header value a policy's decisions need, built
once from the validated options, so that the request path never re-reads configuration.

:class:`~cors_wsgi.Policy` is a :class:`CompiledRules`: it inherits these tables as slots of
its own, so that the request path reads each in one attribute lookup.
"""

from __future__ import annotations

import itertools
import logging

from cors_wsgi.core import headers as h
from cors_wsgi.core.decision import Decision, ReasonValues, make_decision, vary_line
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import SAFELISTED_METHODS
from cors_wsgi.core.options import ValidOptions
from cors_wsgi.core.origin_matcher import OriginMatcher
from cors_wsgi.core.reasons import (
    HEADERS_OPTION,
    ORIGIN_OPTIONS,
    ORIGINS_OPTION,
    REASON_BAD_HEADERS,
    REASON_ORIGIN_REFUSED,
    REASON_PREFLIGHT_PASSED,
)

__all__ = ["CompiledRules", "HeaderLines"]

HeaderLines = tuple[tuple[str, str], ...]

# Up to this many allowed request headers, every value a browser can send is precomputed
# (2**8 - 1 strings at most).
_MAX_NAMES_FOR_KNOWN_VALUES = 8
# Room for whitespace that intermediaries add around list elements (R13).
_REQUEST_HEADERS_SLACK = 64
# The cap on Access-Control-Request-Headers when any header is allowed: far above what any
# browser sends, far below a hostile megabyte (V18).
_ANY_REQUEST_HEADERS_MAX_LENGTH = 8192
# How many accepted Access-Control-Request-Headers values of non-browser form are remembered.
_MAX_LEARNED_VALUES = 256
# With allow_methods='*' and no credentials, preflights for these are answered from a table.
_COMMON_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})


class CompiledRules:
    """The lookup tables of one policy. Build them with :meth:`_compile`, step by step."""

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
    )

    # The options refusals depend on: slots of Policy, whose options they are.
    debug: bool
    preflight_status: int
    preflight_passthrough: bool

    _actual_by_origin: dict[str, Decision]
    _actual_vary: tuple[str, ...]
    _actual_vary_line: HeaderLines
    _fast_preflight_methods: frozenset[str]
    _preflight_by_origin: dict[str, Decision]
    _preflight_vary_line: HeaderLines
    _allow_headers_set: frozenset[str] | None
    _allow_headers_value: str | None
    _allow_methods_set: frozenset[str] | None
    _allow_methods_value: str | None
    _any_origin: bool
    _authorization_allowed: bool
    _matcher: OriginMatcher
    _max_request_headers_length: int
    _non_cors: Decision
    _preflight_tail: HeaderLines
    _preflight_vary: tuple[str, ...]
    _any_origin_actual: Decision | None
    _accepted_request_headers: set[str]
    _accepted_request_headers_limit: int
    _refusal_level: int
    _refused_actual: Decision
    _refused_preflight_origin: Decision
    _refused_preflight_headers: Decision
    _structural: bool
    _tail: HeaderLines

    def _set(self, name: str, value: object) -> None:
        object.__setattr__(self, name, value)

    def _compile(self, options: ValidOptions) -> None:
        """Everything that does not depend on the request, computed here, once."""
        self._set("_any_origin", options.any_origin)
        self._set("_refusal_level", logging.WARNING if options.debug else logging.DEBUG)
        self._compile_origin_matcher(options)
        credentials_header: HeaderLines = (
            ((h.ALLOW_CREDENTIALS, "true"),) if options.allow_credentials else ()
        )
        self._compile_actual_tail(options, credentials_header)
        methods_value = self._compile_methods(options)
        headers_value = self._compile_request_headers(options)
        self._compile_preflight_tail(options, credentials_header, methods_value, headers_value)
        self._compile_actual_decisions(options)
        self._compile_preflight_decisions(options)
        self._compile_refusals()

    def _compile_origin_matcher(self, options: ValidOptions) -> None:
        """The matcher of every entry that is not an exact origin (those are table keys)."""
        matcher = OriginMatcher(
            tuple(p for p in options.origin_patterns if not p.is_exact),
            options.allow_origin_regex,
            options.allow_origin_func,
            options.allow_origin_func_ttl,
        )
        self._set("_matcher", matcher)
        self._set("_structural", matcher.needs_structure)

    def _compile_actual_tail(self, options: ValidOptions, credentials_header: HeaderLines) -> None:
        """The headers every allowed actual response carries after Allow-Origin."""
        expose: HeaderLines = ()
        if options.expose_all:
            expose = ((h.EXPOSE_HEADERS, ANY),)
        elif options.expose_headers:
            expose = ((h.EXPOSE_HEADERS, ", ".join(options.expose_headers)),)
        self._set("_tail", credentials_header + expose)

    def _compile_methods(self, options: ValidOptions) -> str | None:
        """Methods (R20, R45): "*" for anonymous requests; with credentials the requested
        method is echoed, since browsers ignore "*" there. Returns the Allow-Methods value."""
        any_method, credentials = options.any_method, options.allow_credentials
        allowed_methods = frozenset(options.allow_methods) | SAFELISTED_METHODS
        self._set("_allow_methods_set", None if any_method else allowed_methods)
        if any_method:
            methods_value = None if credentials else ANY
        else:
            methods_value = ", ".join(options.allow_methods) if options.allow_methods else None
        self._set("_allow_methods_value", methods_value)
        # Preflights from exact origins are answered from a table when the method needs no
        # echo (R45).
        if any_method:
            fast_methods = frozenset() if credentials else _COMMON_METHODS
        else:
            fast_methods = allowed_methods
        self._set("_fast_preflight_methods", fast_methods)
        return methods_value

    def _compile_request_headers(self, options: ValidOptions) -> str | None:
        """Request headers (R21, R22, R46). Returns the Allow-Headers value, if fixed."""
        any_header = options.any_header
        names = tuple(name for name in options.allow_headers if name != ANY)
        self._set("_allow_headers_set", None if any_header else frozenset(names))
        self._set("_authorization_allowed", h.AUTHORIZATION in names)
        if any_header:
            headers_value = None if options.allow_credentials else ",".join((ANY, *names))
            max_length = _ANY_REQUEST_HEADERS_MAX_LENGTH
        else:
            headers_value = ", ".join(names) if names else None
            max_length = sum(len(name) + 1 for name in names) * 2 + _REQUEST_HEADERS_SLACK
        self._set("_allow_headers_value", headers_value)
        self._set("_max_request_headers_length", max_length)
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
        self._set("_accepted_request_headers", set(browser_values))
        self._set("_accepted_request_headers_limit", len(browser_values) + _MAX_LEARNED_VALUES)
        return headers_value

    def _compile_preflight_tail(
        self,
        options: ValidOptions,
        credentials_header: HeaderLines,
        methods_value: str | None,
        headers_value: str | None,
    ) -> None:
        """The headers of every allowed preflight after Allow-Origin, and what it varies on."""
        preflight_tail = credentials_header
        if methods_value is not None:
            preflight_tail += ((h.ALLOW_METHODS, methods_value),)
        if headers_value is not None:
            preflight_tail += ((h.ALLOW_HEADERS, headers_value),)
        if options.max_age is not None:
            preflight_tail += ((h.MAX_AGE, str(options.max_age)),)
        self._set("_preflight_tail", preflight_tail)
        preflight_vary: tuple[str, ...] = (h.ORIGIN, h.REQUEST_METHOD, h.REQUEST_HEADERS)
        if options.allow_private_network:
            preflight_vary += (h.REQUEST_PRIVATE_NETWORK,)
        self._set("_preflight_vary", preflight_vary)
        self._set("_preflight_vary_line", vary_line(preflight_vary))

    def _compile_actual_decisions(self, options: ValidOptions) -> None:
        """The decisions of requests without Origin, and of actual requests from '*' or an
        exact origin: tables, looked up on the request path."""
        tail = self._tail
        # R31: with "*" nothing depends on the Origin, so nothing varies on it and even
        # requests without Origin get the headers; otherwise every response varies (R30).
        actual_vary: tuple[str, ...] = () if options.any_origin else (h.ORIGIN,)
        any_origin_actual = None
        if options.any_origin:
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
                ORIGINS_OPTION,
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
        self._set("_non_cors", non_cors)
        self._set("_any_origin_actual", any_origin_actual)
        self._set("_actual_vary", actual_vary)
        self._set("_actual_vary_line", vary_line(actual_vary))
        self._set(
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
                    reason_values=(("origin", p.text), *ORIGINS_OPTION),
                )
                for p in options.origin_patterns
                if p.is_exact
            },
        )

    def _compile_preflight_decisions(self, options: ValidOptions) -> None:
        """Preflights from exact origins, answered from a table when the answer does not
        depend on the request: a method of _fast_preflight_methods (no echo, R45),
        Access-Control-Request-Headers absent or one of the values browsers send for the
        allowed names (no echo, R46), and no Private Network Access header to add (R51)."""
        self._set(
            "_preflight_by_origin",
            {
                text: make_decision(
                    True,
                    not options.preflight_passthrough,
                    True,
                    options.preflight_status,
                    ((h.ALLOW_ORIGIN, text), *self._preflight_tail),
                    self._preflight_vary,
                    REASON_PREFLIGHT_PASSED,
                )
                for text in self._actual_by_origin
            },
        )

    def _compile_refusals(self) -> None:
        """Refusals of an origin do not depend on the origin (it is logged beside the
        reason), so they are built once."""
        actual_vary, preflight_vary = self._actual_vary, self._preflight_vary
        self._set(
            "_refused_actual",
            self._refusal(False, actual_vary, REASON_ORIGIN_REFUSED, ORIGIN_OPTIONS),
        )
        self._set(
            "_refused_preflight_origin",
            self._refusal(True, preflight_vary, REASON_ORIGIN_REFUSED, ORIGIN_OPTIONS),
        )
        self._set(
            "_refused_preflight_headers",
            self._refusal(True, preflight_vary, REASON_BAD_HEADERS, HEADERS_OPTION),
        )

    def _refusal(
        self,
        preflight: bool,
        vary: tuple[str, ...],
        reason_template: str,
        reason_values: ReasonValues = (),
        passed: tuple[tuple[str, str], ...] = (),
        *,
        per_request: bool = False,
    ) -> Decision:
        """A refusal; ``per_request``: built for one request, not kept in a table."""
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
            per_request=per_request,
        )
