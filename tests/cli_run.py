"""What the tests of the cors-wsgi command share: running it in process, and the
environment of a child process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cors_wsgi.browser import cli

REPO = Path(__file__).resolve().parent.parent
PAGE = "http://127.0.0.1:3000"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def clean_environ(**changes: str) -> dict[str, str]:
    """This process's environment for a child, without the Django settings module that
    another suite of this session may have set."""
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    environ.update(changes)
    return environ


def run(capsys: pytest.CaptureFixture[str], *arguments: str) -> tuple[int, str, str]:
    status = cli.main(list(arguments))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def cli_subprocess(
    cwd: Path, *arguments: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m cors_wsgi ARGUMENTS`` in a child, importing this checkout and ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "cors_wsgi", *arguments],
        cwd=cwd,
        env=clean_environ(PYTHONPATH=f"{REPO}{os.pathsep}{cwd}"),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
