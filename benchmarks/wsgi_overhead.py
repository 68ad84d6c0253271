"""Per-request overhead of cors_wsgi's CORSMiddleware and of wsgicors over a bare WSGI app.

Run from the repository root::

    python3 benchmarks/wsgi_overhead.py            # full run, about 20 seconds
    python3 benchmarks/wsgi_overhead.py --quick    # a few seconds, coarser figures
    python3 benchmarks/wsgi_overhead.py --json results.json
    python3 benchmarks/wsgi_overhead.py --profile  # where cors_wsgi's time goes

Both middlewares wrap the same trivial app and get the same policy: credentials, four
methods, two request headers, one exposed header, a max age, and an allow-list of 1, 100 or
10,000 entries. The app and the middlewares are called directly, in process (no server, no
sockets), with a prepared environ and a no-op ``start_response``; the body is consumed and
closed. Each figure is the middleware's cost per request minus the bare app's, both measured
in the same run, interleaved (see ``_harness.py``).

Every CORS request carries a different Origin, drawn from a pool of distinct pre-generated
origins larger than any cache in the way (wsgicors memoizes its last 200 decisions), so the
figures are those of the origin matcher, not of a cache. By default the allow-list holds
subdomain wildcards (``https://*.tenant7.example.com``), which is what lets even a
one-entry list allow a new origin on every request; ``--allow-list exact`` uses exact
origins instead, which then repeat when the list is short.

Preflights send Access-Control-Request-Headers as Chromium does (lowercased, sorted, joined
by ``,`` without spaces); one more row sends it as a non-browser client might (mixed case,
spaces), which must be parsed.

The targets (issue 10, "The request path") are checked and shown as pass/FAIL columns:
cors_wsgi's overhead is never above wsgicors's in a scenario with an Origin, and at most 1.5
times it without one (wsgicors then sends no Vary, so the Floor column is the real floor);
with 10,000 origins at most 1.2 times its cost with one; and a preflight whose
Access-Control-Request-Headers holds 1 MiB of commas costs no more than an ordinary
(allowed) preflight.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import io
import os
import pstats
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, Literal

import _harness
from _harness import Clock, Environ, Statistic, Timing, WSGIApp

# Run as a script from a checkout, the repository root is not on sys.path; appended (not
# prepended) so that an installed cors_wsgi, if any, is the one measured.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import cors_wsgi
from cors_wsgi import CORSMiddleware

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

# The scenario definitions and request builders below are shared: the Django and Flask
# benchmarks import them so that all three measure the same requests.
__all__ = [
    "ALLOW_HEADERS",
    "ALLOW_LIST_SIZES",
    "ALLOW_METHODS",
    "EXPOSE_HEADERS",
    "HUGE_HEADER_KEY",
    "HUGE_HEADER_LIST_SIZE",
    "HUGE_HEADER_TITLE",
    "MAX_AGE",
    "NON_BROWSER_TITLE",
    "SCENARIO_KINDS",
    "AllowListKind",
    "BenchmarkResult",
    "Scenario",
    "Settings",
    "allow_list",
    "allowed_origins",
    "environ_for",
    "main",
    "prepare",
    "profile",
    "refused_origins",
    "render_markdown",
    "run",
    "scenarios",
]

ALLOW_LIST_SIZES = (1, 100, 10_000)
ALLOW_METHODS = ("GET", "POST", "PUT", "DELETE")
ALLOW_HEADERS = ("content-type", "authorization")
EXPOSE_HEADERS = ("x-total-count",)
MAX_AGE = 600
# What a browser sends before a PUT with a JSON body and a bearer token (R13: sorted, no spaces).
PREFLIGHT_METHOD = "PUT"
PREFLIGHT_HEADERS = "authorization,content-type"
HUGE_HEADER_BYTES = 1 << 20

AllowListKind = Literal["wildcard", "exact"]
OriginKind = Literal["none", "allowed", "refused"]

# (key, title, method, origin kind, preflight); every kind runs once per allow-list size.
SCENARIO_KINDS: tuple[tuple[str, str, str, OriginKind, bool], ...] = (
    ("no_origin", "no Origin", "GET", "none", False),
    ("refused_origin", "refused Origin", "GET", "refused", False),
    ("allowed_get", "allowed simple GET", "GET", "allowed", False),
    ("allowed_preflight", "allowed preflight", "OPTIONS", "allowed", True),
    ("refused_preflight", "refused preflight", "OPTIONS", "refused", True),
)
HUGE_HEADER_KEY = "huge_header_preflight"
HUGE_HEADER_TITLE = "preflight, 1 MiB of commas in Access-Control-Request-Headers"
# The ordinary preflight the 1 MiB one is compared with: allowed, same allow-list size.
HUGE_HEADER_REFERENCE = "allowed_preflight"
HUGE_HEADER_LIST_SIZE = 1
# The same preflight as a non-browser client may send it: parsed, not looked up.
NON_BROWSER_KEY = "non_browser_preflight"
NON_BROWSER_TITLE = "allowed preflight, request headers as non-browser clients send them"
NON_BROWSER_HEADERS = "Content-Type, Authorization"

BARE = "bare app"
CORS_WSGI = "cors_wsgi"
WSGICORS = "wsgicors"
FLOOR = "floor"

# cors_wsgi's overhead over wsgicors's: never more with an Origin; without one, wsgicors
# adds nothing (not even Vary: Origin, which R30 requires), so a margin is allowed.
MAX_COMPETITOR_RATIO = 1.0
MAX_NO_ORIGIN_RATIO = 1.5
MAX_SIZE_GROWTH = 1.2
MAX_HUGE_HEADER_RATIO = 1.0


@dataclass(frozen=True)
class Settings:
    """How long and how carefully to measure."""

    repeats: int = 25
    batch_seconds: float = 0.005
    max_batch: int = 50_000
    origin_pool: int = 1 << 16
    statistic: Statistic = "min"
    clock: Clock = _harness.DEFAULT_CLOCK
    allow_list: AllowListKind = "wildcard"
    sizes: tuple[int, ...] = ALLOW_LIST_SIZES


QUICK = Settings(repeats=7, batch_seconds=0.002, max_batch=20_000, origin_pool=1 << 14)


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    list_size: int
    method: str
    origin_kind: OriginKind
    preflight: bool
    request_headers: str | None = None


@dataclass(frozen=True)
class Row:
    """One scenario's figures, in ns per request."""

    scenario: str
    title: str
    list_size: int
    bare_ns: float
    cors_wsgi_ns: float
    wsgicors_ns: float
    floor_ns: float
    cors_wsgi_batch: int
    wsgicors_batch: int


