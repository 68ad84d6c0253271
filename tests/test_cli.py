"""The cors-wsgi command itself: python -m cors_wsgi, the missing command, --version, and
the demo of a checkout."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from cors_wsgi.browser import cli
from tests.cli_run import REPO, clean_environ, cli_subprocess

if TYPE_CHECKING:
    pass


def test_python_dash_m_runs_the_command() -> None:
    # A separate interpreter: in-process runpy meets pytest's assertion-rewriting import
    # hook, which claims cors_wsgi's modules on some Python versions.
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(
        [sys.executable, "-m", "cors_wsgi", "check", "--allow-origin", "*"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=root,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert "the configuration: valid" in completed.stdout


def test_missing_command_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main([])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == "0.1.0"


# ---- demo


def test_demo_calls_the_example_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    import example_projects.demo as demo

    calls: list[list[str]] = []

    def fake_main(argv: list[str]) -> int:
        calls.append(argv)
        return 0

    monkeypatch.setattr(demo, "main", fake_main)
    assert cli.main(["demo", "flask", "--quiet"]) == 0
    assert calls == [["flask", "--quiet"]]


def test_demo_outside_a_checkout_says_where_it_lives(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    def no_examples(name: str) -> Any:
        raise ModuleNotFoundError(name)

    monkeypatch.setattr(importlib, "import_module", no_examples)
    import cors_wsgi

    monkeypatch.setattr(cors_wsgi, "__file__", str(tmp_path / "cors_wsgi" / "__init__.py"))
    assert cli.main(["demo"]) == 2
    assert "the demo runs from a checkout of the repository (scripts/demo there)" in (
        capsys.readouterr().err
    )


def test_demo_from_a_checkout_adds_it_to_the_path(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real_import = importlib.import_module
    attempts: list[str] = []

    def first_fails(name: str) -> Any:
        attempts.append(name)
        if len(attempts) == 1:
            raise ModuleNotFoundError(name)
        module = real_import(name)
        monkeypatch.setattr(module, "main", lambda argv: 7)
        return module

    monkeypatch.setattr(importlib, "import_module", first_fails)
    monkeypatch.setattr(sys, "path", list(sys.path))
    assert cli.main(["demo"]) == 7
    assert sys.path[0] == str(REPO)


@pytest.mark.parametrize("example", ["plain", "flask", "django"])
def test_demo_serves_and_the_probe_agrees(tmp_path: Path, example: str) -> None:
    """``python -m cors_wsgi demo EXAMPLE`` starts the example; the probe is allowed from the
    listed page's origin, refused from the unlisted one; Ctrl+C stops it cleanly."""
    with subprocess.Popen(
        [sys.executable, "-m", "cors_wsgi", "demo", example, "--quiet"],
        cwd=tmp_path,
        env=clean_environ(PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            lines: list[str] = []
            for line in process.stdout:
                lines.append(line)
                if "Press Ctrl+C" in line:
                    break
            text = "".join(lines)
            api = re.search(r"API behind cors_wsgi:\s+(\S+)", text)
            page = re.search(r"open this page:\s+(http://[^/\s]+)", text)
            assert api is not None and page is not None, text
            probe = cli_subprocess(
                tmp_path, "probe", f"{api.group(1)}api/items/demo", "--origin", page.group(1)
            )
            assert probe.returncode == 0, probe.stdout + probe.stderr
            unlisted = re.search(r"the same page, unlisted:\s+(http://[^/\s]+)", text)
            assert unlisted is not None, text
            refused = cli_subprocess(
                tmp_path,
                "probe",
                f"{api.group(1)}api/items/demo",
                "--origin",
                unlisted.group(1),
                "--method",
                "PUT",
                "--json",
            )
            assert refused.returncode == 1, refused.stdout + refused.stderr
            assert json.loads(refused.stdout)["verdict"]["failed_step"] == "preflight-allow-origin"
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=30) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
