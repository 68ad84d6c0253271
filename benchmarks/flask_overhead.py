"""Per-request overhead of cors_wsgi.flask and of flask-cors over the same Flask app.

Run from the repository root::

    python3 benchmarks/flask_overhead.py            # full run, a few minutes
    python3 benchmarks/flask_overhead.py --quick    # well under a minute, coarser figures
    python3 benchmarks/flask_overhead.py --json results.json

Flask apps with the same route (``/api/items``, GET/POST/PUT/DELETE, a JSON body) are
measured side by side in one run, interleaved: a bare app, the app with
``cors_wsgi.flask.CORS``, the same app called without cors_wsgi's wrapper, and an app with
``flask_cors.CORS``; both extensions get the same policy with the same flask-cors keywords
(credentials, four methods, two request headers, one exposed header, a max age, an
allow-list of 1, 100 or 10,000 entries). cors_wsgi's overhead is measured against the very
app it wraps, called without the wrapper, so that nothing but cors_wsgi differs: two Flask
app objects, however alike, differ by microseconds per request from their memory layouts
alone, more than cors_wsgi costs. flask-cors lives inside its app's hooks, so its overhead
is measured against the bare app. The scenarios are those of the WSGI
benchmark (``wsgi_overhead.py``, imported from there so they cannot drift): no Origin, a
refused Origin, an allowed simple GET, an allowed and a refused preflight, and a preflight
whose Access-Control-Request-Headers holds 1 MiB of commas. Every CORS request carries a
different Origin from a pool of distinct origins.

Wildcard allow-lists (the default) are ``https://*.tenantN.example.com`` for cors_wsgi. For
flask-cors, which has no wildcard syntax, each entry is the equivalent compiled regex
``re.compile(r"https://[a-z0-9-]+\\.tenantN\\.example\\.com")``: compiled, because with more
than ``re``'s 512 cached patterns a string regex is recompiled on every request, which
would measure ``re.compile`` rather than flask-cors. ``--allow-list exact`` gives both the
same exact origins.

Before timing, each scenario is checked on every app (status and Access-Control-Allow-Origin
as expected), so that no candidate is timed on a path it does not really take.

The bare app answers a preflight the way Flask does (dispatch, automatic OPTIONS response);
cors_wsgi answers it before dispatch, so its preflight "overhead" is negative: that is a
saving, not an error. The targets (issue 4) are shown as pass/FAIL columns: cors_wsgi's
overhead at most a fifth of flask-cors's in every scenario, and flat from 1 to 10,000
origins: the overhead at 10,000 exceeds that at 1 by at most a fifth of the latter (when
positive), or by the noise floor of a Flask request (``--flat-floor-ns``, default
1,000 ns), whichever is larger. Timings are never judged by the test suite (see tests/flask/).
"""

from __future__ import annotations

import importlib
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import _harness
import wsgi_overhead
from _harness import Clock, Environ, Statistic, Timing, Verdict, WSGIApp
from flask import Flask

# Run as a script from a checkout, the repository root is not on sys.path; appended (not
# prepended) so that an installed cors_wsgi, if any, is the one measured.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from cors_wsgi.flask import CORS

__all__ = ["BenchmarkResult", "Row", "Settings", "main", "render_markdown", "run"]

SCENARIO_KINDS = wsgi_overhead.SCENARIO_KINDS
HUGE_HEADER_KEY = wsgi_overhead.HUGE_HEADER_KEY
HUGE_HEADER_TITLE = wsgi_overhead.HUGE_HEADER_TITLE
ALLOW_LIST_SIZES = wsgi_overhead.ALLOW_LIST_SIZES
PATH = "/api/items"

BARE = "bare Flask app"
# The very app CORS_WSGI wraps, called without the wrapper: cors_wsgi's overhead is measured
# against it, so that nothing but the wrapper differs (two Flask app objects, however alike,
# differ by a few microseconds per request from their memory layouts alone).
UNWRAPPED = "same app, unwrapped"
CORS_WSGI = "cors_wsgi.flask"
FLASK_CORS = "flask-cors"

MAX_COMPETITOR_SHARE = 1 / 5
MAX_SIZE_GROWTH = 1.2
DEFAULT_FLAT_FLOOR_NS = 1_000.0