@dataclass(frozen=True)
class Verdict:
    """One target check on one row: the measured ratio, its limit, pass or fail."""

    scenario: str
    list_size: int
    target: str
    ratio: float | None
    limit: float

    @property
    def passed(self) -> bool:
        return self.ratio is not None and self.ratio <= self.limit


@dataclass(frozen=True)
class BenchmarkResult:
    settings: Settings
    rows: tuple[Row, ...]
    verdicts: tuple[Verdict, ...]
    python: str
    machine: str
    subject: str  # which cors_wsgi was measured
    elapsed_seconds: float

    @property
    def all_passed(self) -> bool:
        return all(verdict.passed for verdict in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return _harness.result_json(
            self.settings,
            {"python": self.python, "cors_wsgi": self.subject, "machine": self.machine},
            self.elapsed_seconds,
            (asdict(row) for row in self.rows),
            self.verdicts,
        )


def scenarios(sizes: Sequence[int], *, non_browser: bool = False) -> list[Scenario]:
    """Every scenario of the run: each kind at each size, then (with ``non_browser``, this
    benchmark's own row) the non-browser preflight, then the 1 MiB preflight."""
    found = [
        Scenario(key, title, size, method, origin_kind, preflight)
        for key, title, method, origin_kind, preflight in SCENARIO_KINDS
        for size in sizes
    ]
    if non_browser:
        found.append(
            Scenario(
                NON_BROWSER_KEY,
                NON_BROWSER_TITLE,
                HUGE_HEADER_LIST_SIZE,
                "OPTIONS",
                "allowed",
                True,
                NON_BROWSER_HEADERS,
            )
        )
    found.append(
        Scenario(
            HUGE_HEADER_KEY,
            HUGE_HEADER_TITLE,
            HUGE_HEADER_LIST_SIZE,
            "OPTIONS",
            "allowed",
            True,
            "," * HUGE_HEADER_BYTES,
        )
    )
    return found


def allow_list(size: int, kind: AllowListKind) -> list[str]:
    """``size`` allow-list entries, one per tenant."""
    if kind == "wildcard":
        return [f"https://*.tenant{index}.example.com" for index in range(size)]
    return [f"https://app.tenant{index}.example.com" for index in range(size)]


def allowed_origins(size: int, kind: AllowListKind, count: int) -> list[str]:
    """``count`` request origins that the list allows, spread over all its entries.

    With wildcard entries every one is distinct; exact entries repeat after ``size``.
    """
    if kind == "wildcard":
        return [f"https://u{serial}.tenant{serial % size}.example.com" for serial in range(count)]
    return [f"https://app.tenant{serial % size}.example.com" for serial in range(count)]


def refused_origins(count: int) -> list[str]:
    """``count`` distinct origins that no list allows (same parent domain as the tenants)."""
    return [f"https://u{serial}.stranger.example.com" for serial in range(count)]


def bare_app(environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The app under the middlewares: a fixed JSON body, a fresh header list per call."""
    start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", "2")])
    return [b"{}"]


def cors_wsgi_app(entries: Sequence[str]) -> WSGIApp:
    app: WSGIApp = CORSMiddleware(
        bare_app,
        allow_origins=list(entries),
        allow_methods=list(ALLOW_METHODS),
        allow_headers=list(ALLOW_HEADERS),
        allow_credentials=True,
        expose_headers=list(EXPOSE_HEADERS),
        max_age=MAX_AGE,
    )
    return app


def wsgicors_app(entries: Sequence[str]) -> WSGIApp:
    """wsgicors configured like :func:`cors_wsgi_app`.

    wsgicors takes one policy as strings: origins space-separated (fnmatch patterns, so
    ``https://*.tenant7.example.com`` means the same subdomain wildcard), methods and
    headers comma-separated, credentials and max age as the header values to send.
    It is loaded by name because it ships no type information.
    """
    wsgicors = importlib.import_module("wsgicors")
    app: WSGIApp = wsgicors.CORS(
        bare_app,
        origin=" ".join(entries),
        methods=", ".join(ALLOW_METHODS),
        headers=", ".join(ALLOW_HEADERS),
        expose_headers=", ".join(EXPOSE_HEADERS),
        credentials="true",
        maxage=str(MAX_AGE),
    )
    return app


class VaryOnlyMiddleware:
    """A reference, not a CORS implementation: the least any CORS middleware pays.

    It reads the Origin, wraps ``start_response`` and adds ``Vary: Origin`` to a copy of the
    app's headers, which every response of an origin-dependent policy needs (R30), even
    without an Origin. Its overhead is the floor under every scenario of the table.
    """

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: Environ, start_response: Callable[..., Any]) -> Iterable[bytes]:
        environ.get("HTTP_ORIGIN")

        def start_varied_response(
            status: str, headers: list[tuple[str, str]], exc_info: object = None
        ) -> Any:
            return start_response(status, [*headers, ("Vary", "Origin")], exc_info)

        return self.app(environ, start_varied_response)


def environ_for(scenario: Scenario) -> Environ:
    headers: dict[str, str] = {}
    if scenario.preflight:
        headers["Access-Control-Request-Method"] = PREFLIGHT_METHOD
        headers["Access-Control-Request-Headers"] = scenario.request_headers or PREFLIGHT_HEADERS
    return _harness.environ_for(scenario.method, headers=headers)


@dataclass(frozen=True)
class Subjects:
    """The apps under test per allow-list size, and the origin pools per scenario kind."""

    apps: dict[int, dict[str, WSGIApp]]
    pools: dict[tuple[OriginKind, int], list[str] | None]

    def workloads(self, scenario: Scenario) -> dict[str, _harness.Workload]:
        """One workload per app (bare, cors_wsgi, wsgicors) serving ``scenario``."""
        environ = environ_for(scenario)
        origins = self.pools[scenario.origin_kind, scenario.list_size]
        return {
            name: _harness.wsgi_workload(app, environ, origins)
            for name, app in self.apps[scenario.list_size].items()
        }


def prepare(settings: Settings) -> Subjects:
    """Build the middlewares (this compiles the allow-lists) and the origin pools."""
    kind = settings.allow_list
    apps: dict[int, dict[str, WSGIApp]] = {}
    pools: dict[tuple[OriginKind, int], list[str] | None] = {}
    refused_pool = refused_origins(settings.origin_pool)
    for size in sorted(set(settings.sizes) | {HUGE_HEADER_LIST_SIZE}):
        entries = allow_list(size, kind)
        apps[size] = {
            BARE: bare_app,
            CORS_WSGI: cors_wsgi_app(entries),
            WSGICORS: wsgicors_app(entries),
            FLOOR: VaryOnlyMiddleware(bare_app),
        }
        pools["allowed", size] = allowed_origins(size, kind, settings.origin_pool)
        pools["refused", size] = refused_pool
        pools["none", size] = None
    return Subjects(apps, pools)


def run(settings: Settings, progress: Callable[[str], None] | None = None) -> BenchmarkResult:
    """Measure every scenario, interleaving the bare app and the two middlewares."""
    started = time.perf_counter()
    subjects = prepare(settings)
    rows: list[Row] = []
    for scenario in scenarios(settings.sizes, non_browser=True):
        if progress is not None:
            progress(f"{scenario.title}, {scenario.list_size:,} origins")
        timings = _harness.measure_workloads(
            subjects.workloads(scenario), settings, settings.clock
        )
        rows.append(_row(scenario, timings, settings.statistic))
    verdicts = _verdicts(rows, settings.sizes)
    return BenchmarkResult(
        settings=settings,
        rows=tuple(rows),
        verdicts=tuple(verdicts),
        python=_harness.python_description(),
        machine=_harness.machine_description(),
        subject=describe_cors_wsgi(),
        elapsed_seconds=time.perf_counter() - started,
    )


def describe_cors_wsgi() -> str:
    """The measured cors_wsgi: its version, and the git commit when it is a checkout."""
    package_dir = os.path.dirname(os.path.abspath(cors_wsgi.__file__))
    description = f"cors_wsgi {cors_wsgi.__version__}"
    try:
        commit = subprocess.run(
            ["git", "-C", package_dir, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", package_dir, "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return description  # an installed copy, or no git
    return f"{description} (git {commit}{', with uncommitted changes' if changes else ''})"


def _row(scenario: Scenario, timings: dict[str, Timing], statistic: Statistic) -> Row:
    bare = timings[BARE]
    return Row(
        scenario=scenario.key,
        title=scenario.title,
        list_size=scenario.list_size,
        bare_ns=bare.stat(statistic),
        cors_wsgi_ns=_harness.overhead_ns(timings[CORS_WSGI], bare, statistic),
        wsgicors_ns=_harness.overhead_ns(timings[WSGICORS], bare, statistic),
        floor_ns=_harness.overhead_ns(timings[FLOOR], bare, statistic),
        cors_wsgi_batch=timings[CORS_WSGI].count,
        wsgicors_batch=timings[WSGICORS].count,
    )


def _ratio(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator > 0 else None


def _verdicts(rows: Sequence[Row], sizes: Sequence[int]) -> list[Verdict]:
    by_key = {(row.scenario, row.list_size): row for row in rows}
    smallest, largest = min(sizes), max(sizes)
    verdicts = [
        Verdict(
            row.scenario,
            row.list_size,
            "share of wsgicors",
            _ratio(row.cors_wsgi_ns, row.wsgicors_ns),
            MAX_NO_ORIGIN_RATIO if row.scenario == "no_origin" else MAX_COMPETITOR_RATIO,
        )
        for row in rows
    ]
    if largest != smallest:
        for key, *_ in SCENARIO_KINDS:
            verdicts.append(
                Verdict(
                    key,
                    largest,
                    f"vs {smallest:,} origin(s)",
                    _ratio(by_key[key, largest].cors_wsgi_ns, by_key[key, smallest].cors_wsgi_ns),
                    MAX_SIZE_GROWTH,
                )
            )
    huge = by_key[HUGE_HEADER_KEY, HUGE_HEADER_LIST_SIZE]
    reference = by_key.get((HUGE_HEADER_REFERENCE, HUGE_HEADER_LIST_SIZE))
    if reference is not None:
        verdicts.append(
            Verdict(
                HUGE_HEADER_KEY,
                HUGE_HEADER_LIST_SIZE,
                "vs ordinary preflight",
                _ratio(huge.cors_wsgi_ns, reference.cors_wsgi_ns),
                MAX_HUGE_HEADER_RATIO,
            )
        )
    return verdicts


FLOOR_NOTE = (
    "¹ Floor: a reference middleware that only wraps `start_response` and adds "
    "`Vary: Origin` to a copy of the headers, the least any CORS middleware with an "
    "origin-dependent policy must do on every response (R30). Not a CORS implementation."
)


def _verdict_cell(verdict: Verdict | None, suffix: str = "") -> str:
    if verdict is None:
        return ""
    if verdict.ratio is None:
        return "n/a"
    return f"{verdict.ratio:.2f}{suffix} {'pass' if verdict.passed else 'FAIL'}"


def render_markdown(result: BenchmarkResult) -> str:
    """The results as Markdown: a line on the set-up, the table, the targets' summary."""
    settings = result.settings
    share = {(v.scenario, v.list_size): v for v in result.verdicts if v.target.startswith("share")}
    growth = {
        (v.scenario, v.list_size): v for v in result.verdicts if not v.target.startswith("share")
    }
    by_key = {(row.scenario, row.list_size): row for row in result.rows}
    smallest = min(settings.sizes)
    header = [
        "Scenario",
        "Allowed origins",
        "Bare app (ns)",
        "Floor¹ (ns)",
        "cors_wsgi overhead (ns)",
        "wsgicors overhead (ns)",
        "cors_wsgi ÷ wsgicors (≤ 1.0; no Origin ≤ 1.5)",
        f"cors_wsgi ÷ same at {smallest:,} origin (≤ 1.2); 1 MiB ÷ ordinary preflight (≤ 1.0)",
    ]
    rows: list[list[str]] = []
    for row in result.rows:
        verdict = growth.get((row.scenario, row.list_size))
        growth_cell = _verdict_cell(verdict, "x")
        if verdict is None and row.list_size != smallest and row.scenario != HUGE_HEADER_KEY:
            # The intermediate sizes: the same ratio, for information, without a verdict.
            base = by_key.get((row.scenario, smallest))
            ratio = _ratio(row.cors_wsgi_ns, base.cors_wsgi_ns) if base else None
            growth_cell = f"{ratio:.2f}x" if ratio is not None else "n/a"
        rows.append(
            [
                row.title,
                f"{row.list_size:,}",
                _harness.format_ns(row.bare_ns),
                _harness.format_ns(row.floor_ns),
                _harness.format_ns(row.cors_wsgi_ns),
                _harness.format_ns(row.wsgicors_ns),
                _verdict_cell(share.get((row.scenario, row.list_size))),
                growth_cell,
            ]
        )
    summary = _harness.summary_line(result.verdicts)
    setup = (
        f"{result.subject}; {result.python} on {result.machine}; "
        f"{settings.allow_list} allow-list; "
        f"{settings.statistic} of {settings.repeats} interleaved repeats, batches of "
        f"~{settings.batch_seconds * 1000:g} ms of {settings.clock} time; "
        f"{result.elapsed_seconds:.0f} s in all."
    )
    table = _harness.markdown_table(header, rows, right_aligned=range(1, 6))
    return f"{setup}\n\n{table}\n\n{FLOOR_NOTE}\n\n{summary}\n"


def profile(settings: Settings, requests: int = 20_000, top: int = 12) -> str:
    """cProfile of cors_wsgi alone in every scenario: the functions that cost the most.

    Profiling inflates every Python call, so read it for where the time goes, not for how
    much there is; the table's figures are the measurements.
    """
    subjects = prepare(settings)
    reports = []
    for scenario in scenarios(settings.sizes, non_browser=True):
        workload = subjects.workloads(scenario)[CORS_WSGI]
        workload(100)  # warm up
        profiler = cProfile.Profile()
        profiler.runcall(workload, min(requests, settings.origin_pool))
        text = io.StringIO()
        stats = pstats.Stats(profiler, stream=text)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)
        lines = [line for line in text.getvalue().splitlines() if line.strip()]
        title = f"### {scenario.title}, {scenario.list_size:,} allowed origins"
        reports.append(title + "\n\n```\n" + "\n".join(lines) + "\n```\n")
    return "\n".join(reports)


def _parse_arguments(argv: Sequence[str] | None) -> tuple[Settings, argparse.Namespace]:
    parser = _harness.benchmark_parser(__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--allow-list", choices=["wildcard", "exact"], help="kind of entries")
    parser.add_argument(
        "--clock",
        choices=["cpu", "wall"],
        help="thread CPU time (the default where its clock is fine-grained) or wall time",
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"allow-list sizes (default {ALLOW_LIST_SIZES})"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of timing, print a cProfile of cors_wsgi in every scenario",
    )
    arguments = parser.parse_args(argv)
    settings = _harness.settings_from_arguments(
        arguments,
        Settings(),
        QUICK,
        allow_list=arguments.allow_list,
        clock=arguments.clock,
        sizes=tuple(arguments.sizes) if arguments.sizes else None,
    )
    if settings.origin_pool <= 200:
        parser.error("--origin-pool must exceed 200, wsgicors's cache size")
    return settings, arguments


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark, print the Markdown table; exit status 0 whatever the verdicts."""
    settings, arguments = _parse_arguments(argv)
    if arguments.profile:
        print(profile(settings))
        return 0
    json_path: str | None = arguments.json
    return _harness.report(lambda progress: run(settings, progress), render_markdown, json_path)


if __name__ == "__main__":
    sys.exit(main())
