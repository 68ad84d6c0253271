"""The configuration references of the docs show, for every option of every adapter, a
wrong value and what it reports (docs/_ext/option_reference.py, run while the site builds).
"""

from __future__ import annotations

import pytest

from docs._ext.option_reference import (
    ASGI_WRONG,
    FLASK_WRONG,
    MIDDLEWARE_WRONG,
    WSGI_WRONG,
    asgi_problems,
    flask_problems,
    missing_options,
    wsgi_problems,
)


def test_every_option_of_every_adapter_has_a_wrong_value_in_the_reference() -> None:
    assert missing_options() == []


@pytest.mark.parametrize("option", [*WSGI_WRONG, *MIDDLEWARE_WRONG])
def test_each_wrong_wsgi_value_is_reported_under_its_keyword(option: str) -> None:
    problems = wsgi_problems(option)
    assert [problem.option for problem in problems] == [option]


@pytest.mark.parametrize("option", list(FLASK_WRONG))
def test_each_wrong_flask_value_is_reported_under_its_option(option: str) -> None:
    problems = flask_problems(option)
    assert [problem.option for problem in problems] == [option]


@pytest.mark.parametrize("option", [*WSGI_WRONG, *MIDDLEWARE_WRONG, *ASGI_WRONG])
def test_each_wrong_asgi_value_is_reported_under_its_keyword(option: str) -> None:
    problems = asgi_problems(option)
    assert [problem.option for problem in problems] == [option]
