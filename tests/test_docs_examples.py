"""The runner of the documentation's examples (docs/conftest.py) fails where it must: a
settings snippet with a problem, a console block whose output changed, a fence without a
language; and shows, without running, what is marked as an illustration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sybil import Document
from sybil.example import SybilFailure

from docs.conftest import PythonAndSettingsParser, console_parser, refuse_bare_fences

FENCE = "```"


def run_page(tmp_path: Path, text: str) -> None:
    page = tmp_path / "page.md"
    page.write_text(text, encoding="utf-8")
    document = Document.parse(
        str(page), PythonAndSettingsParser(), console_parser(), refuse_bare_fences
    )
    for example in document:
        example.evaluate()


def test_a_settings_snippet_with_a_cors_problem_fails(tmp_path: Path) -> None:
    snippet = (
        f'{FENCE}python\n# settings.py\nCORS_ALLOWED_ORIGINS = ["app.example.com"]\n{FENCE}\n'
    )
    with pytest.raises(SybilFailure, match=r"cors_wsgi\.E001: CORS_ALLOWED_ORIGINS"):
        run_page(tmp_path, snippet)


def test_a_valid_settings_snippet_passes(tmp_path: Path) -> None:
    snippet = f'{FENCE}python\n# settings.py\nCORS_ALLOWED_ORIGINS = ["https://app.example.com"]\n{FENCE}\n'
    run_page(tmp_path, snippet)


def test_a_console_block_whose_output_changed_fails(tmp_path: Path) -> None:
    block = f"{FENCE}console\n$ python3 -c 'print(41 + 1)'\n41\n{FENCE}\n"
    with pytest.raises(SybilFailure, match=r"run:   42"):
        run_page(tmp_path, block)


def test_a_console_block_with_its_real_output_passes(tmp_path: Path) -> None:
    run_page(tmp_path, f"{FENCE}console\n$ python3 -c 'print(41 + 1)'\n42\n{FENCE}\n")


def test_an_illustration_is_shown_but_not_run(tmp_path: Path) -> None:
    block = f"% illustration: a live server\n{FENCE}console\n$ false\nanything\n{FENCE}\n"
    run_page(tmp_path, block)


def test_a_fence_without_a_language_fails(tmp_path: Path) -> None:
    with pytest.raises(SybilFailure, match="without a language"):
        run_page(tmp_path, f"{FENCE}\nsome output\n{FENCE}\n")
