"""Messages in each adapter's words, and the warnings a valid policy carries (issue 11).

Every code the core can report is rendered here for the WSGI keywords, and checked to name
the option as the user wrote it and to cite no rule number of an unshipped document.
Rule numbers (R..) and attack classes (V..) refer to shared/SPEC.md.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import pytest

from cors_wsgi import ConfigError, Policy
from cors_wsgi.browser.cli import main
from cors_wsgi.core import policy as policy_module
from cors_wsgi.core.vocabulary import WSGI_VOCABULARY, Vocabulary

APP = "https://app.example.com"
_CITATION = re.compile(r"\b[RV]\d+\b|§")

# One configuration per code the core reports, and the option it must be reported under.
CASES: list[tuple[str, dict[str, Any], str]] = [
    ("E001", {"allow_origins": ["app.example.com"]}, "allow_origins"),
    ("E002", {"allow_origins": ["https://app.example.com/"]}, "allow_origins"),
    ("E003", {"allow_origins": ["https://user@app.example.com"]}, "allow_origins"),
    ("E004", {"allow_origins": ["https://App.example.com"]}, "allow_origins"),
    ("E005", {"allow_origins": ["https://app.example.com:443"]}, "allow_origins"),
    ("E006", {"allow_origins": [" https://app.example.com"]}, "allow_origins"),
    ("E007", {"allow_origins": ["https://app.example.com:99999"]}, "allow_origins"),
    ("E008", {"allow_origins": ["https://a.example.com,https://b.example.com"]}, "allow_origins"),
    ("E009", {"allow_origins": ["null"]}, "allow_origins"),
    ("E010", {"allow_origins": ["file://"]}, "allow_origins"),
    ("E012", {"allow_origins": "*", "allow_credentials": True}, "allow_origins"),
    (
        "E013",
        {"allow_origins": ["http://app.example.com"], "allow_credentials": True},
        "allow_origins",
    ),
    ("E014", {"allow_origins": ["https://*.github.io"]}, "allow_origins"),
    ("E015", {"allow_origins": [r"https://.*\.example\.com"]}, "allow_origins"),
    ("E016", {"allow_methods": ["TRACE"]}, "allow_methods"),
    ("E017", {"allow_methods": ["GET, POST"]}, "allow_methods"),
    ("E018", {"allow_headers": ["cookie"]}, "allow_headers"),
    ("E019", {"allow_headers": ["x a"]}, "allow_headers"),
    (
        "E020",
        {"allow_origins": [APP], "expose_headers": "*", "allow_credentials": True},
        "expose_headers",
    ),
    ("E021", {"max_age": 10**6}, "max_age"),
    ("E022", {"allow_origin_regex": "(unclosed"}, "allow_origin_regex"),
    ("E023", {"allow_credentials": "yes"}, "allow_credentials"),
    ("E025", {"allow_headers": ["access-control-allow-origin"]}, "allow_headers"),
    ("E026", {"preflight_status": 201}, "preflight_status"),
    ("E029", {"allow_origin_regex": ".*"}, "allow_origin_regex"),
]


def problem_of(keywords: dict[str, Any]) -> Any:
    with pytest.raises(ConfigError) as caught:
        Policy(**keywords)
    return caught.value.errors[0]


@pytest.mark.parametrize(("code", "keywords", "option"), CASES, ids=[c[0] for c in CASES])
def test_every_core_code_is_worded_without_rule_citations(
    code: str, keywords: dict[str, Any], option: str
) -> None:
    problem = problem_of(keywords)
    assert (problem.code, problem.option) == (code, option)
    assert not _CITATION.search(problem.message), problem.message
    assert not _CITATION.search(str(problem))


def test_method_strings_get_the_write_a_list_fix() -> None:
    problem = problem_of({"allow_methods": "GET, POST"})
    assert problem.message == (
        "several names run together; write them as separate items: ['GET', 'POST']"
    )


def test_e012_names_the_credentials_option_as_a_flag() -> None:
    assert problem_of({"allow_origins": "*", "allow_credentials": True}).message.startswith(
        "with allow_credentials=True, browsers reject '*'"
    )


def test_a_vocabulary_renders_names_phrases_and_assignments() -> None:
    vocabulary = Vocabulary(
        "test",
        names={"allow_origins": "CORS_ALLOWED_ORIGINS", "allow_credentials": "CORS_CREDS"},
        phrases={"allow_origins='*'": "CORS_ALLOW_ALL = True"},
        equals=" = ",
    )
    text = "with allow_credentials=True use allow_origins='*' or allow_origins (R36, V1)"
    assert vocabulary.render(text) == (
        "with CORS_CREDS = True use CORS_ALLOW_ALL = True or CORS_ALLOWED_ORIGINS"
    )
    assert WSGI_VOCABULARY.render("x (a public suffix, V11) y (R36-R39).") == (
        "x (a public suffix) y."
    )


def test_w100_star_without_authorization_is_data_on_the_policy() -> None:
    [warning] = Policy(allow_origins=[APP], allow_headers="*").warnings
    assert (warning.code, warning.option) == ("W100", "allow_headers")
    assert "allow_headers=['*', 'authorization']" in warning.message
    assert Policy(allow_origins=[APP], allow_headers=["*", "authorization"]).warnings == ()
    assert Policy(allow_origins=[APP], allow_headers=["x-token"]).warnings == ()


def test_first_star_authorization_refusal_is_a_warning_then_debug(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 11, migrations item 1: the trap says so once, loudly, with the fix."""
    monkeypatch.setattr(policy_module, "_star_refusal_logged", False)
    policy = Policy(allow_origins=[APP], allow_headers="*")
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        for _ in range(3):
            policy.decide("OPTIONS", APP, "GET", "authorization")
    levels = [record.levelno for record in caplog.records]
    assert levels == [logging.WARNING, logging.DEBUG, logging.DEBUG]
    assert "write allow_headers=['*', 'authorization']" in caplog.records[0].getMessage()