@dataclass(frozen=True)
class Settings:
    """How long and how carefully to measure."""

    repeats: int = 25
    batch_seconds: float = 0.005
    max_batch: int = 5_000
    origin_pool: int = 1 << 14
    statistic: Statistic = "min"
    clock: Clock = _harness.DEFAULT_CLOCK
    allow_list: wsgi_overhead.AllowListKind = "wildcard"
    sizes: tuple[int, ...] = ALLOW_LIST_SIZES
    flat_floor_ns: float = DEFAULT_FLAT_FLOOR_NS
    # The hostile header's size; only the smoke test shrinks it (flask-cors takes seconds).
    huge_header_bytes: int = wsgi_overhead.HUGE_HEADER_BYTES


QUICK = Settings(repeats=7, batch_seconds=0.002, max_batch=2_000, origin_pool=1 << 12)


@dataclass(frozen=True)
class Row:
    """One scenario's figures, in ns per request."""

    scenario: str
    title: str
    list_size: int
    bare_ns: float
    cors_wsgi_ns: float
    flask_cors_ns: float
    cors_wsgi_batch: int
    flask_cors_batch: int

    @property
    def share(self) -> float | None:
        """cors_wsgi's overhead as a share of flask-cors's (negative: cheaper than bare)."""
        return self.cors_wsgi_ns / self.flask_cors_ns if self.flask_cors_ns > 0 else None


BenchmarkResult = _harness.PeerResult[Settings, Row]


def flask_app() -> Flask:
    """The app under test: one JSON route, nothing else."""
    app = Flask("benchmark")

    @app.route(PATH, methods=["GET", "POST", "PUT", "DELETE"])
    def items() -> dict[str, object]:
        return {}

    return app


def extension_options(entries: Sequence[object]) -> dict[str, Any]:
    """The same flask-cors keywords for both extensions."""
    return {
        "origins": list(entries),
        "methods": list(wsgi_overhead.ALLOW_METHODS),
        "allow_headers": list(wsgi_overhead.ALLOW_HEADERS),
        "supports_credentials": True,
        "expose_headers": list(wsgi_overhead.EXPOSE_HEADERS),
        "max_age": wsgi_overhead.MAX_AGE,
    }


def cors_wsgi_apps(size: int, kind: wsgi_overhead.AllowListKind) -> tuple[WSGIApp, WSGIApp]:
    """The app with cors_wsgi, and the same app's WSGI callable as it was before CORS()."""
    app = flask_app()
    unwrapped_wsgi_app = app.wsgi_app
    CORS(app, **extension_options(wsgi_overhead.allow_list(size, kind)))

    def unwrapped(environ: Environ, start_response: Callable[..., Any]) -> Any:
        return unwrapped_wsgi_app(environ, start_response)  # as Flask.__call__ would

    return app, unwrapped


def flask_cors_entries(size: int, kind: wsgi_overhead.AllowListKind) -> list[object]:
    if kind == "exact":
        return list(wsgi_overhead.allow_list(size, kind))
    return [
        re.compile(rf"https://[a-z0-9-]+\.tenant{index}\.example\.com") for index in range(size)
    ]


def flask_cors_app(size: int, kind: wsgi_overhead.AllowListKind) -> WSGIApp:
    """flask-cors is loaded by name: it ships no type information."""
    flask_cors = importlib.import_module("flask_cors")
    app = flask_app()
    flask_cors.CORS(app, **extension_options(flask_cors_entries(size, kind)))
    return app


def check_scenario(
    name: str, app: WSGIApp, scenario: wsgi_overhead.Scenario, environ: Environ
) -> None:
    """Fail loudly if ``app`` does not take the path the scenario is meant to time."""
    status, headers = _harness.status_and_headers(app, environ)
    allow_origin = headers.get("access-control-allow-origin", [])
    origin = environ.get("HTTP_ORIGIN")
    problems: list[str] = []
    if name in (BARE, UNWRAPPED):
        if allow_origin:
            problems.append("the bare app sent Access-Control-Allow-Origin")
    elif scenario.key == HUGE_HEADER_KEY:
        # cors_wsgi refuses the hostile header (V18); flask-cors filters it, whatever it costs.
        if name == CORS_WSGI and not status.startswith("403"):
            problems.append(f"hostile preflight answered {status}")
    elif scenario.origin_kind == "allowed":
        if allow_origin != [origin]:
            problems.append(f"allowed origin not echoed once: {allow_origin!r}")
        if scenario.preflight and not status.startswith("2"):
            problems.append(f"allowed preflight answered {status}")
    elif origin in allow_origin:
        problems.append(f"refused or absent origin got {allow_origin!r}")
    if problems:
        raise RuntimeError(f"{name}, {scenario.title}, {scenario.list_size:,}: {problems}")


