"""Registers the ``fuzz`` marker, so ``pytest -m fuzz`` selects these tests.

The marker belongs in pyproject.toml's ``markers`` list; until it is there, this keeps
``--strict-markers`` satisfied.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fuzz: property tests over hostile inputs; run big with HYPOTHESIS_PROFILE=fuzz",
    )
