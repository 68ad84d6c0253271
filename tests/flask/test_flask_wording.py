"""Every code reported through the Flask extension speaks flask-cors's words (issue 11):
its keyword names, or the CORS_* config keys when the option came from the config."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask

from cors_wsgi import ConfigError
from cors_wsgi.flask import CORS, cross_origin

CORE_ONLY_NAMES = re.compile(
    r"\b(allow_origins|allow_origin_regex|allow_origin_func|allow_methods|"
    r"allow_credentials|preflight_passthrough|allow_origin_func_ttl)\b"
)
CITATION = re.compile(r"\b[RV]\d+\b|§")
FRONTEND = "https://app.example.com"

CASES: list[tuple[str, dict[str, Any], str]] = [
    ("E001", {"origins": "app.example.com"}, "origins"),
    ("E002", {"origins": ["https://app.example.com/"]}, "origins"),
    ("E005", {"origins": ["https://app.example.com:443"]}, "origins"),
    ("E009", {"origins": ["null"]}, "origins"),
    ("E012", {"supports_credentials": True}, "origins"),
    ("E013", {"origins": ["http://app.example.com"], "supports_credentials": True}, "origins"),
    ("E014", {"origins": "https://*.github.io"}, "origins"),
    ("E015", {"origins": r"https://.*\.example\.com"}, "origins"),
    ("E016", {"methods": ["TRACE"]}, "methods"),
    ("E017", {"methods": "GET, POST"}, "methods"),
    ("E018", {"allow_headers": ["cookie"]}, "allow_headers"),
    (
        "E020",
        {"origins": [FRONTEND], "expose_headers": "*", "supports_credentials": True},
        "expose_headers",
    ),
    ("E021", {"max_age": 10**6}, "max_age"),
    ("E023", {"supports_credentials": "yes"}, "supports_credentials"),
    ("E026", {"preflight_status": 201}, "preflight_status"),
    ("E029", {"origins": re.compile(".*")}, "origins"),
    ("E031", {"vary_header": False}, "vary_header"),
    ("E032", {"debug": True}, "debug"),
]


def problems_of(app: Flask, **options: Any) -> list[Any]:
    with pytest.raises(ConfigError) as caught:
        CORS(app, **options)
    return list(caught.value.errors)


@pytest.mark.parametrize(("code", "options", "named"), CASES, ids=[c[0] for c in CASES])
def test_every_code_in_flask_cors_keyword_words(
    code: str, options: dict[str, Any], named: str
) -> None:
    [problem] = problems_of(Flask(__name__), **options)
    assert (problem.code, problem.option) == (code, named)
    assert not CORE_ONLY_NAMES.search(str(problem)), str(problem)
    assert not CITATION.search(str(problem)), str(problem)


@pytest.mark.parametrize(("code", "options", "named"), CASES, ids=[c[0] for c in CASES])
def test_every_code_in_config_key_words(code: str, options: dict[str, Any], named: str) -> None:
    app = Flask(__name__)
    app.config.update({"CORS_" + name.upper(): value for name, value in options.items()})
    [problem] = problems_of(app)
    # An option left at its default keeps its keyword name (E012: origins='*' by default).
    config_key = "CORS_" + named.upper() if named in options else named
    assert (problem.code, problem.option) == (code, config_key)
    assert not CORE_ONLY_NAMES.search(str(problem)), str(problem)
    assert not CITATION.search(str(problem)), str(problem)


def test_e012_reads_as_a_flag_with_credentials() -> None:
    [problem] = problems_of(Flask(__name__), supports_credentials=True)
    assert str(problem).startswith("[E012] origins='*': with supports_credentials=True, ")
    app = Flask(__name__)
    app.config["CORS_SUPPORTS_CREDENTIALS"] = True
    [problem] = problems_of(app)
    assert "with CORS_SUPPORTS_CREDENTIALS=True, " in problem.message


def test_a_regex_string_in_origins_gets_the_re_compile_fix() -> None:
    [problem] = problems_of(Flask(__name__), origins=r"https://.*\.example\.com")
    assert "origins=re.compile(r'https://[a-z0-9-]+\\.example\\.com')" in problem.message


def test_decorator_errors_use_the_same_words() -> None:
    with pytest.raises(ConfigError) as caught:
        cross_origin(methods="GET, POST")
    assert str(caught.value.errors[0]) == (
        "[E017] methods='GET, POST': several names run together; write them as separate "
        "items: ['GET', 'POST']"
    )