def test_logged_reasons_are_worded_in_the_policy_vocabulary(
    caplog: pytest.LogCaptureFixture,
) -> None:
    vocabulary = Vocabulary("test", names={"allow_headers": "CORS_ALLOW_HEADERS"})
    policy = Policy(allow_origins=[APP], allow_headers=["x-token"]).in_words_of(vocabulary)
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        assert not policy.decide("OPTIONS", APP, "GET", "x-other").allowed
    assert "'x-other' is not in CORS_ALLOW_HEADERS" in caplog.records[0].getMessage()
    assert "R21" not in caplog.records[0].getMessage()


def test_logged_reasons_quote_request_values_as_they_came(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # A client may name a header like an option: the log must quote what it sent, and
    # translate only the option the policy names.
    vocabulary = Vocabulary("test", names={"allow_headers": "CORS_ALLOW_HEADERS"})
    policy = Policy(allow_origins=[APP], allow_headers=["x-token"]).in_words_of(vocabulary)
    with caplog.at_level(logging.DEBUG, logger="cors_wsgi"):
        decision = policy.decide("OPTIONS", APP, "GET", "allow_headers")
    assert not decision.allowed
    message = caplog.records[0].getMessage()
    assert "request header 'allow_headers' is not in CORS_ALLOW_HEADERS" in message
    assert decision.reason_in(vocabulary) in message


def test_check_prints_the_w100_warning_in_flag_words(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["check", "--allow-origin", APP, "--allow-header", "*"])
    out = capsys.readouterr().out
    assert status == 0
    assert "[W100] --allow-header = '*': " in out
    assert "write --allow-header '*' --allow-header authorization" in out
    assert "valid, with 1 warning(s)" in out


def test_explain_speaks_the_policy_vocabulary() -> None:
    from cors_wsgi.browser.explain import explain

    vocabulary = Vocabulary("test", names={"allow_headers": "CORS_ALLOW_HEADERS"})
    policy = Policy(allow_origins=[APP], allow_headers=["x-token"]).in_words_of(vocabulary)
    text = str(explain(policy, origin=APP, method="POST", request_headers=["X-Other"]))
    assert "not in CORS_ALLOW_HEADERS" in text
    assert not re.search(r"\(R\d+", text)
