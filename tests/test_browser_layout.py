"""The browser side's shape (issue 12): where its modules live, no shim at the old paths,
and sizes a reader holds in their head."""

from __future__ import annotations

import ast
import importlib
import importlib.util
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "cors_wsgi"
# The browser family: the browser/ package and the pytest plugin at its public path.
BROWSER_FILES = [*sorted((PACKAGE / "browser").rglob("*.py")), PACKAGE / "testing.py"]
MAX_MODULE_LINES = 500
MAX_CLASS_LINES = 250
MAX_FUNCTION_LINES = 60


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> int:
    """Lines of a definition, its docstring aside."""
    assert node.end_lineno is not None
    lines = node.end_lineno - node.lineno + 1
    first = node.body[0]
    if (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        assert first.end_lineno is not None
        lines -= first.end_lineno - first.lineno + 1
    return lines


@pytest.mark.parametrize("path", BROWSER_FILES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_browser_modules_fit_in_a_head(path: Path) -> None:
    source = path.read_text()
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            assert _body_lines(node) <= MAX_CLASS_LINES, node.name
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            assert _body_lines(node) <= MAX_FUNCTION_LINES, node.name


@pytest.mark.parametrize("old", ["fetch", "explain", "probe", "loading", "cli"])
def test_no_shim_is_left_at_the_old_paths(old: str) -> None:
    assert importlib.util.find_spec(f"cors_wsgi.{old}") is None
    assert importlib.util.find_spec(f"cors_wsgi.browser.{old}") is not None


def test_the_public_paths_of_the_browser_side() -> None:
    fetch = importlib.import_module("cors_wsgi.browser.fetch")
    for name in fetch.__all__:
        assert getattr(fetch, name) is not None, name
    cli = importlib.import_module("cors_wsgi.browser.cli")
    assert callable(cli.main)
    from cors_wsgi import Explanation, explain
    from cors_wsgi.browser import explain as explain_module

    assert (explain, Explanation) == (explain_module.explain, explain_module.Explanation)
