"""``cors-wsgi demo``: the demo of a checkout (its examples are not in the wheel)."""

from __future__ import annotations

import importlib
import importlib.util
import sys
from pathlib import Path
from typing import IO

import cors_wsgi
from cors_wsgi.browser.cli.output import EXIT_USAGE


def _checkout() -> Path | None:
    """The checkout this package sits in (an editable install or a clone), where the
    demo's examples live, or ``None`` for an installed wheel."""
    checkout = Path(cors_wsgi.__file__).resolve().parent.parent
    return checkout if (checkout / "example_projects" / "demo.py").is_file() else None


def demo_available() -> bool:
    return importlib.util.find_spec("example_projects") is not None or _checkout() is not None


def run_demo(arguments: list[str], err: IO[str]) -> int:
    # The demo's examples (and their page) are not in the wheel: they would land in
    # site-packages as a top-level "example_projects" package. So the demo is a tool of
    # the checkout, and the installed command neither lists it nor pretends to run it.
    try:
        demo = importlib.import_module("example_projects.demo")
    except ModuleNotFoundError:
        checkout = _checkout()
        if checkout is None:
            print(
                "cors-wsgi demo: the demo runs from a checkout of the repository "
                "(scripts/demo there); its examples are not part of the installed package",
                file=err,
            )
            return EXIT_USAGE
        sys.path.insert(0, str(checkout))
        demo = importlib.import_module("example_projects.demo")
    status: int = demo.main(arguments)
    return status
