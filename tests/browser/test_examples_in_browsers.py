"""Headless Chromium and Firefox call each example API from a page on another origin
(issues 5 and 14).

Every case runs in each engine, standard-following and stock, and checks the same three
things in all of them: what the page saw (a readable response, or the TypeError a page
gets for any CORS refusal); what the API server received, preflights counted; and, for a
refusal, the reason cors_wsgi logged, side by side with the browser's console messages.
Where the engines legitimately differ (only in their console wording, and in how many
console messages a refused preflight gives), the case holds one expectation per engine.

The scenarios themselves live in ``example_projects/frontend/static/demo.js``, so the demo
page shows exactly what these tests check. The policies (see
:mod:`example_projects.plain_wsgi.api`): ``/api/`` lists the page's origin with
credentials, ``/partner/`` lists it without credentials, ``/public/`` allows any origin
without them, other paths have no policy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .engines import CHROMIUM, FIREFOX
from .harness import unique_tag

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from example_projects.serve import ExampleSite

    from .conftest import RefusalRecord
    from .harness import PageProbe, ScenarioResult

    Explain = Callable[[ScenarioResult], RefusalRecord]

pytestmark = pytest.mark.browser

# What each engine's console says about a kind of refusal: one fragment per message.
# Chromium words it "... has been blocked by CORS policy: <reason>", Firefox
# "Cross-Origin Request Blocked: ... (Reason: <reason>). Status code: <status>."
Console = dict[str, tuple[str, ...]]


def quoted(name: str) -> str:
    """A name as Firefox quotes it in its console reports (typographic quotes)."""
    return f"\u2018{name}\u2019"


ACAO_QUOTED = quoted("Access-Control-Allow-Origin")


NO_ALLOW_ORIGIN_TEXT = (
    "No 'Access-Control-Allow-Origin' header is present on the requested resource"
)


def no_allow_origin(status: int) -> Console:
    """The console of a response read without Access-Control-Allow-Origin."""
    return {
        CHROMIUM: (NO_ALLOW_ORIGIN_TEXT,),
        FIREFOX: (f"(Reason: CORS header {ACAO_QUOTED} missing). Status code: {status}.",),
    }


# A preflight cors_wsgi refused (403, no CORS headers). The engines differ in the count:
# Chromium reports it in one message; Firefox in two, the preflight's missing header and
# then that the request itself "did not succeed".
PREFLIGHT_REFUSED: Console = {
    CHROMIUM: (
        "Response to preflight request doesn't pass access control check: " + NO_ALLOW_ORIGIN_TEXT,
    ),
    FIREFOX: (
        f"(Reason: CORS header {ACAO_QUOTED} missing). Status code: 403.",
        "(Reason: CORS request did not succeed). Status code: (null).",
    ),
}


def assert_console(refusal: RefusalRecord, expected: Mapping[str, tuple[str, ...]]) -> None:
    """The browser printed exactly the messages expected of its engine, in order."""
    wanted = expected[refusal.engine]
    assert len(refusal.browser) == len(wanted), refusal.browser
    for message, fragment in zip(refusal.browser, wanted, strict=True):
        assert fragment in message


def received(site: ExampleSite, tag: str) -> list[tuple[str, str | None]]:
    """(method, status code) of each request the API server received for this tag; a
    preflight shows as "preflight", an exception from the application as "raised"."""
    return [
        (
            "preflight" if entry.is_preflight else entry.method,
            "raised" if entry.raised else (entry.status or "")[:3] or None,
        )
        for entry in site.journal.entries(tag)
    ]


def preflight_count(site: ExampleSite, tag: str) -> int:
    return len(site.journal.preflights(tag))


def assert_readable(result: ScenarioResult, status: int) -> None:
    step = result.last
    assert step.read, f"the page could not read {step.method} {step.url}: {result.console}"
    assert step.status == status
    assert result.console == ()


# ---- simple requests ------------------------------------------------------------------


def test_simple_get_from_listed_origin_is_readable(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R29: an allowed origin reads the answer of a simple GET, sent without preflight."""
    result = listed_page.run("simple-get", tag)

    assert_readable(result, 200)
    assert result.last.body == {"items": ["alpha", "beta", "gamma"]}
    assert received(site, tag) == [("GET", "200")]
    assert site.journal.cors_log(tag) == []


