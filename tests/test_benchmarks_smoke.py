"""The WSGI overhead benchmark still runs and reports every scenario.

This does not judge timings (a test suite is no place for them: see benchmarks/README.md);
it only keeps the benchmark from rotting as the middleware's interface evolves.
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# The fewest iterations that still exercise every code path: one repeat of tiny batches.
MINIMAL = [
    "--quick",
    "--repeats",
    "1",
    "--batch-seconds",
    "0.00001",
    "--max-batch",
    "3",
    "--origin-pool",
    "256",
]


@pytest.fixture
def wsgi_overhead(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("wsgi_overhead")


def expected_rows(module: ModuleType) -> set[tuple[str, str]]:
    """(scenario title, allow-list size) of every row the issue asks for."""
    rows = {
        (title, f"{size:,}")
        for _key, title, *_rest in module.SCENARIO_KINDS
        for size in (1, 100, 10_000)
    }
    rows.add((module.HUGE_HEADER_TITLE, "1"))
    return rows


def test_quick_run_prints_a_row_for_every_scenario(
    wsgi_overhead: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path = tmp_path / "results.json"

    status = wsgi_overhead.main([*MINIMAL, "--json", str(json_path)])

    assert status == 0
    table_rows = {
        tuple(cell.strip() for cell in line.strip("|").split("|")[:2])
        for line in capsys.readouterr().out.splitlines()
        if line.startswith("| ") and not line.startswith(("| Scenario", "| ---"))
    }
    assert table_rows == expected_rows(wsgi_overhead)
    results = json.loads(json_path.read_text(encoding="utf-8"))
    assert {(row["title"], f"{row['list_size']:,}") for row in results["rows"]} == (
        expected_rows(wsgi_overhead)
    )
    # Every target the issue sets is checked: the share of wsgicors on each of the 16 rows,
    # growth with the list size for the 5 scenario kinds, and the 1 MiB header once.
    assert len(results["verdicts"]) == 16 + 5 + 1


def test_profile_mode_reports_every_scenario(
    wsgi_overhead: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    status = wsgi_overhead.main([*MINIMAL, "--profile", "--sizes", "1"])

    assert status == 0
    headings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("### ")]
    # Five scenario kinds at one size, plus the 1 MiB preflight.
    assert len(headings) == 5 + 1
    assert all("allowed origins" in heading for heading in headings)
