"""The WSGI overhead benchmark still runs and reports every scenario.

This does not judge timings (a test suite is no place for them: see benchmarks/README.md);
it only keeps the benchmark from rotting as the middleware's interface evolves.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.benchmark_smoke import MINIMAL, expected_table_rows, import_benchmark, table_rows

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

WSGI_MINIMAL = [*MINIMAL, "--max-batch", "3", "--origin-pool", "256"]


@pytest.fixture
def wsgi_overhead(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return import_benchmark(monkeypatch, "wsgi_overhead")


def test_quick_run_prints_a_row_for_every_scenario(
    wsgi_overhead: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path = tmp_path / "results.json"

    status = wsgi_overhead.main([*WSGI_MINIMAL, "--json", str(json_path)])

    assert status == 0
    expected = {*expected_table_rows(wsgi_overhead), (wsgi_overhead.NON_BROWSER_TITLE, "1")}
    assert table_rows(capsys.readouterr().out) == expected
    results = json.loads(json_path.read_text(encoding="utf-8"))
    assert {(row["title"], f"{row['list_size']:,}") for row in results["rows"]} == expected
    # Every target the issue sets is checked: the ratio to wsgicors on each of the 17 rows,
    # growth with the list size for the 5 scenario kinds, and the 1 MiB header once.
    assert len(results["verdicts"]) == 17 + 5 + 1


def test_profile_mode_reports_every_scenario(
    wsgi_overhead: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    status = wsgi_overhead.main([*WSGI_MINIMAL, "--profile", "--sizes", "1"])

    assert status == 0
    headings = [line for line in capsys.readouterr().out.splitlines() if line.startswith("### ")]
    # Five scenario kinds at one size, plus the non-browser and the 1 MiB preflights.
    assert len(headings) == 5 + 1 + 1
    assert all("allowed origins" in heading for heading in headings)
