"""cors_wsgi.core.options: validation, apart from compilation and the request path."""

from __future__ import annotations

import dataclasses
import inspect

import pytest

from cors_wsgi import ConfigError
from cors_wsgi.core.options import ValidOptions, validate_options
from cors_wsgi.core.policy import OPTION_NAMES, Policy


def test_option_names_are_policys_keywords_and_validate_options_takes_each() -> None:
    """OPTION_NAMES is derived from Policy's signature; validation takes the same keywords,
    and its normalized form keeps every one, so none can be added in one place only."""
    assert OPTION_NAMES[:2] == ("allow_origins", "allow_origin_regex")
    assert len(OPTION_NAMES) == 13
    assert tuple(inspect.signature(validate_options).parameters) == OPTION_NAMES
    fields = {field.name for field in dataclasses.fields(ValidOptions)}
    assert set(OPTION_NAMES) <= fields


def test_validate_options_gives_the_normalized_frozen_form() -> None:
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(Policy.__init__).parameters.items()
        if name in OPTION_NAMES
    }
    options = validate_options(
        **{**defaults, "allow_origins": ["https://a.example"], "allow_methods": "*"}
    )
    assert options.allow_origins == ("https://a.example",)
    assert options.any_method is True
    assert options.any_origin is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.debug = True  # type: ignore[misc]


def test_validate_options_reports_every_problem_at_once() -> None:
    defaults = {
        name: parameter.default
        for name, parameter in inspect.signature(Policy.__init__).parameters.items()
        if name in OPTION_NAMES
    }
    with pytest.raises(ConfigError) as raised:
        validate_options(**{**defaults, "allow_origins": ["a.example"], "max_age": -1})
    assert [problem.option for problem in raised.value.errors] == ["allow_origins", "max_age"]


def test_an_int_subclass_such_as_httpstatus_is_a_status_and_stored_as_an_int() -> None:
    from http import HTTPStatus

    policy = Policy(preflight_status=HTTPStatus.OK, max_age=HTTPStatus.OK)
    assert type(policy.preflight_status) is int and policy.preflight_status == 200
    assert type(policy.max_age) is int and policy.max_age == 200


@pytest.mark.parametrize(("value", "named"), [(200.0, "float"), (True, "bool"), ("204", "str")])
def test_a_status_of_the_wrong_type_says_so(value: object, named: str) -> None:
    with pytest.raises(ConfigError) as caught:
        Policy(preflight_status=value)  # type: ignore[arg-type]
    assert f"(an int, not {named})" in caught.value.errors[0].message
