"""check(): the browser's whole CORS decision on one request, step by step."""

from __future__ import annotations

from cors_wsgi.browser.fetch.cors_check import cors_check
from cors_wsgi.browser.fetch.engines import CHROMIUM, ENGINES, MAX_AGE_CAPS
from cors_wsgi.browser.fetch.preflight import check_preflight
from cors_wsgi.browser.fetch.request import BrowserRequest, HeaderInput
from cors_wsgi.browser.fetch.response import (
    FORBIDDEN_RESPONSE_HEADERS,
    LOCATION,
    REDIRECT_STATUSES,
    SAFELISTED_RESPONSE_HEADERS,
    ListSyntaxError,
    ResponseHead,
    extract_list,
)
from cors_wsgi.browser.fetch.verdict import (
    ALLOW_CREDENTIALS,
    ALLOW_ORIGIN,
    EXPOSE_HEADERS,
    PREFLIGHT_NEEDED,
    REDIRECT,
    REQUEST,
    Step,
    Verdict,
)
from cors_wsgi.core import headers as h
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.methods import FORBIDDEN_METHODS, SAFELISTED_METHODS, is_token


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
        if not check_preflight(request, preflight, steps, engine):
            return verdict(False, checked_actual=False, status=preflight.status)
    elif actual is None:
        raise ValueError("give the response to check as actual= (this request has no preflight)")
    if actual is None:
        return verdict(True, checked_actual=False)
    allowed, readable, redirect_to = _check_actual(request, actual, steps)
    return verdict(allowed, status=actual.status, readable=readable, redirect_to=redirect_to)


def _check_actual(
    request: BrowserRequest, actual: ResponseHead, steps: list[Step]
) -> tuple[bool, tuple[str, ...], str | None]:
    """Append the actual response's steps: the CORS check, then the redirect the browser
    follows or the headers the script can read. Returns (allowed, readable, redirect_to)."""
    for step in cors_check(request, actual, ALLOW_ORIGIN, ALLOW_CREDENTIALS, prefix=""):
        steps.append(step)
        if not step.passed:
            return False, (), None
    location = actual.get(LOCATION)
    if actual.status in REDIRECT_STATUSES and location is not None:
        # R35: the browser follows it and checks again; cross-origin, with 'Origin: null'.
        steps.append(
            Step(
                REDIRECT,
                True,
                f"the response is a {actual.status} redirect to {location}: the browser "
                "follows it and runs these checks again on the next response; after a "
                "redirect to another origin it sends 'Origin: null'",
                "R35",
            )
        )
        return True, (), location
    readable, expose_step = _exposed_headers(request, actual)
    steps.append(expose_step)
    return True, readable, None


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


def _request_step(request: BrowserRequest) -> Step:
    method = request.method
    if method.upper() in FORBIDDEN_METHODS:
        return Step(
            REQUEST,
            False,
            f"fetch() refuses the method {method} before sending anything: browsers never "
            "send CONNECT, TRACE or TRACK",
            "R11",
        )
    if not is_token(method):
        return Step(REQUEST, False, f"fetch() refuses {method!r}: not a method name", "R10")
    text = f"the page on {request.origin} sends {method}"
    text += (
        " with credentials (cookies, HTTP auth)" if request.credentials else " without credentials"
    )
    if request.dropped_headers:
        text += "; the browser drops the headers a script may not set: " + ", ".join(
            request.dropped_headers
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
            "CORS-safelisted, so the browser sends the request directly",
            "R9",
        )
    sent = f"Access-Control-Request-Method: {request.method}"
    if names:
        sent += f", Access-Control-Request-Headers: {','.join(names)}"
    return Step(
        PREFLIGHT_NEEDED,
        True,
        f"a preflight is sent first because {' and '.join(reasons)}: OPTIONS with {sent}",
        "R9",
    )


def _exposed_headers(
    request: BrowserRequest, response: ResponseHead
) -> tuple[tuple[str, ...], Step]:
    """§cors-filtered-response (R32): the header names the script can read."""
    notes: list[str] = []
    try:
        listed = extract_list(response, h.EXPOSE_HEADERS) or []
    except ListSyntaxError:
        listed = []
        notes.append(
            f"Access-Control-Expose-Headers {response.get(h.EXPOSE_HEADERS)!r} does not "
            "parse, so browsers ignore it"
        )
    exposed = {item.lower() for item in listed}
    everything = ANY in exposed and not request.credentials
    if ANY in exposed and request.credentials:
        notes.append("'*' in Access-Control-Expose-Headers is ignored with credentials")
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
        text += f"; hidden from the script: {', '.join(hidden)} (expose them to read them)"
    if notes:
        text += "; " + "; ".join(notes)
    return readable, Step(EXPOSE_HEADERS, True, text, "R32")
