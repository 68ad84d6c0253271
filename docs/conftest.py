"""Every example of the documentation runs, under pytest, against the package itself.

What runs how (the conventions of docs/*.md, for whoever writes a page):
- a ```python block runs in the page's namespace, in order (``>>>`` blocks as doctests);
  it starts with ``app``, a bare WSGI application, as the examples assume one;
- a ```python block whose first line is ``# settings.py`` is a Django settings snippet: its
  UPPERCASE names are applied over the test settings (other CORS_* settings removed; a
  ``...`` item of a list stands for the project's other entries and is dropped;
  INSTALLED_APPS must list cors_wsgi.django) and cors_wsgi's system checks must report
  nothing;
- a ```console block runs: each ``$ `` line is a shell command from the repository root
  (``cors-wsgi`` is this checkout's ``python3 -m cors_wsgi``), and what follows is its exact
  output; a block that cannot run here (a live server, an installation) is preceded by a
  ``% illustration: <why>`` comment line, and is then shown but not run;
- ```sh blocks are commands without output, shown only; a fence without a language is
  refused (say ``text``, ``console`` or ``sh``).
"""

from __future__ import annotations

import doctest
import re
import shlex
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sybil import Document, Example, Region, Sybil
from sybil.parsers.myst import (
    ClearNamespaceParser,
    CodeBlockParser,
    PythonCodeBlockParser,
    SkipParser,
)

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_examples"))  # modules the examples name (tenants.cors)

SETTINGS_SNIPPET = "# settings.py"
ILLUSTRATION = re.compile(r"^% illustration: \S.*$")
BARE_FENCE = re.compile(r"^```[ \t]*$")


def _bare_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "application/json")])
    return [b"{}"]


def _setup(namespace: dict[str, Any]) -> None:
    _django()  # the Django examples import views and DRF, which need settings
    namespace["__name__"] = "docs_example"  # Flask(__name__) finds no module: the cwd
    namespace["app"] = _bare_app


def _django() -> None:
    from django.conf import settings

    if not settings.configured:
        from docs._ext.error_reference import configure_django

        configure_django()


def evaluate_settings(example: Example) -> str | None:
    """Apply a settings snippet over the settings in force and run cors_wsgi's checks."""
    _django()
    from django.conf import settings
    from django.test import override_settings

    from cors_wsgi.django.checks import check_settings

    written: dict[str, Any] = {"DEBUG": True}
    exec(compile(example.parsed, str(example.path), "exec"), {}, written)
    values = {
        name: [item for item in value if item is not Ellipsis]
        if isinstance(value, list)
        else value
        for name, value in written.items()
        if name.isupper()
    }
    # Replacing INSTALLED_APPS would reload the app registry for one snippet: check it instead.
    installed = values.pop("INSTALLED_APPS", None)
    if installed is not None and "cors_wsgi.django" not in installed:
        return "the settings snippet's INSTALLED_APPS lacks 'cors_wsgi.django'"
    with override_settings(**values):
        for name in [name for name in dir(settings) if name.startswith("CORS_")]:
            if name not in values:
                delattr(settings, name)
        messages = check_settings()
    if messages:
        return "the settings snippet gets system check messages:\n" + "\n".join(
            f"  {message.id}: {message.msg}" for message in messages
        )
    return None


class PythonAndSettingsParser:
    """Python blocks, with the settings snippets among them evaluated as settings."""

    def __init__(self) -> None:
        self.python = PythonCodeBlockParser(doctest_optionflags=doctest.ELLIPSIS)

    def __call__(self, document: Document) -> Iterable[Region]:
        for region in self.python(document):
            if isinstance(region.parsed, str) and region.parsed.startswith(SETTINGS_SNIPPET):
                region.evaluator = evaluate_settings
            yield region


def _line_before(document: Document, position: int) -> str:
    lines = document.text[:position].rstrip("\n").rsplit("\n", 1)
    return lines[-1]


def evaluate_console(example: Example) -> str | None:
    """Run each ``$ `` command of a console block and compare its output with the block's."""
    if ILLUSTRATION.match(_line_before(example.document, example.region.start)):
        return None
    expected: list[str] = []
    actual: list[str] = []
    for line in str(example.parsed).splitlines():
        if not line.startswith("$ "):
            expected.append(line)
            continue
        expected.append(line)
        actual.append(line)
        command = shlex.split(line[2:], comments=True)
        if command and command[0] == "cors-wsgi":
            command = [sys.executable, "-m", "cors_wsgi", *command[1:]]
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
        actual.extend((run.stdout + run.stderr).splitlines())
    if actual != expected:
        return (
            "the console block's output differs from a run (mark the block with "
            "'% illustration: <why>' if it cannot run here):\n"
            + "\n".join(f"  shown: {line}" for line in expected)
            + "\n"
            + "\n".join(f"  run:   {line}" for line in actual)
        )
    return None


def console_parser() -> CodeBlockParser:
    """The parser of console blocks, run by :func:`evaluate_console`."""
    return CodeBlockParser(language="console", evaluator=evaluate_console)


def refuse_bare_fences(document: Document) -> Iterator[Region]:
    """A fence without a language: say what it is (text, console or sh)."""
    inside = False
    position = 0
    for line in document.text.splitlines(keepends=True):
        if line.startswith("```"):
            if not inside and BARE_FENCE.match(line.rstrip("\n")):
                yield Region(position, position + len(line), None, _bare_fence_failure)
            inside = not inside
        position += len(line)


def _bare_fence_failure(example: Example) -> str:
    return "a code fence without a language: write ```text, ```console or ```sh"


pytest_collect_file = Sybil(
    parsers=[
        PythonAndSettingsParser(),
        console_parser(),
        refuse_bare_fences,
        SkipParser(),
        ClearNamespaceParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*", "_pending/*"],
    path=str(DOCS),
    setup=_setup,
).pytest()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run each page's examples together, in the order the page gives them.

    A page is read top to bottom: later examples use the names earlier ones defined, in a
    namespace that lives while the page's examples run. pytest-randomly shuffles items
    across files; here each page's items are put back together and in document order (the
    pages themselves keep their random order), where the first of them stood.
    """
    pages: dict[str, list[pytest.Item]] = {}
    first = None
    for index, item in enumerate(items):
        example = getattr(item, "example", None)
        if example is not None and str(example.path).startswith(str(DOCS)):
            pages.setdefault(str(example.path), []).append(item)
            first = index if first is None else first
    if first is None:
        return
    grouped = [
        item
        for page in pages.values()
        for item in sorted(page, key=lambda item: item.example.start)  # type: ignore[attr-defined]
    ]
    chosen = set(map(id, grouped))
    rest = [item for item in items if id(item) not in chosen]
    before = sum(1 for item in items[:first] if id(item) not in chosen)
    items[:] = [*rest[:before], *grouped, *rest[before:]]
