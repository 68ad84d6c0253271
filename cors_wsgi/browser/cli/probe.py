"""``cors-wsgi probe``: the arguments checked, the probe run, the exchange and verdict printed."""

from __future__ import annotations

import argparse
import json
from typing import IO, TYPE_CHECKING, cast

from cors_wsgi.browser.cli.output import EXIT_ALLOWED, EXIT_BLOCKED, EXIT_USAGE, Style
from cors_wsgi.browser.fetch import parse_header_argument
from cors_wsgi.browser.loading import (
    LoadFailure,
    importing_from_current_directory,
    is_asgi_app,
    load,
)
from cors_wsgi.browser.probe import NetworkError, Probe, ProbeSettings, url_problem
from cors_wsgi.core.errors import ConfigError, ProblemCollector
from cors_wsgi.core.origin_patterns import parse_origin_pattern

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def _origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not something a browser sends in Origin, or ``None``: the core's
    own origin grammar (R36-R39) decides; ``null`` (R40) is allowed, to probe what sandboxed
    pages and redirected requests get."""
    if origin == "null":
        return None
    problems = ProblemCollector()
    pattern = parse_origin_pattern(origin, "--origin", problems)
    if problems.problems:
        return problems.problems[0].message
    if pattern is None or not pattern.is_exact:
        return "give one origin a page can have, not a pattern, e.g. https://app.example.com"
    return None


def _shown_response_header(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("access-control-") or lower in ("vary", "location")


def _print_probe(probe: Probe, out: IO[str], style: Style) -> None:
    for exchange in probe.exchanges:
        label = " (preflight)" if exchange.kind == "preflight" else ""
        print(style.dim(f"> {exchange.method} {exchange.url}{label}"), file=out)
        for name, value in exchange.headers:
            print(style.dim(f">   {name}: {value}"), file=out)
        print(style.dim(f"< {exchange.response.status} {exchange.reason}"), file=out)
        for name, value in exchange.response.headers:
            if _shown_response_header(name):
                print(style.dim(f"<   {name}: {value}"), file=out)
    for verdict in probe.verdicts:
        headline = verdict.summary
        print(style.good(headline) if verdict.allowed else style.bad(headline), file=out)
        for step in verdict.steps:
            mark = style.good("  ok  ") if step.passed else style.bad("  FAIL")
            print(f"{mark} {step.message}", file=out)
        if verdict.console_message is not None:
            print(f"  Chromium's console says: {verdict.console_message}", file=out)
    for line in (line for exchange in probe.exchanges for line in exchange.server_log):
        # Run in process, the application's own log says why it refused, exactly.
        print(f"  the application's log says: {line}", file=out)


def _probed_app(target: str) -> WSGIApplication:
    """The application ``probe --wsgi`` calls in process; raises LoadFailure."""
    try:
        with importing_from_current_directory():
            app = load(target)
    except ConfigError as error:
        raise LoadFailure(
            f"{target} has an invalid CORS configuration ({len(error.errors)} problem(s)); "
            f"see cors-wsgi check --wsgi {target}"
        ) from error
    if is_asgi_app(app):
        raise LoadFailure(
            f"{target} is an ASGI application, and --wsgi calls WSGI applications only: "
            "serve it (e.g. uvicorn) and probe its URL"
        )
    if not callable(app):
        raise LoadFailure(f"{target} is not a WSGI application")
    return cast("WSGIApplication", app)


def _usage_problem(options: argparse.Namespace) -> str | None:
    """What makes the arguments of ``probe`` unusable, worded for stderr, or ``None``."""
    problem = _origin_problem(options.origin)
    if problem is not None:
        return f"--origin {options.origin!r}: {problem}"
    problem = url_problem(options.url)
    if problem is not None:
        return f"{options.url!r} {problem}"
    try:
        for text in options.header:
            parse_header_argument(text)
    except ValueError as error:
        return f"--header {error}"
    if not options.timeout > 0:
        return f"--timeout {options.timeout:g}: give a number of seconds above 0"
    return None


def run_probe(options: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    """``cors-wsgi probe``: 0 when the browser would allow the response, 1 when it would
    block it, 2 for unusable arguments or a network error."""
    problem = _usage_problem(options)
    if problem is not None:
        print(f"cors-wsgi probe: {problem}", file=err)
        return EXIT_USAGE
    if options.cookie and not options.credentials:
        print(
            "cors-wsgi probe: --cookie is ignored without --credentials: a browser sends "
            "cookies cross-origin only with credentials: 'include'",
            file=err,
        )
    try:
        app = _probed_app(options.wsgi) if options.wsgi else None
    except LoadFailure as failure:
        print(f"cors-wsgi probe: {failure}", file=err)
        return EXIT_USAGE
    probe = Probe(
        ProbeSettings(
            url=options.url,
            origin=options.origin,
            method=options.method,
            headers=tuple(options.header),
            credentials=options.credentials,
            cookie=options.cookie,
            data=options.data,
            force_preflight=options.force_preflight,
            timeout=options.timeout,
            insecure=options.insecure,
        ),
        app=app,
    )
    try:
        verdict = probe.run()
    except NetworkError as error:
        if options.json:
            json.dump({"error": str(error)}, out)
            print(file=out)
        print(f"cors-wsgi probe: network error: {error}", file=err)
        return EXIT_USAGE
    if options.json:
        data = {
            "allowed": verdict.allowed,
            "verdict": verdict.as_dict(),
            "hops": [v.as_dict() for v in probe.verdicts],
            "http": [exchange.as_dict() for exchange in probe.exchanges],
        }
        json.dump(data, out, indent=2)
        print(file=out)
    else:
        _print_probe(probe, out, Style(out, options.color))
    return EXIT_ALLOWED if verdict.allowed else EXIT_BLOCKED
