"""The Flask overhead benchmark still runs, checks its candidates and reports every scenario.

Timings are not judged here (a test suite is no place for them); this keeps the benchmark
from rotting as the adapter's interface evolves, and runs its built-in check that every
candidate takes the path each scenario is meant to time.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.benchmark_smoke import MINIMAL, expected_table_rows, import_benchmark, table_rows

if TYPE_CHECKING:
    from pathlib import Path
    from types import ModuleType

# The benchmark compares with flask-cors; tox must install it (see docs/contributing/tests.md).
pytest.importorskip("flask_cors", reason="the benchmark needs flask-cors to compare with")

FLASK_MINIMAL = [
    *MINIMAL,
    "--max-batch",
    "2",
    "--origin-pool",
    "64",
    "--huge-header-bytes",
    "4096",
]


@pytest.fixture
def flask_overhead(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    return import_benchmark(monkeypatch, "flask_overhead")


def test_quick_run_reports_every_scenario_and_target(
    flask_overhead: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    json_path = tmp_path / "results.json"

    assert flask_overhead.main([*FLASK_MINIMAL, "--json", str(json_path)]) == 0

    assert table_rows(capsys.readouterr().out) == expected_table_rows(flask_overhead)
    results = json.loads(json_path.read_text(encoding="utf-8"))
    # A share of flask-cors on each of the 16 rows, and flatness for the 5 scenario kinds.
    assert len(results["verdicts"]) == 16 + 5
    assert set(results["versions"]) == {"flask", "werkzeug", "flask-cors"}


def test_a_candidate_on_the_wrong_path_is_refused(flask_overhead: ModuleType) -> None:
    """The pre-timing check fails loudly rather than timing the wrong code path."""
    scenario = next(
        s for s in flask_overhead.wsgi_overhead.scenarios((1,)) if s.key == "allowed_get"
    )
    environ = flask_overhead.wsgi_overhead.environ_for(scenario)
    environ["PATH_INFO"] = flask_overhead.PATH
    environ["HTTP_ORIGIN"] = "https://u0.tenant0.example.com"
    bare = flask_overhead.flask_app()
    with pytest.raises(RuntimeError, match="allowed origin not echoed"):
        flask_overhead.check_scenario(flask_overhead.CORS_WSGI, bare, scenario, environ)
