"""The code catalogue: every code the package defines is described, with an example that
raises it (the documentation's error reference is generated from the same table)."""

from __future__ import annotations

import pytest

from cors_wsgi.core.catalogue import CATALOGUE
from docs._ext.error_reference import core_example_problem, defined_codes, missing_entries


def test_every_code_and_check_id_has_its_catalogue_entry() -> None:
    # The message names the file, the table and the line to add, for whoever adds a code.
    assert missing_entries() == []


def test_a_code_without_entry_is_reported_with_what_to_add(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import cors_wsgi.core.errors

    monkeypatch.setattr(cors_wsgi.core.errors.Code, "SOMETHING_NEW", "E999", raising=False)
    assert (
        "cors_wsgi/core/errors.py defines Code.SOMETHING_NEW = 'E999' but CATALOGUE has no entry "
        "for it: add `Code.SOMETHING_NEW: CodeEntry(title, trigger, fix, example)` to "
        "CATALOGUE in cors_wsgi/core/catalogue.py (example: a Policy(...) expression that "
        "raises it)"
    ) in missing_entries()


@pytest.mark.parametrize("code", sorted(defined_codes()))
def test_each_catalogue_example_raises_its_own_code(code: str) -> None:
    problem = core_example_problem(code)
    assert problem.code == code
    assert problem.message


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_catalogue_entries_say_what_triggers_and_what_fixes(code: str) -> None:
    entry = CATALOGUE[code]
    assert entry.title and entry.title[0].isupper() and not entry.title.endswith(".")
    assert entry.trigger.endswith(".")
    assert entry.fix.endswith(".")
