"""Per-request overhead of cors_wsgi.django's CorsMiddleware and of django-cors-headers's
over the same Django project without either.

Run from the repository root::

    python3 benchmarks/django_overhead.py            # full run, a few minutes
    python3 benchmarks/django_overhead.py --quick    # well under a minute, coarser figures
    python3 benchmarks/django_overhead.py --json results.json

Three Django WSGI handlers serve the same project (one function view at ``/api/items``,
a JSON body) and are measured side by side in one run: without CORS middleware, with
``cors_wsgi.django.CorsMiddleware``, and with ``corsheaders.middleware.CorsMiddleware``.
Both middlewares read the same CORS_* settings, applied with ``override_settings`` for each
allow-list: credentials, four methods, two request headers, one exposed header, a max
age, and either

- 1, 100 or 10,000 exact origins in CORS_ALLOWED_ORIGINS (``https://app.tenantN.example.com``),
  or
- 100 compiled regular expressions in CORS_ALLOWED_ORIGIN_REGEXES
  (``https://[a-z0-9-]+\\.tenantN\\.example\\.com``), with a different allowed origin on
  every request, so that no cache can hide the matcher.

The request scenarios are those of the WSGI benchmark (``wsgi_overhead.py``, imported from
there so they cannot drift): no Origin, a refused Origin, an allowed simple GET, an allowed
and a refused preflight. Before timing, each scenario is checked on every handler (status
and Access-Control-Allow-Origin as expected), so no candidate is timed on a path it does
not really take.

Both middlewares answer preflights before Django resolves the URL and calls the view, so
their preflight "overhead" over the project without CORS is negative: a saving, not an
error. The share column is shown only where django-cors-headers's overhead is positive;
the difference column compares the two directly everywhere.

The targets (issue 3) are shown as pass/FAIL: cors_wsgi's overhead with one origin at most
a fifth of django-cors-headers's, and flat from 1 to 10,000 origins (the overhead at 10,000
exceeds that at 1 by at most a fifth of the latter, or by the noise floor of a Django
request, ``--flat-floor-ns``, default 1,000 ns, whichever is larger). Timings are never
judged by the test suite.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import _harness
import wsgi_overhead
from _harness import Environ, Statistic, Timing, Verdict, WSGIApp

# Run as a script from a checkout, the repository root is not on sys.path; appended (not
# prepended) so that an installed cors_wsgi, if any, is the one measured.
sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import django
from django.conf import settings as django_settings
from django.core.handlers.wsgi import WSGIHandler
from django.http import HttpRequest, HttpResponse
from django.test.utils import override_settings
from django.urls import path

__all__ = ["BenchmarkResult", "Row", "Settings", "main", "render_markdown", "run", "urlpatterns"]

PATH = "/api/items"
SCENARIO_KINDS = wsgi_overhead.SCENARIO_KINDS
ALLOW_LIST_SIZES = wsgi_overhead.ALLOW_LIST_SIZES
REGEX_COUNT = 100

BARE = "Django without CORS"
CORS_WSGI = "cors_wsgi.django"
CORSHEADERS = "django-cors-headers"
MIDDLEWARE = {
    BARE: [],
    CORS_WSGI: ["cors_wsgi.django.CorsMiddleware"],
    CORSHEADERS: ["corsheaders.middleware.CorsMiddleware"],
}

MAX_COMPETITOR_SHARE = 1 / 5
MAX_SIZE_GROWTH = 1.2
DEFAULT_FLAT_FLOOR_NS = 1_000.0

ListKind = Literal["origins", "regexes"]


def items(request: HttpRequest) -> HttpResponse:
    """The project's one view: a small JSON body, whatever the method."""
    return HttpResponse(b"{}", content_type="application/json")


# This module is the project's URLconf (ROOT_URLCONF = __name__).
urlpatterns = [path(PATH.lstrip("/"), items)]


