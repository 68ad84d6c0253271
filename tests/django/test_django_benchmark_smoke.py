"""The Django overhead benchmark still runs and reports every scenario.

Timings are not judged here (see benchmarks/README.md); this keeps the benchmark from
rotting as the middleware evolves, and checks that it runs inside a process where Django
is already configured (it applies its project settings with override_settings).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from django.conf import settings

from tests.benchmark_smoke import MINIMAL, import_benchmark, table_rows

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

DJANGO_MINIMAL = [*MINIMAL, "--max-batch", "2", "--origin-pool", "64", "--sizes", "1", "100"]


@pytest.fixture
def django_overhead(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    # The peer the benchmark measures against; a development dependency (see tox.ini).
    pytest.importorskip("corsheaders", reason="django-cors-headers is not installed")
    return import_benchmark(monkeypatch, "django_overhead")


def test_quick_run_reports_every_scenario_and_restores_settings(
    django_overhead: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    urlconf_before = settings.ROOT_URLCONF
    json_path = tmp_path / "results.json"

    assert django_overhead.main([*DJANGO_MINIMAL, "--json", str(json_path)]) == 0

    results = json.loads(json_path.read_text())
    rows = {(row["scenario"], row["allow_list"], row["list_size"]) for row in results["rows"]}
    kinds = [key for key, *_ in django_overhead.SCENARIO_KINDS]
    assert rows == {
        (kind, allow_list, size)
        for kind in kinds
        for allow_list, size in (("origins", 1), ("origins", 100), ("regexes", 100))
    }
    assert ("allowed simple GET", "100 regexes") in table_rows(capsys.readouterr().out)
    assert urlconf_before == settings.ROOT_URLCONF