def run(settings: Settings, progress: Callable[[str], None] | None = None) -> BenchmarkResult:
    """Measure every scenario, interleaving the bare app and the two extensions."""
    started = time.perf_counter()
    kind = settings.allow_list
    sizes = sorted(set(settings.sizes) | {wsgi_overhead.HUGE_HEADER_LIST_SIZE})
    refused_pool = wsgi_overhead.refused_origins(settings.origin_pool)
    apps: dict[int, dict[str, WSGIApp]] = {}
    pools: dict[tuple[str, int], list[str] | None] = {}
    for size in sizes:
        with_cors_wsgi, unwrapped = cors_wsgi_apps(size, kind)
        apps[size] = {
            BARE: flask_app(),
            UNWRAPPED: unwrapped,
            CORS_WSGI: with_cors_wsgi,
            FLASK_CORS: flask_cors_app(size, kind),
        }
        pools["allowed", size] = wsgi_overhead.allowed_origins(size, kind, settings.origin_pool)
        pools["refused", size] = refused_pool
        pools["none", size] = None

    rows: list[Row] = []
    for listed in wsgi_overhead.scenarios(settings.sizes):
        scenario = listed
        if listed.key == HUGE_HEADER_KEY:
            scenario = replace(listed, request_headers="," * settings.huge_header_bytes)
        if progress is not None:
            progress(f"{scenario.title}, {scenario.list_size:,} origins")
        origins = pools[scenario.origin_kind, scenario.list_size]
        timings = _measure(settings, apps[scenario.list_size], scenario, origins)
        rows.append(_row(scenario, timings, settings.statistic))
    return BenchmarkResult.measured(
        settings, rows, _verdicts(rows, settings), _versions(), started
    )


def _measure(
    settings: Settings,
    candidates: dict[str, WSGIApp],
    scenario: wsgi_overhead.Scenario,
    origins: list[str] | None,
) -> dict[str, Timing]:
    environ = wsgi_overhead.environ_for(scenario)
    environ["PATH_INFO"] = PATH
    return _harness.measure_candidates(
        candidates,
        environ,
        origins,
        lambda name, app, probe: check_scenario(name, app, scenario, probe),
        settings,
        settings.clock,
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("flask", "werkzeug", "flask-cors")}


def _row(
    scenario: wsgi_overhead.Scenario, timings: dict[str, Timing], statistic: Statistic
) -> Row:
    bare = timings[BARE]
    return Row(
        scenario=scenario.key,
        title=scenario.title,
        list_size=scenario.list_size,
        bare_ns=bare.stat(statistic),
        cors_wsgi_ns=_harness.overhead_ns(timings[CORS_WSGI], timings[UNWRAPPED], statistic),
        flask_cors_ns=_harness.overhead_ns(timings[FLASK_CORS], bare, statistic),
        cors_wsgi_batch=timings[CORS_WSGI].count,
        flask_cors_batch=timings[FLASK_CORS].count,
    )


def _verdicts(rows: Sequence[Row], settings: Settings) -> list[Verdict]:
    verdicts = [
        Verdict(
            row.scenario, row.list_size, "share of flask-cors", row.share, MAX_COMPETITOR_SHARE
        )
        for row in rows
    ]
    smallest, largest = min(settings.sizes), max(settings.sizes)
    if largest == smallest:
        return verdicts
    by_key = {(row.scenario, row.list_size): row for row in rows}
    for key, *_ in SCENARIO_KINDS:
        low, high = by_key[key, smallest], by_key[key, largest]
        growth_ns = high.cors_wsgi_ns - low.cors_wsgi_ns
        # A negative overhead (a preflight answered before Flask) leaves only the floor.
        allowed_growth = max(
            max(low.cors_wsgi_ns, 0.0) * (MAX_SIZE_GROWTH - 1), settings.flat_floor_ns
        )
        verdicts.append(
            Verdict(
                key, largest, f"growth from {smallest:,} origin (ns)", growth_ns, allowed_growth
            )
        )
    return verdicts