@dataclass(frozen=True)
class Settings:
    """How long and how carefully to measure."""

    repeats: int = 9
    batch_seconds: float = 0.05
    max_batch: int = 5_000
    origin_pool: int = 1 << 14
    statistic: Statistic = "min"
    sizes: tuple[int, ...] = ALLOW_LIST_SIZES
    regexes: bool = True
    flat_floor_ns: float = DEFAULT_FLAT_FLOOR_NS


QUICK = Settings(repeats=3, batch_seconds=0.01, max_batch=2_000, origin_pool=1 << 12)


@dataclass(frozen=True)
class Row:
    """One scenario's figures, in ns per request."""

    scenario: str
    title: str
    allow_list: str
    list_size: int
    bare_ns: float
    cors_wsgi_ns: float
    corsheaders_ns: float
    cors_wsgi_batch: int
    corsheaders_batch: int

    @property
    def share(self) -> float | None:
        """cors_wsgi's overhead as a share of django-cors-headers's, where theirs is > 0."""
        return self.cors_wsgi_ns / self.corsheaders_ns if self.corsheaders_ns > 0 else None


BenchmarkResult = _harness.PeerResult[Settings, Row]


@dataclass(frozen=True)
class AllowList:
    """One allow-list: the CORS_* settings both middlewares read, and origin pools."""

    kind: ListKind
    size: int
    cors_settings: dict[str, Any]
    allowed_pool: list[str]

    @property
    def label(self) -> str:
        return f"{self.size:,} {'regexes' if self.kind == 'regexes' else 'origins'}"


def cors_settings(origins: Sequence[str], regexes: Sequence[re.Pattern[str]]) -> dict[str, Any]:
    """The same CORS_* settings for both middlewares (every one named, none inherited)."""
    return {
        "CORS_ALLOWED_ORIGINS": list(origins),
        "CORS_ALLOWED_ORIGIN_REGEXES": list(regexes),
        "CORS_ALLOW_METHODS": list(wsgi_overhead.ALLOW_METHODS),
        "CORS_ALLOW_HEADERS": list(wsgi_overhead.ALLOW_HEADERS),
        "CORS_ALLOW_CREDENTIALS": True,
        "CORS_EXPOSE_HEADERS": list(wsgi_overhead.EXPOSE_HEADERS),
        "CORS_PREFLIGHT_MAX_AGE": wsgi_overhead.MAX_AGE,
    }


def allow_lists(settings: Settings) -> list[AllowList]:
    found = [
        AllowList(
            "origins",
            size,
            cors_settings(wsgi_overhead.allow_list(size, "exact"), ()),
            wsgi_overhead.allowed_origins(size, "exact", settings.origin_pool),
        )
        for size in settings.sizes
    ]
    if settings.regexes:
        # Compiled: with more than re's 512 cached patterns, django-cors-headers would
        # recompile string patterns on every request, which would measure re.compile.
        regexes = [
            re.compile(rf"https://[a-z0-9-]+\.tenant{index}\.example\.com")
            for index in range(REGEX_COUNT)
        ]
        found.append(
            AllowList(
                "regexes",
                REGEX_COUNT,
                cors_settings((), regexes),
                wsgi_overhead.allowed_origins(REGEX_COUNT, "wildcard", settings.origin_pool),
            )
        )
    return found


@contextmanager
def project_settings() -> Iterator[None]:
    """The project's settings, whether or not Django was configured before (a test run)."""
    project = {
        "DEBUG": False,
        "ALLOWED_HOSTS": ["*"],
        "ROOT_URLCONF": __name__,
        "MIDDLEWARE": [],
        "USE_I18N": False,
    }
    if not django_settings.configured:
        django_settings.configure(
            SECRET_KEY="benchmark-only-not-a-secret",
            INSTALLED_APPS=[],
            DATABASES={},
            USE_TZ=True,
            **project,
        )
        django.setup()
    with override_settings(**project):
        yield


