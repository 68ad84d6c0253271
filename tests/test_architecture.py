"""The house rules of the package layout (issue 12), checked on the source.

- The core (``cors_wsgi/core/``) imports nothing of cors_wsgi outside itself, and no
  framework: the rules never depend on who uses them.
- No adapter defines a header-name constant, the ``"*"`` wildcard, the ``"OPTIONS"`` method
  or a preflight test of its own: each is written once, in the core.
- No adapter reaches into a framework's private header storage.
- Sizes that fit in a head: modules of about 500 lines, classes of 250, functions of 60
  (docstrings, ``__slots__`` and bare annotations aside), in the core and the adapters.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cors_wsgi.asgi import decide_scope
from cors_wsgi.core import Policy, headers, is_preflight
from cors_wsgi.wsgi import decide_environ

PACKAGE = Path(__file__).resolve().parent.parent / "cors_wsgi"
CORE = sorted((PACKAGE / "core").glob("*.py"))
ADAPTERS = sorted(
    [
        PACKAGE / "wsgi.py",
        PACKAGE / "asgi.py",
        *(PACKAGE / "django").glob("*.py"),
        *(PACKAGE / "flask").glob("*.py"),
    ]
)
FRAMEWORKS = ("django", "flask", "werkzeug", "asgiref", "starlette")
# Every header name the core spells (lowercased), and the wildcard.
HEADER_NAMES = frozenset(
    value.lower()
    for name, value in vars(headers).items()
    if name.isupper() and isinstance(value, str)
)
MAX_MODULE_LINES = 550  # "about 500"
MAX_CLASS_LINES = 250
MAX_FUNCTION_LINES = 60


def _relative(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imported_modules(tree: ast.Module) -> Iterator[str]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            if node.module == "cors_wsgi":
                yield from (f"cors_wsgi.{alias.name}" for alias in node.names)
            else:
                yield node.module


@pytest.mark.parametrize("path", CORE, ids=_relative)
def test_the_core_imports_nothing_of_cors_wsgi_outside_the_core(path: Path) -> None:
    outside = [
        module
        for module in _imported_modules(_tree(path))
        if (module == "cors_wsgi" or module.startswith("cors_wsgi."))
        and not module.startswith("cors_wsgi.core")
    ]
    assert outside == []


@pytest.mark.parametrize("path", CORE, ids=_relative)
def test_the_core_imports_no_framework(path: Path) -> None:
    frameworks = [
        module for module in _imported_modules(_tree(path)) if module.split(".")[0] in FRAMEWORKS
    ]
    assert frameworks == []


def _string_constants(tree: ast.Module) -> Iterator[tuple[int, str]]:
    """Every string constant but the items of tuple, list and set literals: those are data
    (the default lists of the migrated packages), not names the code works with."""
    in_tables = {
        id(item)
        for node in ast.walk(tree)
        if isinstance(node, ast.Tuple | ast.List | ast.Set)
        for item in node.elts
    }
    for node in ast.walk(tree):
        if id(node) in in_tables:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str | bytes):
            value = node.value.decode("latin-1") if isinstance(node.value, bytes) else node.value
            yield node.lineno, value


def _docstring_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if (
                body
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                lines.add(body[0].lineno)
    return lines


@pytest.mark.parametrize("path", ADAPTERS, ids=_relative)
def test_no_adapter_spells_a_header_name_the_wildcard_or_options(path: Path) -> None:
    """Header names, '*' and OPTIONS come from the core; an adapter only derives its own
    spelling of them (Django's META keys, ASGI's lowercase bytes) from the core's."""
    tree = _tree(path)
    docstrings = _docstring_lines(tree)
    spelled = [
        (line, value)
        for line, value in _string_constants(tree)
        if line not in docstrings and (value.lower() in HEADER_NAMES or value in ("*", "OPTIONS"))
    ]
    assert spelled == []


@pytest.mark.parametrize("path", ADAPTERS, ids=_relative)
def test_no_adapter_defines_a_preflight_test_of_its_own(path: Path) -> None:
    """Only the core says what a preflight is (is_preflight, R2); an adapter may call it."""
    own = [
        node.name
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.name.lstrip("_") == "is_preflight"
    ]
    assert own == []


@pytest.mark.parametrize("path", ADAPTERS, ids=_relative)
def test_no_adapter_reaches_into_private_header_storage(path: Path) -> None:
    private = [
        node.lineno
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.Attribute) and node.attr in ("_store", "_headers", "_list")
    ]
    assert private == []


def _own_lines(node: ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A definition's lines without its docstring, its __slots__ and bare annotations."""
    size = (node.end_lineno or node.lineno) - node.lineno + 1
    for index, statement in enumerate(node.body):
        is_docstring = (
            index == 0
            and isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        )
        is_table = isinstance(node, ast.ClassDef) and (
            (isinstance(statement, ast.AnnAssign) and statement.value is None)
            or (
                isinstance(statement, ast.Assign)
                and any(
                    isinstance(target, ast.Name) and target.id == "__slots__"
                    for target in statement.targets
                )
            )
        )
        if is_docstring or is_table:
            size -= (statement.end_lineno or statement.lineno) - statement.lineno + 1
    return size


@pytest.mark.parametrize("path", CORE + ADAPTERS, ids=_relative)
def test_modules_classes_and_functions_fit_in_a_head(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    too_big = []
    if source.count("\n") > MAX_MODULE_LINES:
        too_big.append(("module", path.name, source.count("\n")))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            limit = MAX_CLASS_LINES
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            limit = MAX_FUNCTION_LINES
        else:
            continue
        if _own_lines(node) > limit:
            too_big.append((type(node).__name__, node.name, _own_lines(node)))
    assert too_big == []


def test_the_layout_lists_every_core_module() -> None:
    """The three families are visible in the tree: the core's modules are these."""
    assert {path.stem for path in CORE} >= {
        "catalogue",
        "compiled",
        "decision",
        "errors",
        "headers",
        "methods",
        "options",
        "origin_matcher",
        "origin_patterns",
        "paths",
        "policy",
        "vocabulary",
    }
    assert not (PACKAGE / "policy.py").exists()
    assert not (PACKAGE / "headers.py").exists()


_METHODS = st.sampled_from(["OPTIONS", "options", "GET", "PUT"])
_ORIGINS = st.none() | st.sampled_from(["https://app.example.com", "https://evil.example"])


@given(method=_METHODS, origin=_ORIGINS, request_method=st.none() | _METHODS)
def test_every_adapters_decision_calls_a_preflight_what_is_preflight_calls_one(
    method: str, origin: str | None, request_method: str | None
) -> None:
    """The WSGI and ASGI adapters read only what the core needs (R2: preflight headers only
    for OPTIONS); whatever they read, the core's one definition decides."""
    policy = Policy(allow_origins=["https://app.example.com"], allow_methods=["PUT"])
    environ: dict[str, Any] = {"REQUEST_METHOD": method}
    headers: list[tuple[bytes, bytes]] = []
    if origin is not None:
        environ["HTTP_ORIGIN"] = origin
        headers.append((b"origin", origin.encode()))
    if request_method is not None:
        environ["HTTP_ACCESS_CONTROL_REQUEST_METHOD"] = request_method
        headers.append((b"access-control-request-method", request_method.encode()))
    expected = is_preflight(method, origin, request_method)
    assert decide_environ(policy, environ).preflight is expected
    scope = {"type": "http", "method": method, "headers": headers}
    assert decide_scope(policy, scope).preflight is expected
