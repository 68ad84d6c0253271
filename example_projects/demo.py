"""Start an example API behind cors_wsgi and the demo page that calls it; print the URLs.

Usage: ``python3 -m example_projects.demo [plain|django|flask|fastapi] [--api-port N] ...``
(``scripts/demo`` installs the package first, then runs this).

Every example is a package under ``example_projects`` exposing
``create_app(page_origin: str) -> WSGIApplication``: its API, configured to allow a page
served from ``page_origin``, answering the route contract documented in
:mod:`example_projects.plain_wsgi.api`.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
from typing import TYPE_CHECKING

from example_projects.journal import RequestJournal
from example_projects.serve import start_example_site

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from _typeshed.wsgi import WSGIApplication

    from example_projects.journal import JournalEntry

__all__ = ["EXAMPLES", "ExampleUnavailableError", "load_example", "main"]

# name -> the package whose create_app(page_origin) builds that example's API.
EXAMPLES: dict[str, str] = {
    "plain": "example_projects.plain_wsgi",
    "django": "example_projects.django_project",
    "flask": "example_projects.flask_app",
    "fastapi": "example_projects.fastapi_app",
}


class ExampleUnavailableError(RuntimeError):
    """The example cannot be served yet: its package or its ``create_app`` is missing."""


def load_example(name: str) -> Callable[[str], WSGIApplication]:
    """The ``create_app`` of the example called ``name``.

    Raises :class:`ExampleUnavailableError`, saying what is missing, when it cannot be loaded.
    """
    module_name = EXAMPLES[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise ExampleUnavailableError(
            f"the {name} example cannot be imported ({error}); for django, flask or fastapi, "
            f"install the extra first: python3 -m pip install -e '.[{name}]'"
        ) from error
    create_app = getattr(module, "create_app", None)
    if not callable(create_app):
        raise ExampleUnavailableError(
            f"{module_name} has no create_app(page_origin) yet, so the demo cannot serve it"
        )
    factory: Callable[[str], WSGIApplication] = create_app
    return factory


def _print_entry(entry: JournalEntry) -> None:
    kind = "preflight" if entry.is_preflight else entry.method
    answer = f"raised {entry.raised} (the server logs it below)" if entry.raised else entry.status
    print(f"  api  {kind:<9} {entry.path} from {entry.origin or '-'} -> {answer}", flush=True)
    for line in entry.cors_log:
        print(f"       cors_wsgi: {line}", flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m example_projects.demo",
        description="Serve an example API behind cors_wsgi and a page on another origin.",
    )
    parser.add_argument("example", nargs="?", default="plain", choices=sorted(EXAMPLES))
    parser.add_argument("--api-port", type=int, default=0, help="default: any free port")
    parser.add_argument("--page-port", type=int, default=0, help="default: any free port")
    parser.add_argument("--unlisted-page-port", type=int, default=0, help="default: any")
    parser.add_argument("--quiet", action="store_true", help="do not print each API request")
    options = parser.parse_args(argv)

    if threading.current_thread() is threading.main_thread():
        # "Press Ctrl+C" must hold even when started as a background job of a shell, which
        # ignores SIGINT and passes that on to its children (so did test runs started so).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        create_app = load_example(options.example)
    except ExampleUnavailableError as error:
        parser.exit(2, f"cannot start the demo: {error}\n")
    journal = RequestJournal(on_entry=None if options.quiet else _print_entry)
    with journal.capturing_cors_log():
        site = start_example_site(
            options.example,
            create_app,
            journal,
            api_port=options.api_port,
            page_port=options.page_port,
            unlisted_page_port=options.unlisted_page_port,
        )
        print(f"cors_wsgi demo: the {options.example} example", flush=True)
        print(f"  API behind cors_wsgi:         {site.api.url}")
        print(f"  open this page:               {site.page.url}")
        print(f"  the same page, unlisted:      {site.unlisted_page.url}  (embedded in the first)")
        print("Press Ctrl+C to stop.", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping")
        finally:
            site.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
