"""Shared test configuration: hypothesis profiles.

- ``default``: what a developer runs; random examples.
- ``ci``: the same without deadlines (shared, noisy machines) and with a fixed database off.
- ``fuzz``: many examples, for ``tox -e fuzz``.
"""

from __future__ import annotations

import os

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
