"""Why a request was allowed or refused: the reasons of decisions, as lazy templates.

Reasons are %-templates filled only when read (a log line, explain()): building them
costs on the request path. Option names are values, under keys ending in "option" (one
name) or "options" (a tuple of names, said as "a, b or c"), so that an adapter can name
them as its user wrote them.
"""

from __future__ import annotations

from cors_wsgi.core.decision import ReasonValues

REASON_ORIGIN_REFUSED = "the origin matches no entry of %(origin_options)s"
ORIGIN_OPTIONS: ReasonValues = (
    ("origin_options", ("allow_origins", "allow_origin_regex", "allow_origin_func")),
)
ORIGINS_OPTION: ReasonValues = (("option", "allow_origins"),)
METHODS_OPTION: ReasonValues = (("option", "allow_methods"),)
HEADERS_OPTION: ReasonValues = (("option", "allow_headers"),)
# V18: a flood is refused before it is parsed, with a reason that does not quote it.
REASON_BAD_HEADERS = (
    "Access-Control-Request-Headers is malformed or longer than any list %(option)s allows"
)
REASON_PATTERN_MATCH = "the origin matches a pattern of the allow-list"
REASON_PREFLIGHT_PASSED = "the preflight passed every check (origin, method, headers)"
REASON_METHOD_REFUSED = (  # R10, R20
    "method %(method)r is not in %(option)s; methods compare case-sensitively"
)
REASON_NOT_A_METHOD = "Access-Control-Request-Method %(method)r is not a method name"  # R6, R45
REASON_HEADER_REFUSED = "request header %(header)r is not in %(option)s"  # R21
REASON_AUTHORIZATION = (  # R22
    "request header 'authorization' is never covered by '*' in allow_headers; write "
    "allow_headers=['*', 'authorization'] if clients send Authorization"
)
# How much of a request value a reason or a log line quotes (V18: no log flooding).
QUOTED_LENGTH = 200


def shortened(value: str) -> str:
    """A request value as quoted in a reason or a log line: a hostile megabyte is cut short."""
    return value if len(value) <= QUOTED_LENGTH else value[:QUOTED_LENGTH] + "..."
