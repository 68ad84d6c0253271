"""The arguments of the ``cors-wsgi`` command and of each of its commands."""

from __future__ import annotations

import argparse

import cors_wsgi
from cors_wsgi.browser.cli.demo import demo_available


def build_parser() -> argparse.ArgumentParser:
    """The parser of ``cors-wsgi`` and its commands (demo only in a checkout)."""
    parser = argparse.ArgumentParser(
        prog="cors-wsgi",
        description="Check CORS configurations and probe live URLs as a browser does"
        + (", or run the demo of this checkout." if demo_available() else "."),
    )
    parser.add_argument("--version", action="version", version=cors_wsgi.__version__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_check_arguments(
        commands.add_parser(
            "check",
            help="validate a CORS configuration and print every problem with its fix",
            description="Validate a CORS configuration: from flags named after "
            "CORSMiddleware's keywords, a Django settings module (--django-settings), or a "
            "WSGI application (--wsgi module:attribute). Exits 1 when there is an error.",
        )
    )
    _add_probe_arguments(
        commands.add_parser(
            "probe",
            help="send what a browser sends to URL and say whether it would allow the response",
            description="Send the preflight (when a browser would) and the actual request to "
            "URL with exactly the CORS headers a browser sends, run the browser's CORS check "
            "on the responses, and print the verdict step by step. Exit status: 0 allowed, "
            "1 blocked, 2 usage or network error.",
        )
    )
    if demo_available():
        commands.add_parser(
            "demo",
            help="serve the example API and a page on another origin that calls it",
            description="Runs the demo of a checkout (python3 -m example_projects.demo); "
            "arguments after 'demo' are passed on (e.g. 'cors-wsgi demo flask --quiet').",
            add_help=False,
        )
    return parser


def _add_check_arguments(check_parser: argparse.ArgumentParser) -> None:
    source = check_parser.add_mutually_exclusive_group()
    source.add_argument("--django-settings", metavar="MODULE", help="e.g. mysite.settings")
    source.add_argument("--wsgi", metavar="MODULE:ATTR", help="e.g. mysite.wsgi:application")
    source.add_argument(
        "--asgi", metavar="MODULE:ATTR", help="e.g. main:app, or main:create_app() for a factory"
    )
    flags = check_parser.add_argument_group("the CORSMiddleware keywords")
    flags.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an allowed origin (repeat it), or '*'",
    )
    flags.add_argument("--allow-origin-regex", action="append", default=[], metavar="REGEX")
    flags.add_argument("--allow-method", action="append", default=[], metavar="METHOD")
    flags.add_argument("--allow-header", action="append", default=[], metavar="HEADER")
    flags.add_argument("--expose-header", action="append", default=[], metavar="HEADER")
    flags.add_argument("--allow-credentials", action="store_true")
    flags.add_argument("--allow-private-network", action="store_true")
    flags.add_argument("--max-age", metavar="SECONDS", help="0-86400, or 'none'")
    flags.add_argument("--preflight-status", metavar="STATUS", help="204 (default) or 200")
    check_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _add_probe_arguments(probe_parser: argparse.ArgumentParser) -> None:
    probe_parser.add_argument("url", metavar="URL")
    probe_parser.add_argument(
        "--wsgi",
        metavar="MODULE:ATTR",
        help="call this WSGI application in process instead of sending URL over the network "
        "(as check --wsgi finds it); its log then says exactly why it refused",
    )
    probe_parser.add_argument("--origin", required=True, help="the page's origin")
    probe_parser.add_argument("--method", default="GET", help="default: GET")
    probe_parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header the script sets (repeat it)",
    )
    probe_parser.add_argument(
        "--credentials", action="store_true", help="fetch(..., {credentials: 'include'})"
    )
    probe_parser.add_argument(
        "--cookie", help="the Cookie the browser would send (with --credentials)"
    )
    probe_parser.add_argument("--data", help="the request body (a string, as fetch() sends it)")
    probe_parser.add_argument(
        "--force-preflight",
        action="store_true",
        help="as with upload listeners: a preflight even for simple requests",
    )
    probe_parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    probe_parser.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates"
    )
    probe_parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    probe_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")
