"""The ``cors-wsgi`` command: check a configuration, probe a live URL, run the demo.

- ``cors-wsgi check``: validates a CORS configuration given as flags named after the
  keywords of :class:`~cors_wsgi.CORSMiddleware`, as a Django settings module, or as the
  import path of a WSGI application; prints every problem with its fix; exits 1 when
  there is an error (so it can run in CI).
- ``cors-wsgi probe URL --origin O``: sends what a browser sends (the preflight when one is
  needed, then the actual request), runs the browser's CORS check
  (:mod:`cors_wsgi.browser.fetch`) on the answers and prints the verdict step by step. Exits 0 when
  the browser would let the page read the response, 1 when it would block it, 2 on a
  usage or network error. Works against any server.
- ``cors-wsgi demo``: serves the example API and a page that calls it. Only in a checkout
  of the repository (the examples are not in the wheel): an installed package does not
  list it, and says where it lives when asked for it.

Only the standard library is used; Django is imported only by ``check --django-settings``
(or when ``check --wsgi`` imports a Django project).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from cors_wsgi.browser.cli.arguments import build_parser
from cors_wsgi.browser.cli.check import run_check
from cors_wsgi.browser.cli.demo import run_demo
from cors_wsgi.browser.cli.probe import run_probe

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["demo"]:
        return run_demo(arguments[1:], sys.stderr)
    options = build_parser().parse_args(arguments)
    if options.command == "check":
        return run_check(options, sys.stdout, sys.stderr)
    return run_probe(options, sys.stdout, sys.stderr)
