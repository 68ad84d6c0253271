"""Every Django check id the package uses is described in CHECKS, and each example there
triggers its own id (the error reference shows the message of that run)."""

from __future__ import annotations

import pytest

from cors_wsgi.django.checks import CHECKS
from docs._ext.error_reference import check_example_messages, used_check_ids
from docs._ext.option_reference import DJANGO_WRONG, django_problems


def test_every_check_id_in_the_package_is_in_checks() -> None:
    assert sorted(used_check_ids() - set(CHECKS)) == []
    assert sorted(set(CHECKS) - used_check_ids()) == []


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_each_check_example_triggers_its_own_id(check_id: str) -> None:
    messages = check_example_messages(check_id)
    assert messages, f"the example of {check_id} in CHECKS does not trigger it"
    assert all(message.hint for message in messages)


@pytest.mark.parametrize("setting", list(DJANGO_WRONG))
def test_each_wrong_setting_in_the_reference_is_reported_by_the_checks(setting: str) -> None:
    reports = django_problems(setting)
    assert len(reports) == 1
    assert f" {setting} = " in reports[0] or f" {setting}[" in reports[0]