def test_simple_get_from_unlisted_origin_is_blocked(
    site: ExampleSite, unlisted_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R29, V4-V6: the server answers, without Access-Control-Allow-Origin; the page sees
    a TypeError and cors_wsgi names the refused origin."""
    result = unlisted_page.run("unlisted-simple-get", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("GET", "200")]
    assert preflight_count(site, tag) == 0
    assert len(refusal.cors_wsgi) == 1
    assert f"origin '{unlisted_page.origin}'" in refusal.cors_wsgi[0]
    assert_console(refusal, no_allow_origin(200))
    # Chromium names the page's origin; Firefox names only the URL.
    if refusal.engine == CHROMIUM:
        assert f"from origin '{unlisted_page.origin}'" in refusal.browser[0]


def test_post_with_text_plain_sends_no_preflight(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R9, R12: POST with a safelisted content type is a simple request."""
    result = listed_page.run("post-text-plain", tag)

    assert_readable(result, 200)
    assert result.last.body["method"] == "POST"
    assert result.last.body["body"] == "plain text"
    assert received(site, tag) == [("POST", "200")]


# ---- preflighted requests -------------------------------------------------------------


def test_post_with_json_is_preflighted_then_readable(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R12, R21: application/json needs a preflight, which content-type in allow_headers
    passes; cors_wsgi answers it with 204 and the app sees only the POST (R7)."""
    result = listed_page.run("post-json", tag)

    assert_readable(result, 200)
    assert result.last.body["contentType"] == "application/json"
    assert result.last.body["body"] == '{"n":1}'
    assert received(site, tag) == [("preflight", "204"), ("POST", "200")]


@pytest.mark.parametrize(
    ("scenario", "method"), [("put-json", "PUT"), ("delete", "DELETE"), ("patch", "PATCH")]
)
def test_listed_unsafe_methods_are_preflighted_then_readable(
    site: ExampleSite, listed_page: PageProbe, tag: str, scenario: str, method: str
) -> None:
    """R9, R20: PUT, DELETE and PATCH each get one preflight, then reach the app."""
    result = listed_page.run(scenario, tag)

    assert_readable(result, 200)
    assert result.last.body["method"] == method
    assert received(site, tag) == [("preflight", "204"), (method, "200")]
    assert site.journal.preflights(tag)[0].access_control_request_method == method


def test_lowercase_patch_is_refused_at_preflight(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R10: browsers do not upper-case 'patch'; methods compare case-sensitively, so the
    preflight fails and the request itself is never sent."""
    result = listed_page.run("patch-lowercase", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("preflight", "403")]
    assert site.journal.preflights(tag)[0].access_control_request_method == "patch"
    assert len(refusal.cors_wsgi) == 1
    assert "'patch'" in refusal.cors_wsgi[0]
    assert "compare case-sensitively" in refusal.cors_wsgi[0]
    assert "R10" not in refusal.cors_wsgi[0]  # no citation of an unshipped document
    assert_console(refusal, PREFLIGHT_REFUSED)


# ---- request headers ------------------------------------------------------------------

# How each example's configuration names the list of allowed request headers.
ALLOW_HEADERS_NAME = {
    "plain": "allow_headers",
    "django": "CORS_ALLOW_HEADERS",
    "flask": "allow_headers",
    "fastapi": "allow_headers",
}


def test_listed_custom_header_is_allowed(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R21: a header named in allow_headers passes the preflight and reaches the app."""
    result = listed_page.run("custom-header-allowed", tag)

    assert_readable(result, 200)
    assert received(site, tag) == [("preflight", "204"), ("GET", "200")]
    assert site.journal.preflights(tag)[0].access_control_request_headers == "x-demo-token"


def test_unlisted_custom_header_is_refused(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R21: a header missing from allow_headers fails the preflight (403, R16)."""
    result = listed_page.run("custom-header-refused", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("preflight", "403")]
    assert len(refusal.cors_wsgi) == 1
    assert "'x-unlisted'" in refusal.cors_wsgi[0]
    # In the words of the adapter the example configures CORS with (issue 11).
    assert ALLOW_HEADERS_NAME[site.example] in refusal.cors_wsgi[0]
    assert_console(refusal, PREFLIGHT_REFUSED)


def test_authorization_is_refused_under_any_header_wildcard(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R22, V23: allow_headers="*" never covers Authorization."""
    result = listed_page.run("authorization-wildcard", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("preflight", "403")]
    assert len(refusal.cors_wsgi) == 1
    assert "'authorization'" in refusal.cors_wsgi[0]
    assert "never covered by '*'" in refusal.cors_wsgi[0]
    assert "'*', 'authorization'" in refusal.cors_wsgi[0]  # the fix
    assert_console(refusal, PREFLIGHT_REFUSED)


def test_authorization_is_accepted_when_listed(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R22: Authorization listed by name in allow_headers passes, and reaches the app."""
    result = listed_page.run("authorization-listed", tag)

    assert_readable(result, 200)
    assert received(site, tag) == [("preflight", "204"), ("GET", "200")]
    assert site.journal.preflights(tag)[0].access_control_request_headers == "authorization"


def test_other_headers_are_allowed_under_any_header_wildcard(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R21: allow_headers="*" covers any other header for requests without credentials."""
    result = listed_page.run("any-header-wildcard", tag)

    assert_readable(result, 200)
    assert received(site, tag) == [("preflight", "204"), ("GET", "200")]


# ---- credentials ----------------------------------------------------------------------


def test_cookie_is_sent_and_answer_readable_with_credentials(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R17, R19, R29: with allow_credentials the cookie set by one response is sent with
    the next request and the page reads the answer."""
    result = listed_page.run("credentials-allowed", tag)

    login, whoami = result.steps
    assert login.read
    assert login.body == {"user": "ada"}
    assert_readable(result, 200)
    assert whoami.body == {"user": "ada"}
    assert received(site, tag) == [("POST", "200"), ("GET", "200")]
    assert [entry.had_cookie for entry in site.journal.entries(tag)] == [False, True]


def test_preflight_carries_no_cookie_but_allows_the_credentialed_put(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R7, R17, R28: the preflight of a credentialed PUT has no cookie, yet passes; the
    PUT then carries it."""
    result = listed_page.run("credentials-preflighted", tag)

    assert_readable(result, 200)
    assert result.last.body["user"] == "grace"
    assert received(site, tag) == [("POST", "200"), ("preflight", "204"), ("PUT", "200")]
    assert [entry.had_cookie for entry in site.journal.entries(tag)] == [False, False, True]


def test_credentialed_request_to_any_origin_path_is_blocked_by_the_browser(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R17, R43: /public/ answers "Access-Control-Allow-Origin: *" without credentials.
    The cookie reaches the server, but the browser hides the answer from the page: the
    refusal is the browser's, so cors_wsgi (which allowed an anonymous answer) logs none."""
    result = listed_page.run("credentials-refused", tag)
    refusal = explain_refusal(result)

    assert result.steps[0].read
    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("POST", "200"), ("GET", "200")]
    assert site.journal.entries(tag)[-1].had_cookie
    assert refusal.cors_wsgi == ()
    assert_console(
        refusal,
        {
            CHROMIUM: (
                "must not be the wildcard '*' when the request's credentials mode is 'include'",
            ),
            FIREFOX: (
                "(Reason: Credential is not supported if the CORS header "
                f"{ACAO_QUOTED} is {quoted('*')})",
            ),
        },
    )


def test_credentialed_request_to_listed_origin_without_credentials_is_blocked(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R19, R29: /partner/ lists the page's origin but not credentials; without
    "Access-Control-Allow-Credentials: true" the browser hides the answer to a credentialed
    request (cors_wsgi cannot see the credentials mode, so it logs no refusal)."""
    result = listed_page.run("credentials-not-allowed", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("POST", "200"), ("GET", "200")]
    assert site.journal.entries(tag)[-1].had_cookie
    assert refusal.cors_wsgi == ()
    assert_console(
        refusal,
        {
            CHROMIUM: ("'Access-Control-Allow-Credentials' header in the response is ''",),
            FIREFOX: (
                f"(Reason: expected {quoted('true')} in CORS header "
                f"{quoted('Access-Control-Allow-Credentials')})",
            ),
        },
    )


# ---- response headers -----------------------------------------------------------------


def test_exposed_header_is_readable_and_others_are_not(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R32: X-Total-Count is in expose_headers; X-Request-Id, sent too, is hidden."""
    result = listed_page.run("exposed-headers", tag)

    assert_readable(result, 200)
    headers = result.last.visible_headers
    assert headers["x-total-count"] == "3"
    assert "x-request-id" not in headers
    assert headers["content-type"] == "application/json"
    assert received(site, tag) == [("GET", "200")]


# ---- the preflight cache --------------------------------------------------------------


def test_second_request_reuses_the_cached_preflight(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R24, R26: with Access-Control-Max-Age: 600 the second PUT sends no preflight.

    Firefox 153 misses the first cached-preflight lookup of each user context (each test's
    tab is one) and preflights again; Chromium does not. So the case warms the tab's cache
    up on a path of its own first, and records that difference on the warm-up.
    """
    warm_up_tag = unique_tag("warm-up")
    warm_up = listed_page.run("preflight-cached", warm_up_tag)
    result = listed_page.run("preflight-cached", tag)

    assert all(step.read and step.status == 200 for step in warm_up.steps + result.steps)
    assert (
        received(site, warm_up_tag)
        == {
            CHROMIUM: [("preflight", "204"), ("PUT", "200"), ("PUT", "200")],
            FIREFOX: [("preflight", "204"), ("PUT", "200"), ("preflight", "204"), ("PUT", "200")],
        }[listed_page.engine]
    )
    assert received(site, tag) == [("preflight", "204"), ("PUT", "200"), ("PUT", "200")]


def test_max_age_zero_preflights_every_request(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R24: Access-Control-Max-Age: 0 disables the cache (without the header the browser
    would cache for 5 seconds)."""
    result = listed_page.run("preflight-not-cached", tag)

    assert all(step.read and step.status == 200 for step in result.steps)
    assert received(site, tag) == [
        ("preflight", "204"),
        ("POST", "200"),
        ("preflight", "204"),
        ("POST", "200"),
    ]


# ---- errors ---------------------------------------------------------------------------


def test_404_from_the_app_is_readable(site: ExampleSite, listed_page: PageProbe, tag: str) -> None:
    """R29: error responses carry the CORS headers, so the page can read the error."""
    result = listed_page.run("error-404", tag)

    assert result.last.read
    assert result.last.status == 404
    assert "no route" in result.last.body["error"]
    assert received(site, tag) == [("GET", "404")]


def test_500_from_the_app_is_readable(site: ExampleSite, listed_page: PageProbe, tag: str) -> None:
    """R29: a 500 the application returns is decorated like any response."""
    result = listed_page.run("error-500", tag)

    assert result.last.read
    assert result.last.status == 500
    assert result.last.body == {"error": "the example API failed on purpose"}
    assert received(site, tag) == [("GET", "500")]


def test_preflight_to_a_url_without_a_route_is_answered_by_cors_wsgi(
    site: ExampleSite, listed_page: PageProbe, tag: str
) -> None:
    """R7: cors_wsgi answers the preflight by path before any routing; the PUT then gets
    the application's own 404, readable."""
    result = listed_page.run("preflight-no-route", tag)

    assert result.last.read
    assert result.last.status == 404
    assert received(site, tag) == [("preflight", "204"), ("PUT", "404")]


# Whether the page can read the 500 when the application raises, per example: the WSGI
# middleware lets the exception propagate (it never invents a response), and the server's
# own 500 page has no CORS headers; Django and Flask turn exceptions into responses inside
# the CORS layer's reach.
APP_EXCEPTION_READABLE = {"plain": False, "django": True, "flask": True, "fastapi": True}
# cors_wsgi.asgi answers the exception itself with a 500 carrying CORS headers, and the
# exception still reaches the server, which the journal records as "raised".
APP_EXCEPTION_RECEIVED = {"fastapi": [("GET", "raised")]}


def test_exception_in_the_app_reaches_the_page_as_documented(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """When the application raises, the plain WSGI page sees only a TypeError (the
    middleware propagates the exception; see docs/wsgi.md, "When the application raises")."""
    result = listed_page.run("app-raises", tag)

    if APP_EXCEPTION_READABLE[site.example]:
        assert_readable(result, 500)
        assert received(site, tag) == APP_EXCEPTION_RECEIVED.get(site.example, [("GET", "500")])
        return
    refusal = explain_refusal(result)
    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("GET", "raised")]
    assert refusal.cors_wsgi == ()
    assert_console(refusal, no_allow_origin(500))


# ---- two paths, two policies ----------------------------------------------------------


def test_unlisted_origin_reads_the_any_origin_path(
    site: ExampleSite, unlisted_page: PageProbe, tag: str
) -> None:
    """paths=: /public/ allows any origin, even one /api/ refuses (R31: no Vary needed)."""
    result = unlisted_page.run("unlisted-public-get", tag)

    assert_readable(result, 200)
    assert result.last.body == {"items": ["alpha", "beta", "gamma"]}
    assert received(site, tag) == [("GET", "200")]


def test_unlisted_origin_is_refused_at_preflight(
    site: ExampleSite, unlisted_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """R16, paths=: /api/ refuses the unlisted origin's preflight with 403; the PUT is
    never sent."""
    result = unlisted_page.run("unlisted-preflight", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("preflight", "403")]
    assert len(refusal.cors_wsgi) == 1
    assert f"origin '{unlisted_page.origin}'" in refusal.cors_wsgi[0]
    assert_console(refusal, PREFLIGHT_REFUSED)


def test_path_without_a_policy_gets_no_cors_headers(
    site: ExampleSite, listed_page: PageProbe, tag: str, explain_refusal: Explain
) -> None:
    """paths=: a path no entry matches is out of CORS scope: untouched, not logged, and
    so unreadable from any other origin."""
    result = listed_page.run("out-of-scope-path", tag)
    refusal = explain_refusal(result)

    assert result.last.blocked_by_type_error
    assert received(site, tag) == [("GET", "200")]
    assert refusal.cors_wsgi == ()
    assert_console(refusal, no_allow_origin(200))