def render_markdown(result: BenchmarkResult) -> str:
    """The results as Markdown: the set-up, the table, the targets' summary."""
    settings = result.settings
    share = {(v.scenario, v.list_size): v for v in result.verdicts if v.target.startswith("share")}
    growth = {
        (v.scenario, v.list_size): v for v in result.verdicts if v.target.startswith("growth")
    }
    smallest = min(settings.sizes)
    header = [
        "Scenario",
        "Allowed origins",
        "Bare Flask app (ns)",
        "cors_wsgi overhead (ns)",
        "flask-cors overhead (ns)",
        "cors_wsgi ÷ flask-cors (≤ 0.20)",
        f"cors_wsgi growth from {smallest:,} origin (ns, limit)",
    ]
    table_rows: list[list[str]] = []
    for row in result.rows:
        share_verdict = share.get((row.scenario, row.list_size))
        share_cell = ""
        if share_verdict is not None:
            share_cell = (
                "n/a"
                if share_verdict.measured is None
                else f"{share_verdict.measured:.2f} {'pass' if share_verdict.passed else 'FAIL'}"
            )
        growth_verdict = growth.get((row.scenario, row.list_size))
        growth_cell = ""
        if growth_verdict is not None and growth_verdict.measured is not None:
            growth_cell = (
                f"{growth_verdict.measured:+,.0f} (≤ {growth_verdict.limit:,.0f}) "
                f"{'pass' if growth_verdict.passed else 'FAIL'}"
            )
        table_rows.append(
            [
                row.title,
                f"{row.list_size:,}",
                _harness.format_ns(row.bare_ns),
                _harness.format_ns(row.cors_wsgi_ns),
                _harness.format_ns(row.flask_cors_ns),
                share_cell,
                growth_cell,
            ]
        )
    summary = _harness.summary_line(result.verdicts)
    versions = ", ".join(f"{name} {version}" for name, version in result.versions.items())
    setup = (
        f"{result.python} on {result.machine}; {versions}; {settings.allow_list} allow-list; "
        f"{settings.statistic} of {settings.repeats} interleaved repeats, batches of "
        f"~{settings.batch_seconds * 1000:g} ms of {settings.clock} time; "
        f"{result.elapsed_seconds:.0f} s in all. "
        "A negative overhead is a saving: cors_wsgi answers preflights before Flask "
        "dispatches them."
    )
    table = _harness.markdown_table(header, table_rows, right_aligned=range(1, 5))
    return f"{setup}\n\n{table}\n\n{summary}\n"


def _parse_arguments(argv: Sequence[str] | None) -> tuple[Settings, str | None]:
    parser = _harness.benchmark_parser(__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clock", choices=["cpu", "wall"], help="thread CPU time or wall time")
    parser.add_argument("--allow-list", choices=["wildcard", "exact"], help="kind of entries")
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"allow-list sizes (default {ALLOW_LIST_SIZES})"
    )
    parser.add_argument(
        "--flat-floor-ns", type=float, help="growth always tolerated (noise floor), in ns"
    )
    parser.add_argument(
        "--huge-header-bytes", type=int, help="size of the hostile header (default 1 MiB)"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    arguments = parser.parse_args(argv)
    settings = _harness.settings_from_arguments(
        arguments,
        Settings(),
        QUICK,
        clock=arguments.clock,
        allow_list=arguments.allow_list,
        sizes=tuple(arguments.sizes) if arguments.sizes else None,
        flat_floor_ns=arguments.flat_floor_ns,
        huge_header_bytes=arguments.huge_header_bytes,
    )
    return settings, arguments.json


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the Markdown table; exit status 0 whatever the verdicts."""
    settings, json_path = _parse_arguments(argv)
    return _harness.report(lambda progress: run(settings, progress), render_markdown, json_path)


if __name__ == "__main__":
    sys.exit(main())
