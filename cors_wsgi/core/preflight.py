"""The preflight checks of the request path: origin, method, request headers and Private
Network Access, for the preflights the policy's tables do not answer at once.

:class:`~cors_wsgi.Policy` is a :class:`PreflightChecks`, as it is a
:class:`~cors_wsgi.core.compiled.CompiledRules`: the checks read the compiled tables as slots
of the policy itself.
"""

from __future__ import annotations

from cors_wsgi.core import headers as h
from cors_wsgi.core.compiled import CompiledRules
from cors_wsgi.core.decision import Decision, ReasonValues, _new_decision, _PerRequestDecision
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import is_token
from cors_wsgi.core.reasons import (
    HEADERS_OPTION,
    METHODS_OPTION,
    REASON_AUTHORIZATION,
    REASON_BAD_HEADERS,
    REASON_HEADER_REFUSED,
    REASON_METHOD_REFUSED,
    REASON_NOT_A_METHOD,
    REASON_PREFLIGHT_PASSED,
    shortened,
)

__all__ = ["PreflightChecks"]

_NONE: frozenset[str] = frozenset()


class PreflightChecks(CompiledRules):
    """The checks of a preflight, in order; each refusal says which check failed."""

    __slots__ = ()

    # An option the checks read: a slot of Policy, whose option it is.
    allow_private_network: bool

    def _allowed_origin(self, origin: str, exact: bool) -> str | None:
        """What Access-Control-Allow-Origin says for ``origin``, or None if it is refused;
        ``exact``: the origin is an exact entry (the caller has looked it up already)."""
        if self._any_origin:
            return ANY
        if exact:
            return origin
        if self._structural:
            return self._matcher.match(origin)
        return None

    def _decide_preflight(
        self,
        origin: str,
        request_method: str,
        request_headers: str | None,
        request_private_network: str | None,
        exact: bool,
    ) -> Decision:
        """The decision of a preflight the table of exact origins does not answer;
        ``exact``: the origin is in that table (with a request it does not cover)."""
        allowed_origin = self._allowed_origin(origin, exact)
        if allowed_origin is None:
            return self._refused_preflight_origin
        # In debug mode a refused preflight carries what passed, so the browser's console
        # message names the step that failed.
        passed = ((h.ALLOW_ORIGIN, allowed_origin), *self._preflight_tail) if self.debug else ()
        method_refusal = self._method_refusal(request_method, passed)
        if method_refusal is not None:
            return method_refusal
        methods = self._allow_methods_set
        tail = self._preflight_tail
        if not self._allow_methods_value and methods is None:
            tail = ((h.ALLOW_METHODS, request_method), *tail)  # R45: echo, never "*"
        # The length check comes before the set lookup, which would hash the whole value.
        if request_headers and (
            len(request_headers) > self._max_request_headers_length
            or request_headers not in self._accepted_request_headers
        ):
            checked = self._check_request_headers(request_headers, allowed_origin, tail)
            if isinstance(checked, Decision):
                return checked
            tail = checked
        headers = ((h.ALLOW_ORIGIN, allowed_origin), *tail)
        if self.allow_private_network and request_private_network == "true":
            headers = (*headers, (h.ALLOW_PRIVATE_NETWORK, "true"))  # R51
        return _new_decision(
            _PerRequestDecision,
            (
                True,
                not self.preflight_passthrough,
                True,
                self.preflight_status,
                headers,
                self._preflight_vary,
                REASON_PREFLIGHT_PASSED,
                (),
                (*headers, *self._preflight_vary_line),
            ),
        )

    def _method_refusal(
        self, request_method: str, passed: tuple[tuple[str, str], ...]
    ) -> Decision | None:
        """The refusal of Access-Control-Request-Method, or ``None`` if it is allowed."""
        methods = self._allow_methods_set
        if methods is not None:
            if request_method in methods:
                return None
            template: str = REASON_METHOD_REFUSED
            values: ReasonValues = (("method", shortened(request_method)), *METHODS_OPTION)
        elif not is_token(request_method) or request_method == ANY:
            # R45: with credentials the method is echoed, and an echoed "*" would read as
            # the wildcard; no browser sends a method named "*".
            template, values = REASON_NOT_A_METHOD, (("method", shortened(request_method)),)
        else:
            return None
        return self._refusal(
            True, self._preflight_vary, template, values, passed, per_request=True
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
                True,
                self._preflight_vary,
                REASON_BAD_HEADERS,
                HEADERS_OPTION,
                passed,
                per_request=True,
            )
        allowed_names = self._allow_headers_set
        if allowed_names is not None:
            for name in names:
                if name not in allowed_names:
                    return self._refusal(
                        True,
                        self._preflight_vary,
                        REASON_HEADER_REFUSED,
                        (("header", shortened(name)), *HEADERS_OPTION),
                        passed,
                        per_request=True,
                    )
            accepted = self._accepted_request_headers
            if len(accepted) < self._accepted_request_headers_limit:
                accepted.add(request_headers)
            return tail
        if h.AUTHORIZATION in names and not self._authorization_allowed:
            return self._refusal(
                True,
                self._preflight_vary,
                REASON_AUTHORIZATION,
                HEADERS_OPTION,
                passed,
                per_request=True,
            )
        if self._allow_headers_value is None and names:
            # R46: with credentials "*" means nothing to browsers, so the validated names
            # are sent back.
            return (*tail, (h.ALLOW_HEADERS, ",".join(dict.fromkeys(names))))
        return tail
