"""The browser's check (cors_wsgi.browser.fetch.check) as tables of named cases citing SPEC.

The table ``EXCHANGES`` is checked twice: here against the expected verdict and Chromium's
console text (recorded from Chromium 156), and, in the ``browser`` test at the end, against
real headless Chromium and Firefox (each standard-following and stock) fetching from a raw
WSGI server that sends exactly those headers.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi import CORSMiddleware, Policy
from cors_wsgi.browser.fetch import (
    ALLOW_CREDENTIALS,
    ALLOW_ORIGIN,
    EXPOSE_HEADERS,
    PREFLIGHT_ALLOW_CREDENTIALS,
    PREFLIGHT_ALLOW_HEADERS,
    PREFLIGHT_ALLOW_METHODS,
    PREFLIGHT_ALLOW_ORIGIN,
    PREFLIGHT_MAX_AGE,
    PREFLIGHT_NEEDED,
    PREFLIGHT_REDIRECT,
    PREFLIGHT_STATUS,
    REDIRECT,
    REQUEST,
    BrowserRequest,
    ResponseHead,
    Verdict,
    check,
    check_request,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator

    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from tests.browser.engines import Tab

ORIGIN = "https://app.example.com"
# Stands for the page's origin in the tables; replaced by the real one when served.
PAGE = "{page}"
ACAO = "Access-Control-Allow-Origin"
ACAC = "Access-Control-Allow-Credentials"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"
ACEH = "Access-Control-Expose-Headers"
PREFLIGHT_PREFIX = "Response to preflight request doesn't pass access control check: "
VALID = " Have the server send the header with a valid value."
# A rule number of SPEC.md (R17, V3) or a section sign: meaningless to a user, never printed.
CITATION = re.compile(r"\b[RV]\d+\b|§")

Headers = tuple[tuple[str, str], ...]


# ---- the exchanges: a request, the preflight's and the actual response's headers


@dataclass(frozen=True)
class Exchange:
    """One request and the responses a (possibly misconfigured) server sends it.

    ``blocked_at`` is the failing step (``None``: allowed); ``console`` is what Chromium
    prints after "has been blocked by CORS policy: " (with PAGE for the page's origin).
    ``stock_browsers_allow``: today's stock Chromium and Firefox read the response although
    the standard (and so the model, and both browsers in standard mode) blocks it.
    """

    id: str
    method: str = "GET"
    headers: Headers = ()
    credentials: bool = False
    preflight: tuple[int, Headers] | None = None
    actual: tuple[int, Headers] = (200, ((ACAO, PAGE),))
    blocked_at: str | None = None
    console: str | None = None
    readable: tuple[str, ...] = ("content-type", "content-length")
    stock_browsers_allow: bool = False


ALLOW_PUT = (204, ((ACAO, PAGE), (ACAM, "PUT")))
WITH_CREDENTIALS = (200, ((ACAO, PAGE), (ACAC, "true")))

EXCHANGES = [
    # --- simple requests: the CORS check on the actual response (R17-R19, R29)
    Exchange("R17-simple-get-allowed"),
    Exchange("R17-any-origin-without-credentials", actual=(200, ((ACAO, "*"),))),
    Exchange(
        "R29-error-status-is-readable-when-allowed",
        actual=(500, ((ACAO, PAGE),)),
    ),
    Exchange(
        "R17-no-allow-origin",
        actual=(200, ()),
        blocked_at=ALLOW_ORIGIN,
        console="No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R17-another-origin",
        actual=(200, ((ACAO, "https://other.example"),)),
        blocked_at=ALLOW_ORIGIN,
        console="The 'Access-Control-Allow-Origin' header has a value 'https://other.example' "
        "that is not equal to the supplied origin." + VALID,
    ),
    Exchange(
        "R36-trailing-slash",
        actual=(200, ((ACAO, PAGE + "/"),)),
        blocked_at=ALLOW_ORIGIN,
        console=f"The 'Access-Control-Allow-Origin' header has a value '{PAGE}/' that is not "
        "equal to the supplied origin." + VALID,
    ),
    Exchange(
        "V3-null",
        actual=(200, ((ACAO, "null"),)),
        blocked_at=ALLOW_ORIGIN,
        console="The 'Access-Control-Allow-Origin' header has a value 'null' that is not "
        "equal to the supplied origin." + VALID,
    ),
    Exchange(
        "R18-two-lines",
        actual=(200, ((ACAO, PAGE), (ACAO, PAGE))),
        blocked_at=ALLOW_ORIGIN,
        console=f"The 'Access-Control-Allow-Origin' header contains multiple values "
        f"'{PAGE}, {PAGE}', but only one is allowed." + VALID,
    ),
    Exchange(
        "R18-a-list-in-one-line",
        actual=(200, ((ACAO, PAGE + " https://x.example"),)),
        blocked_at=ALLOW_ORIGIN,
        console=f"The 'Access-Control-Allow-Origin' header contains multiple values "
        f"'{PAGE} https://x.example', but only one is allowed." + VALID,
    ),
    Exchange(
        "R18-two-wildcards",
        actual=(200, ((ACAO, "*"), (ACAO, "*"))),
        blocked_at=ALLOW_ORIGIN,
        console="The 'Access-Control-Allow-Origin' header contains multiple values '*, *', "
        "but only one is allowed." + VALID,
    ),
    Exchange(
        "R36-scheme-less-value",
        actual=(200, ((ACAO, "example.com"),)),
        blocked_at=ALLOW_ORIGIN,
        console="The 'Access-Control-Allow-Origin' header contains the invalid value "
        "'example.com'." + VALID,
    ),
    Exchange(
        "R36-empty-value",
        actual=(200, ((ACAO, ""),)),
        blocked_at=ALLOW_ORIGIN,
        console="The 'Access-Control-Allow-Origin' header contains the invalid value ''." + VALID,
    ),
    Exchange(
        "R36-bad-port",
        actual=(200, ((ACAO, PAGE + ";"),)),
        blocked_at=ALLOW_ORIGIN,
        console=f"The 'Access-Control-Allow-Origin' header contains the invalid value "
        f"'{PAGE};'." + VALID,
    ),
    Exchange(
        "R43-wildcard-with-credentials",
        credentials=True,
        actual=(200, ((ACAO, "*"), (ACAC, "true"))),
        blocked_at=ALLOW_ORIGIN,
        console="The value of the 'Access-Control-Allow-Origin' header in the response must "
        "not be the wildcard '*' when the request's credentials mode is 'include'.",
    ),
    Exchange("R19-credentials-allowed", credentials=True, actual=WITH_CREDENTIALS),
    Exchange(
        "R19-credentials-header-missing",
        credentials=True,
        blocked_at=ALLOW_CREDENTIALS,
        console="The value of the 'Access-Control-Allow-Credentials' header in the response "
        "is '' which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Exchange(
        "R19-credentials-True-is-not-true",
        credentials=True,
        actual=(200, ((ACAO, PAGE), (ACAC, "True"))),
        blocked_at=ALLOW_CREDENTIALS,
        console="The value of the 'Access-Control-Allow-Credentials' header in the response "
        "is 'True' which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Exchange(
        "R8-redirect-of-the-actual-request-is-checked-too",
        actual=(302, (("Location", "/elsewhere"),)),
        blocked_at=ALLOW_ORIGIN,
        console="No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R12-safelisted-range-needs-no-preflight",
        headers=(("Range", "bytes=0-1"),),
    ),
    Exchange(
        "R12-form-post-needs-no-preflight",
        method="POST",
        headers=(("Content-Type", "text/plain;charset=utf-8"),),
    ),
    # --- preflights (R8, R15, R17-R23)
    Exchange("R20-put-allowed", method="PUT", preflight=ALLOW_PUT),
    Exchange(
        "R20-put-allowed-by-wildcard", method="PUT", preflight=(204, ((ACAO, PAGE), (ACAM, "*")))
    ),
    Exchange(
        "R23-empty-list-elements-are-ignored",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAM, ",,PUT,"))),
    ),
    Exchange(
        "R23-methods-over-two-lines",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAM, "GET"), (ACAM, "PUT"))),
    ),
    Exchange(
        "R15-preflight-200-with-json",
        method="PUT",
        headers=(("Content-Type", "application/json"),),
        preflight=(200, ((ACAO, PAGE), (ACAM, "PUT"), (ACAH, "content-type"))),
    ),
    Exchange(
        "R21-any-header-without-credentials",
        headers=(("X-Token", "a"),),
        preflight=(204, ((ACAO, PAGE), (ACAH, "*"))),
    ),
    Exchange(
        "R22-wildcard-and-authorization",
        headers=(("Authorization", "Bearer a"),),
        preflight=(204, ((ACAO, PAGE), (ACAH, "*, Authorization"))),
    ),
    Exchange(
        "R20-safelisted-method-needs-no-allow-methods-even-with-credentials",
        method="POST",
        headers=(("X-Token", "a"),),
        credentials=True,
        preflight=(204, ((ACAO, PAGE), (ACAC, "true"), (ACAH, "x-token"))),
        actual=WITH_CREDENTIALS,
    ),
    Exchange(
        "R19-credentials-header-is-ignored-without-credentials",
        method="PUT",
        preflight=(204, ((ACAO, "*"), (ACAC, "true"), (ACAM, "PUT"))),
        actual=(200, ((ACAO, "*"),)),
    ),
    Exchange(
        "R24-unparsable-max-age-is-ignored",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAM, "PUT"), ("Access-Control-Max-Age", "abc"))),
    ),
    Exchange(
        "R8-preflight-redirect",
        method="PUT",
        preflight=(302, (("Location", "/elsewhere"), (ACAO, PAGE), (ACAM, "PUT"))),
        blocked_at=PREFLIGHT_REDIRECT,
        console=PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
    ),
    Exchange(
        "R8-preflight-307-without-cors-headers",
        method="PUT",
        preflight=(307, (("Location", "/x"),)),
        blocked_at=PREFLIGHT_REDIRECT,
        console=PREFLIGHT_PREFIX + "Redirect is not allowed for a preflight request.",
    ),
    Exchange(
        "R15-preflight-302-without-location-is-not-a-redirect",
        method="PUT",
        preflight=(302, ((ACAO, PAGE), (ACAM, "PUT"))),
        blocked_at=PREFLIGHT_STATUS,
        console=PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    ),
    Exchange(
        "R15-preflight-304",
        method="PUT",
        preflight=(304, ((ACAO, PAGE), (ACAM, "PUT"))),
        blocked_at=PREFLIGHT_STATUS,
        console=PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    ),
    Exchange(
        "R17-preflight-302-without-location-or-cors-headers",
        method="PUT",
        preflight=(302, ()),
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R29-302-without-location-is-read-by-the-script",
        actual=(302, ((ACAO, PAGE),)),
    ),
    Exchange(
        "R15-preflight-404-without-cors-headers",
        method="PUT",
        preflight=(404, ()),
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R15-preflight-404-with-cors-headers",
        method="PUT",
        preflight=(404, ((ACAO, PAGE), (ACAM, "PUT"))),
        blocked_at=PREFLIGHT_STATUS,
        console=PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    ),
    Exchange(
        "V22-preflight-401-from-authentication",
        method="PUT",
        preflight=(401, ((ACAO, PAGE),)),
        blocked_at=PREFLIGHT_STATUS,
        console=PREFLIGHT_PREFIX + "It does not have HTTP ok status.",
    ),
    Exchange(
        "R17-preflight-without-allow-origin",
        method="PUT",
        preflight=(204, ((ACAM, "PUT"),)),
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R18-preflight-two-allow-origin-lines",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAO, PAGE), (ACAM, "PUT"))),
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + f"The 'Access-Control-Allow-Origin' header contains multiple values '{PAGE}, "
        f"{PAGE}', but only one is allowed." + VALID,
    ),
    Exchange(
        "R17-preflight-wildcard-with-credentials",
        method="PUT",
        credentials=True,
        preflight=(204, ((ACAO, "*"), (ACAC, "true"), (ACAM, "PUT"))),
        actual=WITH_CREDENTIALS,
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + "The value of the 'Access-Control-Allow-Origin' header in the response must not be "
        "the wildcard '*' when the request's credentials mode is 'include'.",
    ),
    Exchange(
        "R17-preflight-without-credentials-header",
        method="PUT",
        credentials=True,
        preflight=ALLOW_PUT,
        actual=WITH_CREDENTIALS,
        blocked_at=PREFLIGHT_ALLOW_CREDENTIALS,
        console=PREFLIGHT_PREFIX
        + "The value of the 'Access-Control-Allow-Credentials' header in the response is '' "
        "which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Exchange(
        "R18-preflight-credentials-twice",
        method="PUT",
        credentials=True,
        preflight=(204, ((ACAO, PAGE), (ACAC, "true"), (ACAC, "true"), (ACAM, "PUT"))),
        actual=WITH_CREDENTIALS,
        blocked_at=PREFLIGHT_ALLOW_CREDENTIALS,
        console=PREFLIGHT_PREFIX
        + "The value of the 'Access-Control-Allow-Credentials' header in the response is "
        "'true, true' which must be 'true' when the request's credentials mode is 'include'.",
    ),
    Exchange(
        "R20-method-missing",
        method="PUT",
        preflight=(204, ((ACAO, PAGE),)),
        blocked_at=PREFLIGHT_ALLOW_METHODS,
        console="Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    ),
    Exchange(
        "R10-methods-compare-case-sensitively",
        method="PATCH",
        preflight=(204, ((ACAO, PAGE), (ACAM, "patch"))),
        blocked_at=PREFLIGHT_ALLOW_METHODS,
        console="Method PATCH is not allowed by Access-Control-Allow-Methods in preflight "
        "response.",
    ),
    Exchange(
        "R10-delete-is-uppercased-by-the-browser",
        method="delete",
        preflight=(204, ((ACAO, "*"), (ACAM, "delete"))),
        actual=(200, ((ACAO, "*"),)),
        blocked_at=PREFLIGHT_ALLOW_METHODS,
        console="Method DELETE is not allowed by Access-Control-Allow-Methods in preflight "
        "response.",
    ),
    Exchange(
        "R45-method-wildcard-with-credentials",
        method="PUT",
        credentials=True,
        preflight=(204, ((ACAO, PAGE), (ACAC, "true"), (ACAM, "*"))),
        actual=WITH_CREDENTIALS,
        blocked_at=PREFLIGHT_ALLOW_METHODS,
        console="Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.",
    ),
    Exchange(
        "R23-methods-do-not-parse",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAM, "PUT;DELETE"))),
        blocked_at=PREFLIGHT_ALLOW_METHODS,
        console="Cannot parse Access-Control-Allow-Methods response header field in preflight "
        "response.",
    ),
    Exchange(
        "R23-headers-do-not-parse-even-when-none-is-requested",
        method="PUT",
        preflight=(204, ((ACAO, PAGE), (ACAM, "PUT"), (ACAH, "a b"))),
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        console="Cannot parse Access-Control-Allow-Headers response header field in preflight "
        "response.",
    ),
    Exchange(
        "R23-headers-parse-before-the-method-check",
        method="PUT",
        headers=(("X-A", "1"),),
        preflight=(204, ((ACAO, PAGE), (ACAM, "GET"), (ACAH, "a b"))),
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        console="Cannot parse Access-Control-Allow-Headers response header field in preflight "
        "response.",
    ),
    Exchange(
        "R21-header-missing",
        headers=(("X-Token", "a"),),
        preflight=(204, ((ACAO, PAGE),)),
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        console="Request header field x-token is not allowed by Access-Control-Allow-Headers "
        "in preflight response.",
    ),
    Exchange(
        "R21-first-missing-header-in-sorted-order",
        method="PUT",
        headers=(("X-B", "1"), ("X-A", "1"), ("Content-Type", "application/json")),
        preflight=ALLOW_PUT,
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        console="Request header field content-type is not allowed by "
        "Access-Control-Allow-Headers in preflight response.",
    ),
    Exchange(
        "R22-wildcard-never-covers-authorization",
        headers=(("Authorization", "Bearer a"),),
        preflight=(204, ((ACAO, PAGE), (ACAH, "*"))),
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        # Stock Chromium 156 and Firefox 153 still let "*" cover Authorization (with a
        # deprecation warning); the flag and the pref of their standard mode do not.
        stock_browsers_allow=True,
        console="Request header field authorization is not allowed by "
        "Access-Control-Allow-Headers in preflight response.",
    ),
    Exchange(
        "R46-header-wildcard-with-credentials",
        headers=(("X-Token", "a"),),
        credentials=True,
        preflight=(204, ((ACAO, PAGE), (ACAC, "true"), (ACAH, "*"))),
        actual=WITH_CREDENTIALS,
        blocked_at=PREFLIGHT_ALLOW_HEADERS,
        console="Request header field x-token is not allowed by Access-Control-Allow-Headers "
        "in preflight response.",
    ),
    Exchange(
        "R12-suffix-range-is-preflighted",
        headers=(("Range", "bytes=-5"),),
        preflight=(204, ()),
        blocked_at=PREFLIGHT_ALLOW_ORIGIN,
        console=PREFLIGHT_PREFIX
        + "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    Exchange(
        "R29-preflight-passes-but-actual-lacks-allow-origin",
        method="PUT",
        preflight=ALLOW_PUT,
        actual=(200, ()),
        blocked_at=ALLOW_ORIGIN,
        console="No 'Access-Control-Allow-Origin' header is present on the requested resource.",
    ),
    # --- what the script can read (R32)
    Exchange(
        "R32-exposed-and-safelisted-headers",
        credentials=True,
        actual=(
            200,
            (
                (ACAO, PAGE),
                (ACAC, "true"),
                (ACEH, "*, x-b"),
                ("X-A", "1"),
                ("X-B", "2"),
                ("Set-Cookie", "a=b"),
                ("Cache-Control", "no-store"),
            ),
        ),
        readable=("x-b", "cache-control", "content-type", "content-length"),
    ),
    Exchange(
        "R32-wildcard-exposes-all-but-set-cookie",
        actual=(200, ((ACAO, PAGE), (ACEH, "*"), ("X-A", "1"), ("Set-Cookie", "a=b"))),
        readable=(
            "access-control-allow-origin",
            "access-control-expose-headers",
            "x-a",
            "content-type",
            "content-length",
        ),
    ),
    Exchange(
        "R23-unparsable-expose-headers-expose-nothing",
        actual=(200, ((ACAO, PAGE), (ACEH, "x-a x-b"), ("X-A", "1"))),
    ),
]


# ---- what Firefox says about each refusal of the table


def q(text: str) -> str:
    """A value as Firefox quotes it in its console (typographic single quotes)."""
    return f"\u2018{text}\u2019"


ACAO_Q, ACAC_Q, ACAM_Q, ACAH_Q = (q(name) for name in (ACAO, ACAC, ACAM, ACAH))
# Firefox's second message after a failed preflight (Chromium gives one message only).
DID_NOT_SUCCEED = "CORS request did not succeed). Status code: (null)."


def header_not_allowed(name: str) -> str:
    """Firefox's reason for a request header the preflight did not allow."""
    return (
        f"header {q(name)} is not allowed according to header {ACAH_Q} from CORS "
        "preflight response)."
    )


# Firefox 153 ESR's console reports for each refused exchange, in order: the part after
# "(Reason: " of "Cross-Origin Request Blocked: The Same Origin Policy disallows reading
# the remote resource at URL. (Reason: ...". They differ from Chromium's beyond wording:
# a failed preflight adds DID_NOT_SUCCEED; a redirected preflight gives three messages;
# and Firefox checks Access-Control-Allow-Methods before it parses
# Access-Control-Allow-Headers (R23-headers-parse-before-the-method-check), so it names
# the method where Chromium and the model name the unparsable header list.
FIREFOX_REASONS: dict[str, tuple[str, ...]] = {
    "R17-no-allow-origin": (f"CORS header {ACAO_Q} missing). Status code: 200.",),
    "R17-another-origin": (f"CORS header {ACAO_Q} does not match {q('https://other.example')}).",),
    "R36-trailing-slash": (f"CORS header {ACAO_Q} does not match {q(PAGE + '/')}).",),
    "V3-null": (f"CORS header {ACAO_Q} does not match {q('null')}).",),
    "R18-two-lines": (f"Multiple CORS header {ACAO_Q} not allowed).",),
    "R18-a-list-in-one-line": (
        f"CORS header {ACAO_Q} does not match {q(PAGE + ' https://x.example')}).",
    ),
    "R18-two-wildcards": (f"Multiple CORS header {ACAO_Q} not allowed).",),
    "R36-scheme-less-value": (f"CORS header {ACAO_Q} does not match {q('example.com')}).",),
    "R36-empty-value": (f"CORS header {ACAO_Q} does not match {q('')}).",),
    "R36-bad-port": (f"CORS header {ACAO_Q} does not match {q(PAGE + ';')}).",),
    "R43-wildcard-with-credentials": (
        f"Credential is not supported if the CORS header {ACAO_Q} is {q('*')}).",
    ),
    "R19-credentials-header-missing": (f"expected {q('true')} in CORS header {ACAC_Q}).",),
    "R19-credentials-True-is-not-true": (f"expected {q('true')} in CORS header {ACAC_Q}).",),
    "R8-redirect-of-the-actual-request-is-checked-too": (
        f"CORS header {ACAO_Q} missing). Status code: 302.",
        DID_NOT_SUCCEED,
    ),
    "R8-preflight-redirect": (
        "CORS request external redirect not allowed).",
        "CORS preflight response did not succeed). Status code: 302.",
        DID_NOT_SUCCEED,
    ),
    "R8-preflight-307-without-cors-headers": (
        f"CORS header {ACAO_Q} missing). Status code: 307.",
        DID_NOT_SUCCEED,
        DID_NOT_SUCCEED,
    ),
    "R15-preflight-302-without-location-is-not-a-redirect": (
        "CORS preflight response did not succeed). Status code: 302.",
        DID_NOT_SUCCEED,
    ),
    "R15-preflight-304": (
        "CORS preflight response did not succeed). Status code: 304.",
        DID_NOT_SUCCEED,
    ),
    "R17-preflight-302-without-location-or-cors-headers": (
        f"CORS header {ACAO_Q} missing). Status code: 302.",
        DID_NOT_SUCCEED,
    ),
    "R15-preflight-404-without-cors-headers": (
        f"CORS header {ACAO_Q} missing). Status code: 404.",
        DID_NOT_SUCCEED,
    ),
    "R15-preflight-404-with-cors-headers": (
        "CORS preflight response did not succeed). Status code: 404.",
        DID_NOT_SUCCEED,
    ),
    "V22-preflight-401-from-authentication": (
        "CORS preflight response did not succeed). Status code: 401.",
        DID_NOT_SUCCEED,
    ),
    "R17-preflight-without-allow-origin": (
        f"CORS header {ACAO_Q} missing). Status code: 204.",
        DID_NOT_SUCCEED,
    ),
    "R18-preflight-two-allow-origin-lines": (
        f"Multiple CORS header {ACAO_Q} not allowed).",
        DID_NOT_SUCCEED,
    ),
    "R17-preflight-wildcard-with-credentials": (
        f"Credential is not supported if the CORS header {ACAO_Q} is {q('*')}).",
        DID_NOT_SUCCEED,
    ),
    "R17-preflight-without-credentials-header": (
        f"expected {q('true')} in CORS header {ACAC_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R18-preflight-credentials-twice": (
        f"expected {q('true')} in CORS header {ACAC_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R20-method-missing": (
        f"Did not find method in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R10-methods-compare-case-sensitively": (
        f"Did not find method in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R10-delete-is-uppercased-by-the-browser": (
        f"Did not find method in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R45-method-wildcard-with-credentials": (
        f"Did not find method in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R23-methods-do-not-parse": (
        f"invalid token {q('PUT;DELETE')} in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R23-headers-do-not-parse-even-when-none-is-requested": (
        f"invalid token {q('a b')} in CORS header {ACAH_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R23-headers-parse-before-the-method-check": (
        f"Did not find method in CORS header {ACAM_Q}).",
        DID_NOT_SUCCEED,
    ),
    "R21-header-missing": (
        header_not_allowed("x-token"),
        DID_NOT_SUCCEED,
    ),
    "R21-first-missing-header-in-sorted-order": (
        header_not_allowed("content-type"),
        DID_NOT_SUCCEED,
    ),
    "R22-wildcard-never-covers-authorization": (
        header_not_allowed("authorization"),
        DID_NOT_SUCCEED,
    ),
    "R46-header-wildcard-with-credentials": (
        header_not_allowed("x-token"),
        DID_NOT_SUCCEED,
    ),
    "R12-suffix-range-is-preflighted": (
        f"CORS header {ACAO_Q} missing). Status code: 204.",
        DID_NOT_SUCCEED,
    ),
    "R29-preflight-passes-but-actual-lacks-allow-origin": (
        f"CORS header {ACAO_Q} missing). Status code: 200.",
    ),
}


def test_firefox_reasons_cover_every_refusal_of_the_table() -> None:
    refused = {exchange.id for exchange in EXCHANGES if exchange.blocked_at is not None}
    assert set(FIREFOX_REASONS) == refused


def _filled(headers: Headers, page: str) -> Headers:
    return tuple((name, value.replace(PAGE, page)) for name, value in headers)


def _served(spec: tuple[int, Headers], page: str) -> ResponseHead:
    """The response as a client reads it from the raw server below (which always adds a
    Content-Type and a Content-Length)."""
    status, headers = spec
    body_headers = (("Content-Type", "text/plain"), ("Content-Length", "2"))
    return ResponseHead.create(status, _filled(headers, page) + body_headers)


def _verdict(exchange: Exchange, page: str, url: str = "") -> Verdict:
    request = BrowserRequest.create(
        origin=page,
        url=url,
        method=exchange.method,
        request_headers=exchange.headers,
        credentials=exchange.credentials,
    )
    preflight = _served(exchange.preflight, page) if exchange.preflight else None
    return check(request, preflight=preflight, actual=_served(exchange.actual, page))


def test_exchange_table_ids_are_unique() -> None:
    ids = [exchange.id for exchange in EXCHANGES]
    assert len(ids) == len(set(ids))
    assert all(e.console is not None for e in EXCHANGES if e.blocked_at)


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_verdict_matches_the_table(exchange: Exchange) -> None:
    verdict = _verdict(exchange, ORIGIN, url="https://api.example.com/x")
    assert verdict.allowed is (exchange.blocked_at is None), str(verdict)
    assert verdict.preflight_needed is (exchange.preflight is not None)
    failed = verdict.failed_step
    if exchange.blocked_at is None:
        assert failed is None
        assert verdict.console_message is None
        assert set(verdict.readable_headers) == set(exchange.readable)
        assert "ALLOWED" in str(verdict)
    else:
        assert failed is not None
        assert failed.name == exchange.blocked_at
        assert verdict.steps[-1] is failed  # the browser stops at the first failure
        assert exchange.console is not None
        assert verdict.console_message == (
            f"Access to fetch at 'https://api.example.com/x' from origin '{ORIGIN}' has been "
            f"blocked by CORS policy: {exchange.console.replace(PAGE, ORIGIN)}"
        )
        assert verdict.readable_headers == ()
        assert str(verdict).startswith("BLOCKED")
        assert failed.message in str(verdict)


@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
@pytest.mark.parametrize("credentials", [False, True])
def test_no_printed_step_cites_a_rule(exchange: Exchange, credentials: bool) -> None:
    """The rule a step follows is data (Step.rule), for tests and tools; what is printed
    (the sentence, Chromium's console text, the whole verdict) stands on its own."""
    varied = replace(exchange, credentials=credentials or exchange.credentials)
    verdict = _verdict(varied, ORIGIN, url="https://api.example.com/x")
    assert not CITATION.search(str(verdict)), str(verdict)
    for step in verdict.steps:
        assert not CITATION.search(step.message), step.message
        assert not CITATION.search(step.console), step.console


# ---- the plain sentences: each names the cause and the fix


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (ORIGIN + "/", "trailing slash"),
        ("HTTPS://APP.EXAMPLE.COM", "case"),
        ("http://app.example.com", "scheme http"),
        (ORIGIN + ":8443", "another port"),
        ("https://evil.example", "another origin"),
        ("null", "sandboxed or file pages"),  # V3
        (f"{ORIGIN}, {ORIGIN}", "applied twice"),
        ("app.example.com", "is not an origin"),
        ("https://", "is not an origin"),
        ("https://app.example.com:44x", "is not an origin"),
        ("foo:bar", "another origin"),
    ],
)
def test_origin_mismatch_sentences_name_the_cause_r17_r36(value: str, words: str) -> None:
    verdict = check_request(origin=ORIGIN, actual=ResponseHead.create(200, {ACAO: value}))
    assert not verdict.allowed
    failed = verdict.failed_step
    assert failed is not None
    assert words in failed.message
    assert failed.rule == "R17"


@pytest.mark.parametrize(
    ("exchange", "words"),
    [
        (Exchange("a", method="PUT", preflight=(204, ((ACAO, ORIGIN), (ACAM, "put")))), "case"),
        (Exchange("b", method="PUT", preflight=(204, ((ACAO, ORIGIN), (ACAM, "GET")))), "'GET'"),
        (Exchange("c", method="PUT", preflight=(204, ((ACAO, ORIGIN),))), "is missing"),
        (
            Exchange(
                "d",
                credentials=True,
                method="PUT",
                preflight=(204, ((ACAO, ORIGIN), (ACAC, "true"), (ACAM, "*"))),
            ),
            "browsers ignore for a request with credentials",  # R45
        ),
        (
            Exchange(
                "e",
                headers=(("X-A", "1"),),
                preflight=(204, ((ACAO, ORIGIN), (ACAH, "x-b"))),
            ),
            "without x-a",
        ),
        (
            Exchange(
                "f",
                headers=(("Authorization", "x"),),
                preflight=(204, ((ACAO, ORIGIN), (ACAH, "*"))),
            ),
            "'*, authorization'",
        ),
        (
            Exchange("g", method="PUT", preflight=(401, ((ACAO, ORIGIN),))),
            "authentication",
        ),
        (
            Exchange("h", method="PUT", preflight=(301, ((ACAO, ORIGIN), ("Location", "/x/")))),
            "never follow a redirect",
        ),
        (Exchange("i", credentials=True, actual=(200, ((ACAO, ORIGIN),))), "is missing"),
        (Exchange("k", actual=(500, ())), "cannot read the error"),  # R29
        (Exchange("l", actual=(200, ())), "Add it to the allowed origins"),
        (
            Exchange("j", credentials=True, actual=(200, ((ACAO, ORIGIN), (ACAC, "yes")))),
            "'yes', not exactly 'true'",
        ),
    ],
    ids=lambda item: item.id if isinstance(item, Exchange) else None,
)
def test_failure_sentences_say_what_to_change(exchange: Exchange, words: str) -> None:
    failed = _verdict(exchange, ORIGIN).failed_step
    assert failed is not None
    assert words in failed.message


def test_passing_steps_tell_the_whole_story() -> None:
    verdict = check_request(
        origin=ORIGIN,
        url="https://api.example.com/items",
        method="PUT",
        request_headers={"X-Token": "t"},
        credentials=True,
        preflight=ResponseHead.create(
            204,
            {
                ACAO: ORIGIN,
                ACAC: "true",
                ACAM: "PUT",
                ACAH: "x-token",
                "Access-Control-Max-Age": "86400",
            },
        ),
        actual=ResponseHead.create(
            200, {ACAO: ORIGIN, ACAC: "true", ACEH: "x-total, x-gone", "X-Total": "3", "X-Id": "1"}
        ),
    )
    assert verdict.allowed
    assert [step.name for step in verdict.steps] == [
        REQUEST,
        PREFLIGHT_NEEDED,
        PREFLIGHT_ALLOW_ORIGIN,
        PREFLIGHT_ALLOW_CREDENTIALS,
        PREFLIGHT_STATUS,
        PREFLIGHT_ALLOW_METHODS,
        PREFLIGHT_ALLOW_HEADERS,
        PREFLIGHT_MAX_AGE,
        ALLOW_ORIGIN,
        ALLOW_CREDENTIALS,
        EXPOSE_HEADERS,
    ]
    text = str(verdict)
    assert "with credentials" in text
    assert "PUT is not GET, HEAD or POST" in text
    assert "caps the 86400 s asked for at 7200 s" in text  # R24
    assert "hidden from the script: x-id" in text
    assert "exposed but absent from this response: x-gone" in text
    assert verdict.readable_headers == ("x-total",)
    assert verdict.status == 200


@pytest.mark.parametrize(
    ("max_age", "words"),
    [("600", "for 600 s"), (None, "absent"), ("-1", "not whole seconds")],
)
def test_max_age_step_r24(max_age: str | None, words: str) -> None:
    headers = {ACAO: ORIGIN, ACAM: "PUT"}
    if max_age is not None:
        headers["Access-Control-Max-Age"] = max_age
    verdict = check_request(
        origin=ORIGIN, method="PUT", preflight=ResponseHead.create(204, headers)
    )
    assert verdict.allowed
    assert not verdict.checked_actual
    assert words in verdict.steps[-1].message
    assert "PREFLIGHT PASSED" in verdict.summary


def test_wildcard_expose_with_credentials_is_noted_r32() -> None:
    verdict = check_request(
        origin=ORIGIN,
        credentials=True,
        actual=ResponseHead.create(200, {ACAO: ORIGIN, ACAC: "true", ACEH: "*", "X-A": "1"}),
    )
    assert verdict.readable_headers == ()
    assert "ignored with credentials" in verdict.steps[-1].message
    assert "readable headers: none" in verdict.steps[-1].message


def test_redirect_that_passes_is_reported_for_the_caller_to_follow_r35() -> None:
    verdict = check_request(
        origin=ORIGIN,
        actual=ResponseHead.create(302, {ACAO: ORIGIN, "Location": "https://b.example/x"}),
    )
    assert verdict.allowed
    assert verdict.redirect_to == "https://b.example/x"
    assert verdict.steps[-1].name == REDIRECT
    assert "Origin: null" in verdict.steps[-1].message


@pytest.mark.parametrize(
    ("method", "words"),
    [
        ("TRACE", "never send CONNECT"),
        ("track", "never send CONNECT"),
        ("GE T", "not a method"),
    ],  # R11
)
def test_methods_fetch_refuses(method: str, words: str) -> None:
    verdict = check_request(origin=ORIGIN, method=method, actual=ResponseHead.create(200))
    assert not verdict.allowed
    assert verdict.failed_step is not None
    assert verdict.failed_step.name == REQUEST
    assert words in verdict.failed_step.message
    assert verdict.console_message is None  # fetch() throws; nothing is sent


def test_dropped_headers_are_mentioned_r14() -> None:
    verdict = check_request(
        origin=ORIGIN,
        request_headers={"Cookie": "a=b"},
        actual=ResponseHead.create(200, {ACAO: ORIGIN}),
    )
    assert verdict.allowed
    assert "drops the headers a script may not set: Cookie" in verdict.steps[0].message


def test_forced_preflight_is_explained() -> None:
    request = BrowserRequest.create(origin=ORIGIN, force_preflight=True)
    verdict = check(request, preflight=ResponseHead.create(204, {ACAO: ORIGIN}))
    assert verdict.allowed
    assert "forces one" in verdict.steps[1].message


def test_missing_responses_are_usage_errors() -> None:
    with pytest.raises(ValueError, match="needs a preflight"):
        check_request(origin=ORIGIN, method="PUT", actual=ResponseHead.create(200))
    with pytest.raises(ValueError, match="actual="):
        check_request(origin=ORIGIN)


def test_verdict_as_dict_is_json() -> None:
    blocked = _verdict(EXCHANGES[3], ORIGIN, url="https://api.example.com/")
    data = json.loads(json.dumps(blocked.as_dict()))
    assert data["allowed"] is False
    assert data["failed_step"] == ALLOW_ORIGIN
    assert data["console_message"].endswith("requested resource.")
    assert data["steps"][-1]["console"].startswith("No 'Access-Control-Allow-Origin'")
    assert data["request"]["origin"] == ORIGIN
    assert data["request"]["credentials_mode"] == "same-origin"
    allowed = _verdict(EXCHANGES[0], ORIGIN).as_dict()
    assert allowed["failed_step"] is None
    steps = allowed["steps"]
    assert isinstance(steps, list)
    assert "console" not in steps[-1]


# ---- properties: any server's answer gets a verdict, and "allowed" means what it says

_HEADER_TEXT = st.lists(
    st.sampled_from(
        ["a", "X", "0", "*", ",", ";", " ", "-", ":", "/", '"', "true", ORIGIN, "PUT"]
    ),
    max_size=8,
).map("".join)
_MAYBE = st.one_of(st.none(), _HEADER_TEXT, st.sampled_from([ORIGIN, "*", "true", "PUT"]))


@given(
    credentials=st.booleans(),
    method=st.sampled_from(["GET", "PUT", "patch", "DELETE"]),
    header=st.sampled_from([None, "X-Token", "Authorization"]),
    status=st.sampled_from([200, 204, 301, 302, 304, 403, 500]),
    location=st.sampled_from([None, "/elsewhere"]),
    acao=st.lists(_MAYBE, max_size=2),
    acac=_MAYBE,
    acam=_MAYBE,
    acah=_MAYBE,
    aceh=_MAYBE,
)
def test_any_answer_gets_a_consistent_verdict(
    credentials: bool,
    method: str,
    header: str | None,
    status: int,
    location: str | None,
    acao: list[str | None],
    acac: str | None,
    acam: str | None,
    acah: str | None,
    aceh: str | None,
) -> None:
    """Whatever a server sends, check() returns a verdict without raising; it is blocked
    exactly when a step failed, that step is the last, and an allowed response has passed
    the CORS check: one Access-Control-Allow-Origin equal to the origin, or '*' without
    credentials, and 'true' credentials when they are included (R17-R22)."""
    headers = [(ACAO, value) for value in acao if value is not None]
    for name, value in ((ACAC, acac), (ACAM, acam), (ACAH, acah), (ACEH, aceh)):
        if value is not None:
            headers.append((name, value))
    if location is not None:
        headers.append(("Location", location))
    response = ResponseHead.create(status, headers)
    request = BrowserRequest.create(
        origin=ORIGIN,
        method=method,
        request_headers=[(header, "v")] if header else [],
        credentials=credentials,
    )
    verdict = check(request, preflight=response, actual=response)
    failed = [step for step in verdict.steps if not step.passed]
    assert verdict.allowed is (not failed)
    if failed:
        assert failed == [verdict.steps[-1]]
        assert verdict.console_message is not None
        assert verdict.readable_headers == ()
    else:
        allow_origin = response.get(ACAO)
        assert allow_origin == ORIGIN or (allow_origin == "*" and not credentials)
        if credentials:
            assert response.get(ACAC) == "true"
        if request.preflight_needed:
            assert status in range(200, 300)
        assert not set(verdict.readable_headers) & {"set-cookie", "set-cookie2"}
    json.dumps(verdict.as_dict())
    assert str(verdict).splitlines()[0] == verdict.summary
    assert not CITATION.search(str(verdict)), str(verdict)


# ---- agreement with the core: what the policy allows, the browser check allows


def _wsgi_response(
    app: CORSMiddleware, method: str, headers: Iterable[tuple[str, str]]
) -> ResponseHead:
    environ: dict[str, object] = {"REQUEST_METHOD": method, "PATH_INFO": "/x"}
    for name, value in headers:
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    captured: list[ResponseHead] = []

    def start_response(
        status: str, header_list: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], object]:
        captured.append(ResponseHead.create(status, header_list))
        return lambda data: None

    app(environ, start_response)
    return captured[0]


def _ok_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("X-Total", "1")])
    return [b"ok"]


_LISTED = ("https://app.example.com", "http://localhost:3000")


@given(
    origin=st.sampled_from([*_LISTED, "https://evil.example", "null"]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH"]),
    header=st.sampled_from([None, "X-Token", "Authorization", "Content-Type"]),
    credentials=st.booleans(),
    any_origin=st.booleans(),
    allow_methods=st.sampled_from([("PUT",), "*", ("PUT", "DELETE", "PATCH")]),
    allow_headers=st.sampled_from([(), ("x-token",), "*", ("*", "authorization")]),
    expose=st.sampled_from([(), ("x-total",)]),
)
def test_core_policy_and_browser_check_agree(
    origin: str,
    method: str,
    header: str | None,
    credentials: bool,
    any_origin: bool,
    allow_methods: tuple[str, ...] | str,
    allow_headers: tuple[str, ...] | str,
    expose: tuple[str, ...],
) -> None:
    """A browser allows a request exactly when the core's policy allows the origin, the
    method and the header for the credentials mode (R17, R20-R22, R43-R46)."""
    allow_credentials = credentials and not any_origin
    policy = Policy(
        allow_origins="*" if any_origin else _LISTED,
        allow_methods=allow_methods,
        allow_headers=allow_headers,
        allow_credentials=allow_credentials,
        expose_headers=expose,
    )
    app = CORSMiddleware(_ok_app, policy=policy)
    request_headers: list[tuple[str, str]] = []
    if header is not None:
        request_headers.append((header, "application/json" if header == "Content-Type" else "v"))
    request = BrowserRequest.create(
        origin=origin,
        method=method,
        request_headers=request_headers,
        credentials=credentials,
    )
    preflight = None
    if request.preflight_needed:
        preflight = _wsgi_response(app, "OPTIONS", request.preflight_headers())
    actual = _wsgi_response(app, request.method, request.actual_headers())
    verdict = check(request, preflight=preflight, actual=actual)

    origin_ok = any_origin or origin in _LISTED
    credentials_ok = not credentials or allow_credentials
    method_ok = method in ("GET", "POST") or allow_methods == "*" or method in allow_methods
    unsafe = request.unsafe_header_names
    headers_ok = all(
        name in allow_headers
        or (allow_headers != () and "*" in allow_headers and name != "authorization")
        for name in unsafe
    )
    expected = origin_ok and credentials_ok and method_ok and headers_ok
    assert verdict.allowed is expected, str(verdict)
    if verdict.allowed:
        assert ("x-total" in verdict.readable_headers) is bool(expose)


# ---- Chromium agrees with every row of the table


def _exchange_app(page_origin: str) -> WSGIApplication:
    by_id = {exchange.id: exchange for exchange in EXCHANGES}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        exchange = by_id[environ["PATH_INFO"].split("/")[1]]
        is_preflight = environ["REQUEST_METHOD"] == "OPTIONS" and exchange.preflight
        status, headers = exchange.preflight if is_preflight else exchange.actual  # type: ignore[misc]
        body_headers = [("Content-Type", "text/plain"), ("Content-Length", "2")]
        start_response(f"{status} Status", [*_filled(headers, page_origin), *body_headers])
        return [b"ok"]

    return app


def _page_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    start_response("200 OK", [("Content-Type", "text/html")])
    return [b"<!doctype html><title>page</title>"]


# Every engine, standard-following and stock (names as in tests/browser).
_VARIANTS = [
    ("chromium", "standard"),
    ("chromium", "stock"),
    ("firefox", "standard"),
    ("firefox", "stock"),
]


@pytest.fixture(
    scope="module", params=_VARIANTS, ids=lambda v: v[0] if v[1] == "standard" else "-".join(v)
)
def engine_tab(request: pytest.FixtureRequest) -> Iterator[tuple[Tab, str, str, str]]:
    """A tab of one engine variant on a page, and the raw exchange server's URL.

    The browser suite's launch rules: its flags and prefs, and a skip (or, with
    CORS_WSGI_REQUIRE_BROWSER=1 or CI set, a failure) when the browser is missing.
    """
    from example_projects.serve import BackgroundServer
    from tests.browser.engines import EngineVariant
    from tests.browser.harness import running_browser, skip_unless_selected

    engine, mode = request.param
    skip_unless_selected(request.config, engine)
    with BackgroundServer() as api, BackgroundServer() as page_server:
        page_server.start(_page_app)
        api.start(_exchange_app(page_server.origin))
        with running_browser(EngineVariant(engine, mode)) as browser:
            tab = browser.new_tab()
            try:
                tab.goto(page_server.url)
                yield tab, mode, page_server.origin, api.url
            finally:
                tab.close()


@pytest.mark.browser
@pytest.mark.parametrize("exchange", EXCHANGES, ids=lambda e: e.id)
def test_browsers_agree_with_the_verdict(
    engine_tab: tuple[Tab, str, str, str], exchange: Exchange
) -> None:
    tab, mode, page_origin, api_url = engine_tab
    url = f"{api_url}{exchange.id}/{time.monotonic_ns()}"
    init = {
        "method": exchange.method,
        "headers": dict(exchange.headers),
        "credentials": "include" if exchange.credentials else "same-origin",
    }
    outcome = tab.call(
        """(url, init) => fetch(url, init).then(
            r => ({read: true, headers: [...r.headers.keys()]}),
            e => ({read: false, headers: []}))""",
        url,
        init,
    )
    verdict = _verdict(exchange, page_origin, url=url)
    if mode == "stock" and exchange.stock_browsers_allow:
        assert not verdict.allowed
        assert outcome["read"], "the stock browser follows the standard here now"
        return
    assert verdict.allowed is outcome["read"], str(verdict)
    if verdict.allowed:
        # Both engines list the headers the script can read; wsgiref adds Date and Server,
        # which only a wildcard exposes.
        exposes_all = "*" in dict(exchange.actual[1]).get(ACEH, "") and not exchange.credentials
        added_by_server = {"date", "server"} if exposes_all else set()
        assert set(outcome["headers"]) == set(verdict.readable_headers) | added_by_server
        return
    if tab.engine == "chromium":
        blocked = settle(tab, lambda text: url in text and "blocked by CORS policy" in text)
        assert blocked == [verdict.console_message]
    else:
        # Firefox words its reports its own way, recorded in FIREFOX_REASONS.
        blocked = settle(tab, lambda text: url in text and "Cross-Origin Request Blocked" in text)
        reasons = [text.split("(Reason: ", 1)[1] for text in blocked]
        assert reasons == [
            reason.replace(PAGE, page_origin) for reason in FIREFOX_REASONS[exchange.id]
        ]


def settle(tab: Tab, wanted: Callable[[str], bool]) -> list[str]:
    from tests.browser.engines import settle as settle_console

    found = settle_console(tab, wanted, seconds=3)
    assert found, f"no console message; got {tab.console_errors()}"
    return found


def test_forced_preflight_without_allow_methods_allows_the_requests_own_method() -> None:
    # Fetch, CORS-preflight fetch: "if methods is null and request's use-CORS-preflight flag
    # is set, set methods to a new list containing request's method".
    for method in ("PUT", "POST"):
        request = BrowserRequest.create(origin=ORIGIN, method=method, force_preflight=True)
        verdict = check(
            request,
            preflight=ResponseHead.create(204, {ACAO: ORIGIN}),
            actual=ResponseHead.create(200, {ACAO: ORIGIN}),
        )
        assert verdict.allowed, method
    unforced = BrowserRequest.create(origin=ORIGIN, method="PUT")
    verdict = check(unforced, preflight=ResponseHead.create(204, {ACAO: ORIGIN}))
    assert not verdict.allowed
    assert verdict.failed_step is not None
    assert verdict.failed_step.name == PREFLIGHT_ALLOW_METHODS
