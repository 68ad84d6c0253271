"""Every Django check id the package uses is described in CHECKS, and each example there
triggers its own id (the error reference shows the message of that run)."""

from __future__ import annotations

import pytest

from cors_wsgi.django.checks import CHECKS
from docs._ext.error_reference import check_example_messages, used_check_ids


def test_every_check_id_in_the_package_is_in_checks() -> None:
    assert sorted(used_check_ids() - set(CHECKS)) == []
    assert sorted(set(CHECKS) - used_check_ids()) == []


@pytest.mark.parametrize("check_id", sorted(CHECKS))
def test_each_check_example_triggers_its_own_id(check_id: str) -> None:
    messages = check_example_messages(check_id)
    assert messages, f"the example of {check_id} in CHECKS does not trigger it"
    assert all(message.hint for message in messages)
