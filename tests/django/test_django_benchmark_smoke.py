"""The Django overhead benchmark still runs and reports every scenario.

Timings are not judged here (see benchmarks/README.md); this keeps the benchmark from
rotting as the middleware evolves, and checks that it runs inside a process where Django
is already configured (it applies its project settings with override_settings).
"""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

if TYPE_CHECKING:
    from types import ModuleType

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
MINIMAL = [
    "--quick",
    "--repeats",
    "1",
    "--batch-seconds",
    "0.00001",
    "--max-batch",
    "2",
    "--origin-pool",
    "64",
    "--sizes",
    "1",
    "100",
]


@pytest.fixture
def django_overhead(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # The peer the benchmark measures against; a development dependency (see tox.ini).
    pytest.importorskip("corsheaders", reason="django-cors-headers is not installed")
    monkeypatch.syspath_prepend(str(BENCHMARKS))
    return importlib.import_module("django_overhead")


def test_quick_run_reports_every_scenario_and_restores_settings(
    django_overhead: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urlconf_before = settings.ROOT_URLCONF
    json_path = tmp_path / "results.json"

    assert django_overhead.main([*MINIMAL, "--json", str(json_path)]) == 0

    results = json.loads(json_path.read_text())
    rows = {(row["scenario"], row["allow_list"], row["list_size"]) for row in results["rows"]}
    kinds = [key for key, *_ in django_overhead.SCENARIO_KINDS]
    assert rows == {
        (kind, allow_list, size)
        for kind in kinds
        for allow_list, size in (("origins", 1), ("origins", 100), ("regexes", 100))
    }
    table = capsys.readouterr().out
    assert "| allowed simple GET | 100 regexes |" in table
    assert urlconf_before == settings.ROOT_URLCONF
