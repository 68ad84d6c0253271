"""cors_wsgi.core.errors: problems, the error that lists them all, and their collector."""

from __future__ import annotations

from cors_wsgi.core.errors import ConfigError, ConfigProblem


def test_config_error_lists_every_problem() -> None:
    error = ConfigError([ConfigProblem("E001", "allow_origins", "x", "write 'https://x'")])
    assert str(error) == (
        "invalid CORS configuration (1 problem):\n  [E001] allow_origins='x': write 'https://x'"
    )
