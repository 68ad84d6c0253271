"""The browser's side of CORS: the Fetch standard's checks, run on the responses a page got.

Given the request a page makes (its origin, method, request headers, credentials mode) and
the responses it receives (the preflight's, then the actual one's), :func:`check` answers
what a browser answers: may the script read the response, and if not, which step failed.
It knows no framework and no server: :mod:`cors_wsgi.testing` feeds it test-client
responses and ``cors-wsgi probe`` feeds it responses from a live URL.

What it follows (section names of the Fetch standard, rules of SPEC.md):

- whether a preflight is sent (§main-fetch; R9 safelisted methods, R12 safelisted
  request headers), and what it carries (§cors-preflight-fetch; R13);
- the CORS check on the preflight and on the actual response (§cors-check; R17 ACAO equal
  to the origin or ``*`` without credentials, R18 duplicate lines joined with ``", "``,
  R19 ``Access-Control-Allow-Credentials: true`` exactly);
- the preflight's own checks: no redirect (R8), an ok status (R15), the lists of methods
  and headers parsed as HTTP lists (R23), the method allowed case-sensitively or by ``*``
  without credentials (R20), every CORS-unsafe header name allowed or covered by ``*``
  without credentials, ``authorization`` never by ``*`` (R21, R22);
- which response headers the script may read (§cors-filtered-response; R32).

The failing step's message is Chromium's own console text (Chromium 156), so a verdict reads
like the line the developer saw in the console, followed by what to change on the server.
A preflight cache is not modelled: every check is a first visit.

Two engines are checked against this model (Chromium 156 and Firefox 153 ESR, run by the
test suite): they decide every case of its table alike, in their standard-following mode.
Where they differ, :data:`ENGINE_DIFFERENCES` says how; the one difference that changes
what the model reports (how long a preflight may be cached) is chosen by ``engine=``.

The package, by concept: ``request`` (what the page sends, safelisting, whether a
preflight is sent), ``response`` (the response head and its header lists),
``verdict`` (steps and the verdict), ``cors_check`` (the allowed origin and
credentials), ``preflight`` (the preflight's own checks), ``console`` (Chromium's
wording), ``engines`` (the engine table) and ``check`` (the whole decision).
"""

from __future__ import annotations

from cors_wsgi.browser.fetch.check import check, check_request
from cors_wsgi.browser.fetch.engines import (
    AUTHORIZATION_LENIENCY,
    CHROMIUM,
    ENGINE_DIFFERENCES,
    ENGINES,
    FIREFOX,
    MAX_AGE_CAPS,
)
from cors_wsgi.browser.fetch.request import (
    BrowserRequest,
    HeaderInput,
    cors_unsafe_request_header_names,
    is_safelisted_request_header,
    needs_preflight,
    parse_header_argument,
)
from cors_wsgi.browser.fetch.response import ResponseHead
from cors_wsgi.browser.fetch.verdict import (
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
    Step,
    Verdict,
)

__all__ = [
    "ALLOW_CREDENTIALS",
    "ALLOW_ORIGIN",
    "AUTHORIZATION_LENIENCY",
    "CHROMIUM",
    "ENGINES",
    "ENGINE_DIFFERENCES",
    "EXPOSE_HEADERS",
    "FIREFOX",
    "MAX_AGE_CAPS",
    "PREFLIGHT_ALLOW_CREDENTIALS",
    "PREFLIGHT_ALLOW_HEADERS",
    "PREFLIGHT_ALLOW_METHODS",
    "PREFLIGHT_ALLOW_ORIGIN",
    "PREFLIGHT_MAX_AGE",
    "PREFLIGHT_NEEDED",
    "PREFLIGHT_REDIRECT",
    "PREFLIGHT_STATUS",
    "REDIRECT",
    "REQUEST",
    "BrowserRequest",
    "HeaderInput",
    "ResponseHead",
    "Step",
    "Verdict",
    "check",
    "check_request",
    "cors_unsafe_request_header_names",
    "is_safelisted_request_header",
    "needs_preflight",
    "parse_header_argument",
]
