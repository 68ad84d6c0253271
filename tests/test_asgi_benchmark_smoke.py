"""benchmarks/asgi_overhead.py runs and reports every scenario (a smoke run, no timing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.benchmark_smoke import MINIMAL, import_benchmark

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("starlette")


def test_quick_run_prints_a_row_per_scenario_and_writes_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asgi_overhead = import_benchmark(monkeypatch, "asgi_overhead")
    json_path = tmp_path / "asgi.json"
    status = asgi_overhead.main([*MINIMAL, "--origin-pool", "64", "--json", str(json_path)])
    out = capsys.readouterr().out
    assert status == 0
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    titles = {line.split(" | ")[0].strip("| ") for line in rows[1:]}
    assert titles == {
        "no Origin",
        "refused Origin",
        "allowed simple GET",
        "allowed preflight",
        "refused preflight",
    }
    assert len(rows) == 1 + 5 * 3
    assert json_path.read_text().startswith("[")