def handlers() -> dict[str, WSGIApp]:
    """One WSGI handler per candidate; each loads its middleware chain when built."""
    built: dict[str, WSGIApp] = {}
    for name, middleware in MIDDLEWARE.items():
        with override_settings(MIDDLEWARE=middleware):
            built[name] = WSGIHandler()
    return built


def check_scenario(
    name: str, app: WSGIApp, scenario: wsgi_overhead.Scenario, environ: Environ
) -> None:
    """Fail loudly if ``app`` does not take the path the scenario is meant to time."""
    status, headers = _harness.status_and_headers(app, environ)
    allow_origin = headers.get("access-control-allow-origin", [])
    origin = environ.get("HTTP_ORIGIN")
    problems: list[str] = []
    if not status.startswith("2") and not (scenario.key == "refused_preflight" and name != BARE):
        problems.append(f"answered {status}")
    if name == BARE:
        if allow_origin:
            problems.append("the project without CORS sent Access-Control-Allow-Origin")
    elif scenario.origin_kind == "allowed":
        if allow_origin != [origin]:
            problems.append(f"allowed origin not echoed once: {allow_origin!r}")
    elif origin in allow_origin:
        problems.append(f"refused or absent origin got {allow_origin!r}")
    if problems:
        raise RuntimeError(f"{name}, {scenario.title}, {scenario.list_size:,}: {problems}")


def run(settings: Settings, progress: Callable[[str], None] | None = None) -> BenchmarkResult:
    """Measure every scenario, interleaving the three handlers."""
    started = time.perf_counter()
    rows: list[Row] = []
    refused_pool = wsgi_overhead.refused_origins(settings.origin_pool)
    with project_settings():
        candidates = handlers()
        for allow_list in allow_lists(settings):
            pools: dict[str, list[str] | None] = {
                "allowed": allow_list.allowed_pool,
                "refused": refused_pool,
                "none": None,
            }
            with override_settings(**allow_list.cors_settings):
                for key, title, method, origin_kind, preflight in SCENARIO_KINDS:
                    scenario = wsgi_overhead.Scenario(
                        key, title, allow_list.size, method, origin_kind, preflight
                    )
                    if progress is not None:
                        progress(f"{title}, {allow_list.label}")
                    timings = _measure(settings, candidates, scenario, pools[origin_kind])
                    rows.append(_row(scenario, allow_list, timings, settings.statistic))
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
    )


def _versions() -> dict[str, str]:
    from importlib.metadata import version

    return {name: version(name) for name in ("django", "django-cors-headers")}


def _row(
    scenario: wsgi_overhead.Scenario,
    allow_list: AllowList,
    timings: dict[str, Timing],
    statistic: Statistic,
) -> Row:
    bare = timings[BARE]
    return Row(
        scenario=scenario.key,
        title=scenario.title,
        allow_list=allow_list.kind,
        list_size=allow_list.size,
        bare_ns=bare.stat(statistic),
        cors_wsgi_ns=_harness.overhead_ns(timings[CORS_WSGI], bare, statistic),
        corsheaders_ns=_harness.overhead_ns(timings[CORSHEADERS], bare, statistic),
        cors_wsgi_batch=timings[CORS_WSGI].count,
        corsheaders_batch=timings[CORSHEADERS].count,
    )


def _verdicts(rows: Sequence[Row], settings: Settings) -> list[Verdict]:
    by_key = {(row.scenario, row.allow_list, row.list_size): row for row in rows}
    smallest, largest = min(settings.sizes), max(settings.sizes)
    verdicts: list[Verdict] = []
    for key, *_ in SCENARIO_KINDS:
        low = by_key[key, "origins", smallest]
        if low.share is not None:
            verdicts.append(
                Verdict(
                    key, smallest, "share of django-cors-headers", low.share, MAX_COMPETITOR_SHARE
                )
            )
        if largest != smallest:
            high = by_key[key, "origins", largest]
            allowed_growth = max(
                abs(low.cors_wsgi_ns) * (MAX_SIZE_GROWTH - 1), settings.flat_floor_ns
            )
            verdicts.append(
                Verdict(
                    key,
                    largest,
                    f"growth from {smallest:,} origin (ns)",
                    high.cors_wsgi_ns - low.cors_wsgi_ns,
                    allowed_growth,
                )
            )
    return verdicts


