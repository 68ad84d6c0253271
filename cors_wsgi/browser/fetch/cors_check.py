"""The CORS check, on a preflight or on an actual response: the origin, then credentials."""

from __future__ import annotations

from urllib.parse import urlsplit

from cors_wsgi.browser.fetch.console import VALID_VALUE, parses_as_url
from cors_wsgi.browser.fetch.request import BrowserRequest
from cors_wsgi.browser.fetch.response import ResponseHead
from cors_wsgi.browser.fetch.verdict import Step
from cors_wsgi.core import headers as h
from cors_wsgi.core.headers import ANY


def cors_check(
    request: BrowserRequest,
    response: ResponseHead,
    origin_step: str,
    credentials_step: str,
    prefix: str,
) -> list[Step]:
    """§cors-check: the steps for Access-Control-Allow-Origin, then -Allow-Credentials.

    ``prefix`` is Chromium's opening of a preflight's console text (empty for the actual
    response); the browser stops at the first step that fails."""
    what = "the preflight's" if prefix else "the response's"
    origin = request.origin
    value = response.get(h.ALLOW_ORIGIN)
    if value is None:
        return [_missing_origin_step(request, response, origin_step, what, prefix)]
    if value == ANY:
        return [_wildcard_origin_step(request, origin_step, what, prefix)]
    if value != origin:
        return [_origin_mismatch_step(origin_step, what, origin, value, prefix)]
    steps = [
        Step(
            origin_step,
            True,
            f"{what} Access-Control-Allow-Origin is {origin}, the page's origin",
            "R17",
        )
    ]
    if request.credentials:
        steps.append(_credentials_step(response, credentials_step, what, prefix))
    return steps


def _missing_origin_step(
    request: BrowserRequest, response: ResponseHead, step: str, what: str, prefix: str
) -> Step:
    origin = request.origin
    if prefix:
        # R16: a server that refuses a preflight sends no CORS headers, whatever it refused.
        cause = (
            f"the server refused the preflight (status {response.status}): its origin "
            f"{origin}, or its method {request.method}"
            + (
                f" or headers {', '.join(request.unsafe_header_names)}"
                if request.unsafe_header_names
                else ""
            )
            + ", since a refusing server sends no CORS headers at all (the server's "
            "log, or cors_wsgi.explain(), says which). Or no CORS layer answers OPTIONS "
            "on this path"
        )
    elif response.status >= 400:
        # R29: error responses need the CORS headers too, or the page cannot read them.
        cause = (
            f"this {response.status} response has no CORS headers, so the page cannot "
            "read the error: the CORS layer must wrap whatever produced it (error "
            f"handlers, authentication), or the server does not allow {origin} here"
        )
    else:
        cause = (
            f"the server does not allow {origin} here. Add it to the allowed origins, and "
            "check that the CORS layer covers this path"
        )
    return Step(
        step,
        False,
        f"{what} Access-Control-Allow-Origin is missing, so the browser refuses it: {cause}",
        "R17",
        prefix + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    )


def _wildcard_origin_step(request: BrowserRequest, step: str, what: str, prefix: str) -> Step:
    if not request.credentials:
        return Step(
            step,
            True,
            f"{what} Access-Control-Allow-Origin is '*', which covers any origin "
            "without credentials",
            "R17",
        )
    # R17, R43: '*' never with credentials; reflecting every origin instead is V1.
    return Step(
        step,
        False,
        f"{what} Access-Control-Allow-Origin is '*', which browsers refuse for a "
        "request with credentials: send the page's origin itself, "
        "and only for origins on your allow-list (never reflect every origin)",
        "R17",
        prefix + "The value of the 'Access-Control-Allow-Origin' header in the "
        "response must not be the wildcard '*' when the request's credentials "
        "mode is 'include'.",
    )


def _credentials_step(response: ResponseHead, step: str, what: str, prefix: str) -> Step:
    credentials = response.get(h.ALLOW_CREDENTIALS)
    if credentials == "true":
        return Step(step, True, f"{what} Access-Control-Allow-Credentials is 'true'", "R19")
    # R18: repeated lines are joined with ", ", so two 'true' lines are not 'true'.
    problem = (
        "missing"
        if credentials is None
        else f"{credentials!r}, not exactly 'true'"
        + (" (several lines are joined)" if "," in credentials else "")
    )
    return Step(
        step,
        False,
        f"{what} Access-Control-Allow-Credentials is {problem}, and a request "
        "with credentials needs exactly 'true': allow credentials in the "
        "CORS configuration, or call fetch() without credentials",
        "R19",
        prefix + "The value of the 'Access-Control-Allow-Credentials' header in "
        f"the response is '{credentials or ''}' which must be 'true' when the request's "
        "credentials mode is 'include'.",
    )


def _origin_mismatch_step(step: str, what: str, origin: str, value: str, prefix: str) -> Step:
    # Chromium words the refusal by what the value looks like; the cause follows its choice.
    if "," in value or " " in value:
        console = (
            f"The 'Access-Control-Allow-Origin' header contains multiple values '{value}', "
            "but only one is allowed."
        )
        cause = (
            "holds several values; a browser joins repeated header lines with ', ' and the "
            "result never matches. Is CORS applied twice (two middlewares, or the app "
            "sets the header too)? Send exactly one origin"
        )
    elif value != "null" and not parses_as_url(value):
        console = f"The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'."
        cause = (
            "is not an origin (scheme://host[:port], lowercase); send the page's "
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
        prefix + console + VALID_VALUE,
    )


def _mismatch_cause(origin: str, value: str) -> str:
    """Why ``value`` is not ``origin``, in the words a developer needs (R17, R36, R37)."""
    if value == "null":
        return (
            "is never the page's origin: 'null' would let sandboxed or file pages in; "
            f"send {origin}"
        )
    if value.rstrip("/") == origin:
        return f"has a trailing slash: send exactly {origin}"
    if value.lower() == origin.lower():
        return f"differs in case: origins compare byte for byte; send {origin}"
    sent, seen = urlsplit(value), urlsplit(origin)
    if sent.scheme != seen.scheme and sent.netloc == seen.netloc:
        return f"has the scheme {sent.scheme}, the page is {seen.scheme}: send {origin}"
    if (sent.hostname, sent.scheme) == (seen.hostname, seen.scheme):
        return f"names another port; the port is part of the origin: send {origin}"
    return f"is another origin than the page's ({origin}); the browser compares them exactly"
