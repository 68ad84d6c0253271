"""What the benchmarks' smoke tests share: loading a benchmark script, and reading its table.

The smoke tests (tests/test_benchmarks_smoke.py, tests/django/ and tests/flask/) run each
overhead benchmark with the fewest iterations that still take every code path, and check
that it reports every scenario; timings are never judged. Imported as
``tests.benchmark_smoke`` (the repository root is on ``sys.path``; tests/django and
tests/flask must stay without ``__init__.py``).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable
    from types import ModuleType

    import pytest

__all__ = ["BENCHMARKS", "MINIMAL", "expected_table_rows", "import_benchmark", "table_rows"]

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# One repeat of tiny batches: the fewest iterations that still exercise every code path.
# Each test adds its batch and pool sizes (and anything else its script needs).
MINIMAL = ["--quick", "--repeats", "1", "--batch-seconds", "0.00001"]
ALL_SIZES = (1, 100, 10_000)


def import_benchmark(monkeypatch: pytest.MonkeyPatch, name: str) -> ModuleType:
    """The benchmark script ``benchmarks/<name>.py`` as a module, the way it imports its
    neighbours (``_harness``, ``wsgi_overhead``) when run as a script."""
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module(name)


def table_rows(markdown: str) -> set[tuple[str, ...]]:
    """(scenario title, allow-list cell) of every body row of the Markdown tables."""
    return {
        tuple(cell.strip() for cell in line.strip("|").split("|")[:2])
        for line in markdown.splitlines()
        if line.startswith("| ") and not line.startswith(("| Scenario", "| ---"))
    }


def expected_table_rows(
    benchmark: ModuleType, sizes: Iterable[int] = ALL_SIZES
) -> set[tuple[str, ...]]:
    """The rows a benchmark sharing the WSGI scenarios must print: every scenario kind at
    every size, and the 1 MiB preflight at one origin."""
    rows: set[tuple[str, ...]] = {
        (title, f"{size:,}") for _key, title, *_rest in benchmark.SCENARIO_KINDS for size in sizes
    }
    rows.add((benchmark.HUGE_HEADER_TITLE, "1"))
    return rows