def render_markdown(result: BenchmarkResult) -> str:
    """The results as Markdown: the set-up, the table, the targets' summary."""
    settings = result.settings
    verdicts = {(v.scenario, v.list_size, v.target.split()[0]): v for v in result.verdicts}
    header = [
        "Scenario",
        "Allow-list",
        "Django without CORS (ns)",
        "cors_wsgi overhead (ns)",
        "django-cors-headers overhead (ns)",
        "cors_wsgi minus django-cors-headers (ns)",
        "cors_wsgi ÷ django-cors-headers",
        "target",
    ]
    table_rows: list[list[str]] = []
    for row in result.rows:
        share = "" if row.share is None else f"{row.share:.2f}"
        targets: list[str] = []
        if row.allow_list == "origins":
            for kind in ("share", "growth"):
                verdict = verdicts.get((row.scenario, row.list_size, kind))
                if verdict is None or verdict.measured is None:
                    continue
                outcome = "pass" if verdict.passed else "FAIL"
                if kind == "share":
                    targets.append(f"≤ {verdict.limit:.2f} {outcome}")
                else:
                    targets.append(
                        f"growth {verdict.measured:+,.0f} ≤ {verdict.limit:,.0f} {outcome}"
                    )
        table_rows.append(
            [
                row.title,
                f"{row.list_size:,} {'regexes' if row.allow_list == 'regexes' else 'origins'}",
                _harness.format_ns(row.bare_ns),
                _harness.format_ns(row.cors_wsgi_ns),
                _harness.format_ns(row.corsheaders_ns),
                _harness.format_ns(row.cors_wsgi_ns - row.corsheaders_ns),
                share,
                "; ".join(targets),
            ]
        )
    summary = _harness.summary_line(result.verdicts)
    versions = ", ".join(f"{name} {version}" for name, version in result.versions.items())
    setup = (
        f"{result.python} on {result.machine}; {versions}; {settings.statistic} of "
        f"{settings.repeats} interleaved repeats, batches of ~{settings.batch_seconds * 1000:g} "
        f"ms; {result.elapsed_seconds:.0f} s in all. A negative overhead is a saving: both "
        "middlewares answer preflights before Django routes them to the view."
    )
    table = _harness.markdown_table(header, table_rows, right_aligned=range(2, 7))
    return f"{setup}\n\n{table}\n\n{summary}\n"


def _parse_arguments(argv: Sequence[str] | None) -> tuple[Settings, str | None]:
    parser = _harness.benchmark_parser(__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--sizes", type=int, nargs="+", help=f"allow-list sizes (default {ALLOW_LIST_SIZES})"
    )
    parser.add_argument(
        "--no-regexes", action="store_true", help=f"skip the {REGEX_COUNT}-regex allow-list"
    )
    parser.add_argument(
        "--flat-floor-ns", type=float, help="growth always tolerated (noise floor), in ns"
    )
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    arguments = parser.parse_args(argv)
    settings = _harness.settings_from_arguments(
        arguments,
        Settings(),
        QUICK,
        sizes=tuple(arguments.sizes) if arguments.sizes else None,
        regexes=False if arguments.no_regexes else None,
        flat_floor_ns=arguments.flat_floor_ns,
    )
    return settings, arguments.json


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the Markdown table; exit status 0 whatever the verdicts."""
    settings, json_path = _parse_arguments(argv)
    return _harness.report(lambda progress: run(settings, progress), render_markdown, json_path)


if __name__ == "__main__":
    sys.exit(main())
