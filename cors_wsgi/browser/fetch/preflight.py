"""The preflight's own checks: no redirect, an ok status, the methods and headers allowed."""

from __future__ import annotations

from cors_wsgi.browser.fetch.console import PREFLIGHT_PREFIX
from cors_wsgi.browser.fetch.cors_check import cors_check
from cors_wsgi.browser.fetch.engines import (
    AUTHORIZATION_LENIENCY,
    DEFAULT_PREFLIGHT_MAX_AGE,
    MAX_AGE_CAPS,
)
from cors_wsgi.browser.fetch.request import BrowserRequest
from cors_wsgi.browser.fetch.response import (
    LOCATION,
    OK_STATUSES,
    REDIRECT_STATUSES,
    ListSyntaxError,
    ResponseHead,
    extract_list,
)
from cors_wsgi.browser.fetch.verdict import (
    PREFLIGHT_ALLOW_CREDENTIALS,
    PREFLIGHT_ALLOW_HEADERS,
    PREFLIGHT_ALLOW_METHODS,
    PREFLIGHT_ALLOW_ORIGIN,
    PREFLIGHT_MAX_AGE,
    PREFLIGHT_REDIRECT,
    PREFLIGHT_STATUS,
    Step,
)
from cors_wsgi.core import headers as h
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import SAFELISTED_METHODS


def check_preflight(
    request: BrowserRequest, response: ResponseHead, steps: list[Step], engine: str
) -> bool:
    """Append the preflight's steps; true when the preflight passed (§cors-preflight-fetch)."""
    status = response.status
    location = response.get(LOCATION)
    # Only a redirect status with a Location is a redirect; any other 3xx is just not ok.
    if status in REDIRECT_STATUSES and location is not None:
        steps.append(_redirect_step(status, location))
        return False
    for step in cors_check(
        request,
        response,
        PREFLIGHT_ALLOW_ORIGIN,
        PREFLIGHT_ALLOW_CREDENTIALS,
        prefix=PREFLIGHT_PREFIX,
    ):
        steps.append(step)
        if not step.passed:
            return False
    status_step = _status_step(status)
    steps.append(status_step)
    if not status_step.passed:
        return False
    try:
        methods = extract_list(response, h.ALLOW_METHODS)
    except ListSyntaxError:
        steps.append(_unparsable_step(PREFLIGHT_ALLOW_METHODS, h.ALLOW_METHODS, response))
        return False
    try:
        header_names = extract_list(response, h.ALLOW_HEADERS)
    except ListSyntaxError:
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


def _redirect_step(status: int, location: str) -> Step:
    # R8: a preflight is never followed through a redirect.
    return Step(
        PREFLIGHT_REDIRECT,
        False,
        f"the preflight was answered with a {status} redirect to {location}: browsers never "
        "follow a redirect on a preflight. Answer OPTIONS before any "
        "redirecting layer (trailing-slash or HTTPS redirects, login pages): put the "
        "CORS middleware first, and call the final URL from the page",
        "R8",
        PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
    )


def _status_step(status: int) -> Step:
    if status in OK_STATUSES:
        return Step(PREFLIGHT_STATUS, True, f"the preflight got status {status}, a 2xx", "R15")
    # R15: an ok status; R7: preflights carry no credentials, so the CORS layer answers them.
    return Step(
        PREFLIGHT_STATUS,
        False,
        f"the preflight got status {status}; a preflight must get a 2xx status. "
        "Something before or instead of the CORS layer answered it (a 401 from "
        "authentication, a 404 or 405 from routing): preflights carry no "
        "credentials and must be answered by the CORS layer",
        "R15",
        PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    )


def _unparsable_step(step: str, header: str, response: ResponseHead) -> Step:
    return Step(
        step,
        False,
        f"the preflight's {header} is {response.get(header)!r}, which does not parse as a "
        "comma-separated list of names, so the whole preflight fails: separate names "
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
            f"{method} then counts as allowed",
            "R20",
        )
    listed = methods or []
    if method in listed:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"the preflight's Access-Control-Allow-Methods lists {method}",
            "R20",
        )
    if method in SAFELISTED_METHODS:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"{method} is CORS-safelisted, so Access-Control-Allow-Methods need not list it",
            "R20",
        )
    if ANY in listed and not request.credentials:
        return Step(
            PREFLIGHT_ALLOW_METHODS,
            True,
            f"the preflight's Access-Control-Allow-Methods is '*', which covers {method} "
            "without credentials",
            "R20",
        )
    if ANY in listed:
        cause = (
            f"is '*', which browsers ignore for a request with credentials: list {method} itself"
        )
    elif any(item.upper() == method.upper() for item in listed):
        cause = f"lists {method} in another case; methods compare case-sensitively: send {method}"
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
                "is '*', which never covers authorization: list it explicitly, "
                f"e.g. '*, authorization' ({AUTHORIZATION_LENIENCY})"
            )
        elif ANY in allowed:
            cause = (
                f"is '*', which browsers ignore for a request with credentials: list {name} itself"
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
        text = "no CORS-unsafe request headers to allow"
    else:
        text = f"the preflight's Access-Control-Allow-Headers covers {', '.join(names)}"
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
            f"for {DEFAULT_PREFLIGHT_MAX_AGE} s only"
        )
    return Step(PREFLIGHT_MAX_AGE, True, text, "R24")
