"""Every code reported through the Django settings speaks Django's words (issue 11).

The message names the setting written and its fixes are settings to write
(CORS_ALLOW_ALL_ORIGINS = True, CORS_ALLOWED_ORIGIN_REGEXES), never the WSGI keywords,
and no message cites a rule number of an unshipped document.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest
from django.core.checks import Tags, run_checks
from django.test import Client, override_settings

CORE_NAMES = re.compile(
    r"\b(allow_origins|allow_origin_regex|allow_origin_func|allow_methods|allow_headers|"
    r"allow_credentials|expose_headers|max_age|preflight_status|preflight_passthrough)\b"
)
CITATION = re.compile(r"\b[RV]\d+\b|§")
ORIGINS = "CORS_ALLOWED_ORIGINS"

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("E001", {ORIGINS: ["app.example.com"]}, ORIGINS),
    ("E002", {ORIGINS: ["https://app.example.com/"]}, ORIGINS),
    ("E004", {ORIGINS: ["https://App.example.com"]}, ORIGINS),
    ("E005", {ORIGINS: ["https://app.example.com:443"]}, ORIGINS),
    ("E008", {ORIGINS: ["https://a.example.com,https://b.example.com"]}, ORIGINS),
    ("E009", {ORIGINS: ["null"]}, ORIGINS),
    ("E012", {"CORS_ALLOW_ALL_ORIGINS": True}, "CORS_ALLOW_ALL_ORIGINS"),
    ("E013", {ORIGINS: ["http://app.example.com"]}, ORIGINS),
    ("E014", {ORIGINS: ["https://*.github.io"]}, ORIGINS),
    ("E015", {ORIGINS: [r"https://.*\.example\.com"]}, ORIGINS),
    ("E016", {"CORS_ALLOW_METHODS": ["TRACE"]}, "CORS_ALLOW_METHODS"),
    ("E017", {"CORS_ALLOW_METHODS": ["GET, POST"]}, "CORS_ALLOW_METHODS"),
    ("E018", {"CORS_ALLOW_HEADERS": ["cookie"]}, "CORS_ALLOW_HEADERS"),
    ("E019", {"CORS_ALLOW_HEADERS": ["x a"]}, "CORS_ALLOW_HEADERS"),
    ("E020", {"CORS_EXPOSE_HEADERS": "*"}, "CORS_EXPOSE_HEADERS"),
    ("E021", {"CORS_PREFLIGHT_MAX_AGE": 10**6}, "CORS_PREFLIGHT_MAX_AGE"),
    ("E022", {"CORS_ALLOWED_ORIGIN_REGEXES": ["(unclosed"]}, "CORS_ALLOWED_ORIGIN_REGEXES"),
    ("E023", {ORIGINS: "https://app.example.com"}, ORIGINS),
    ("E025", {"CORS_ALLOW_HEADERS": ["access-control-allow-origin"]}, "CORS_ALLOW_HEADERS"),
    ("E026", {"CORS_PREFLIGHT_STATUS": 201}, "CORS_PREFLIGHT_STATUS"),
    ("E029", {"CORS_ALLOWED_ORIGIN_REGEXES": [".*"]}, "CORS_ALLOWED_ORIGIN_REGEXES"),
    ("E032", {"CORS_DEBUG": True, "DEBUG": False}, "CORS_DEBUG"),
    ("W100", {"CORS_ALLOW_HEADERS": ["*"]}, "CORS_ALLOW_HEADERS"),
]


def cors_messages() -> list[Any]:
    return [m for m in run_checks(tags=[Tags.security]) if (m.id or "").startswith("cors_wsgi.")]


@pytest.mark.parametrize(("code", "overrides", "named"), CASES, ids=[c[0] for c in CASES])
def test_every_code_names_the_setting_in_django_words(
    code: str, overrides: dict[str, Any], named: str
) -> None:
    with override_settings(**overrides):
        [message] = [m for m in cors_messages() if m.id == f"cors_wsgi.{code}"]
    assert message.msg.startswith(f"{named} = ")
    assert not CORE_NAMES.search(message.msg), message.msg
    assert not CITATION.search(message.msg), message.msg


def test_e012_names_cors_allow_credentials() -> None:
    with override_settings(CORS_ALLOW_ALL_ORIGINS=True):
        [message] = [m for m in cors_messages() if m.id == "cors_wsgi.E012"]
    assert "with CORS_ALLOW_CREDENTIALS = True, browsers reject '*'" in message.msg


def test_a_regex_in_allowed_origins_gets_the_django_fix() -> None:
    with override_settings(CORS_ALLOWED_ORIGINS=[r"https://.*\.example\.com"]):
        [message] = cors_messages()
    assert "for any origin use CORS_ALLOW_ALL_ORIGINS = True" in message.msg
    assert "for anything else use CORS_ALLOWED_ORIGIN_REGEXES" in message.msg


def test_refused_header_is_logged_under_the_setting_name(
    caplog: pytest.LogCaptureFixture,
) -> None:
    headers = {
        "Origin": "https://app.example.com",
        "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "x-unlisted",
    }
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        response = Client().options("/api/items/", headers=headers)
    assert response.status_code == 403
    [line] = [r.getMessage() for r in caplog.records if "x-unlisted" in r.getMessage()]
    assert "is not in CORS_ALLOW_HEADERS" in line
    assert not CITATION.search(line)
