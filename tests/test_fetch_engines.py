"""The engines the model knows (cors_wsgi.browser.fetch.engines): where Chromium and
Firefox differ, and where both differ from the standard."""

from __future__ import annotations

import pytest

from cors_wsgi.browser.fetch import (
    ENGINE_DIFFERENCES,
    MAX_AGE_CAPS,
    PREFLIGHT_ALLOW_HEADERS,
    PREFLIGHT_MAX_AGE,
    ResponseHead,
    check_request,
)

ORIGIN = "https://app.example.com"
ACAO = "Access-Control-Allow-Origin"
ACAM = "Access-Control-Allow-Methods"
ACAH = "Access-Control-Allow-Headers"


# ---- engines: where Chromium and Firefox differ (R24), and where both differ from the
# standard (R22)


def _max_age_text(max_age: str, **engine: str) -> str:
    verdict = check_request(
        origin=ORIGIN,
        method="PUT",
        preflight=ResponseHead.create(
            204, {ACAO: ORIGIN, ACAM: "PUT", "Access-Control-Max-Age": max_age}
        ),
        **engine,  # type: ignore[arg-type]
    )
    return next(step.message for step in verdict.steps if step.name == PREFLIGHT_MAX_AGE)


def test_each_engine_reports_its_own_preflight_cache_cap_r24() -> None:
    assert "Chromium may reuse it for 7200 s (it caps the 86400 s" in _max_age_text("86400")
    assert "Firefox may reuse it for 86400 s" in _max_age_text("86400", engine="firefox")
    assert "caps" not in _max_age_text("86400", engine="firefox")
    assert "(it caps the 90000 s asked for at 86400 s)" in _max_age_text("90000", engine="firefox")


def test_an_unknown_engine_is_refused_with_the_known_ones() -> None:
    with pytest.raises(
        ValueError, match="unknown engine 'safari': choose 'chromium' or 'firefox'"
    ):
        _max_age_text("5", engine="safari")


def test_authorization_under_wildcard_says_browsers_are_more_lenient_today_r22() -> None:
    verdict = check_request(
        origin=ORIGIN,
        request_headers={"Authorization": "Bearer a"},
        preflight=ResponseHead.create(204, {ACAO: ORIGIN, ACAH: "*"}),
    )
    failed = verdict.failed_step
    assert failed is not None
    assert failed.name == PREFLIGHT_ALLOW_HEADERS
    assert "today's Chromium and Firefox are more lenient than the Fetch standard" in (
        failed.message
    )
    assert "cors_wsgi follows the standard" in failed.message


def test_engine_differences_name_every_difference_the_suite_found() -> None:
    assert set(ENGINE_DIFFERENCES) >= {
        "console",
        "refused-preflight",
        "check-order",
        "preflight-cache",
        "max-age-cap",
        "authorization-under-wildcard",
    }
    assert str(MAX_AGE_CAPS["firefox"]) in ENGINE_DIFFERENCES["max-age-cap"]
