"""Which engines the real-browser tests run in (``--engines``), apart from the browser
machinery, so that the root conftest can check the option with no browser package
installed (the packaging environment has none)."""

from __future__ import annotations

import os

import pytest

CHROMIUM = "chromium"
FIREFOX = "firefox"
ENGINES = (CHROMIUM, FIREFOX)

ENGINES_OPTION = "--engines"


def selected_engines(config: pytest.Config) -> tuple[str, ...]:
    """The engines ``--engines`` asks for (both by default), in the suite's order."""
    value: str = config.getoption(ENGINES_OPTION)
    return parse_engines(value, in_ci=bool(os.environ.get("CI")))


def parse_engines(value: str, *, in_ci: bool) -> tuple[str, ...]:
    """``"chromium,firefox"`` as the engines to run; raises :class:`pytest.UsageError` for
    an unknown name, or for leaving an engine out in CI (CI tests every engine)."""
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in ENGINES]
    if unknown or not names:
        raise pytest.UsageError(
            f"{ENGINES_OPTION}={value!r}: choose among {', '.join(ENGINES)} "
            f"(comma-separated, e.g. {ENGINES_OPTION}={CHROMIUM})"
        )
    chosen = tuple(engine for engine in ENGINES if engine in names)
    if in_ci and chosen != ENGINES:
        raise pytest.UsageError(
            f"{ENGINES_OPTION}={value!r} leaves out {', '.join(set(ENGINES) - set(chosen))}, "
            "but CI runs the browser suite in every engine: drop the option there"
        )
    return chosen


def skip_unless_selected(config: pytest.Config, engine: str) -> None:
    """Skip, saying so, a test of an engine the developer left out with ``--engines``."""
    if engine not in selected_engines(config):
        pytest.skip(f"{engine} left out by {ENGINES_OPTION}={config.getoption(ENGINES_OPTION)}")


__all__ = [
    "CHROMIUM",
    "ENGINES",
    "ENGINES_OPTION",
    "FIREFOX",
    "parse_engines",
    "selected_engines",
    "skip_unless_selected",
]
