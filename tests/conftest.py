"""Shared test configuration: hypothesis profiles.

- ``default``: what a developer runs; random examples.
- ``ci``: the same without deadlines (shared, noisy machines) and with a fixed database off.
- ``fuzz``: many examples, for ``tox -e fuzz``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("default", deadline=None)
settings.register_profile(
    "ci",
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile(
    "fuzz", deadline=None, max_examples=20_000, suppress_health_check=list(HealthCheck)
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_addoption(parser: pytest.Parser) -> None:
    # Here, not in tests/browser, so that the option exists however pytest is started.
    parser.addoption(
        "--engines",
        default="chromium,firefox",
        help="browser engines of the real-browser tests, comma-separated (default: "
        "chromium,firefox); leave one out only where it is not installed (refused in CI)",
    )


def pytest_configure(config: pytest.Config) -> None:
    # A wrong --engines is a usage error at start-up, not an error in every browser test.
    from tests.browser.selection import parse_engines

    parse_engines(config.getoption("--engines"), in_ci=bool(os.environ.get("CI")))
