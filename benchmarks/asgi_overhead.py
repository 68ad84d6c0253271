"""In-process overhead of cors_wsgi.asgi.CORSMiddleware, beside Starlette's CORSMiddleware.

    python3 benchmarks/asgi_overhead.py            # about 20 seconds; --quick for a few

The scenarios, policy and method are those of ``wsgi_overhead.py`` (see benchmarks/README.md):
each middleware wraps the same trivial ASGI app, every request comes from a fresh origin
of a pre-generated pool, and the bare app, measured the same way in the same run, is
subtracted. Allow-lists hold exact origins, the one kind Starlette has (it scans its list;
cors_wsgi looks the origin up). No event loop runs: a middleware that never waits
completes on its first ``send(None)``, so the figures hold no scheduler cost, which would
be the same for both and for the bare app. The sizes of one scenario (1, 100 and 10,000
origins) are measured in the same interleaved repeats, so that their ratio holds.

Targets: at most 0.3 times Starlette's overhead in every scenario, and at most 1.2 times
the one-origin figure at 10,000 origins. Reported, never enforced.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

import _harness
import wsgi_overhead
from starlette.middleware.cors import CORSMiddleware as StarletteCORSMiddleware

from cors_wsgi.asgi import CORSMiddleware

Message = dict[str, Any]
ASGIApp = Callable[..., Any]

BARE = "bare app"
CORS_WSGI = "cors_wsgi"
STARLETTE = "starlette"
FLOOR = "floor"
MAX_STARLETTE_SHARE = 0.3
MAX_SIZE_GROWTH = 1.2
# More repeats than the WSGI benchmark: each batch is short, and twelve workloads share a
# scenario (every size is measured in the same repeats), so the minimum needs more draws
# to stand clear of a shared machine's noise.
FULL = replace(wsgi_overhead.Settings(), repeats=61)
_START: Message = {"type": "http.response.start", "status": 200}
_BODY: Message = {"type": "http.response.body", "body": b"{}"}


async def bare_app(scope: Any, receive: Any, send: Any) -> None:
    """A fixed JSON answer, a fresh header list per call (as frameworks build one)."""
    await send({**_START, "headers": [(b"content-type", b"application/json")]})
    await send(_BODY)


class LookupOnlyMiddleware:
    """The least a middleware with a table of exact origins must do, for reference (not
    CORS): find Origin in the request's headers, look it up in a dict, and add the lines
    found there (or Vary alone) to a copy of the start message, through a plain function
    in place of ``send``. Its growth from 1 to 10,000 origins is that of the memory
    hierarchy, which any such table pays."""

    def __init__(self, app: ASGIApp, entries: Sequence[str]) -> None:
        self.app = app
        self.vary_only = [(b"vary", b"Origin")]
        self.lines = {
            entry.encode(): [(b"access-control-allow-origin", entry.encode()), *self.vary_only]
            for entry in entries
        }

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        origin = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
        lines = self.lines.get(origin, self.vary_only) if origin else self.vary_only

        def send_with_lines(message: Message) -> Any:
            if message["type"] == "http.response.start":
                message = message.copy()
                message["headers"] = [*message.get("headers", ()), *lines]
            return send(message)

        await self.app(scope, receive, send_with_lines)


async def _receive() -> Message:
    return {"type": "http.request", "body": b""}


async def _send(message: Message) -> None:
    return None


def options(entries: Sequence[str]) -> dict[str, Any]:
    return {
        "allow_origins": list(entries),
        "allow_methods": list(wsgi_overhead.ALLOW_METHODS),
        "allow_headers": list(wsgi_overhead.ALLOW_HEADERS),
        "allow_credentials": True,
        "expose_headers": list(wsgi_overhead.EXPOSE_HEADERS),
        "max_age": wsgi_overhead.MAX_AGE,
    }


def base_headers(scenario: wsgi_overhead.Scenario) -> list[tuple[bytes, bytes]]:
    headers = [(b"host", b"api.example.com"), (b"user-agent", b"bench"), (b"accept", b"*/*")]
    if scenario.preflight:
        headers.append((b"access-control-request-method", wsgi_overhead.PREFLIGHT_METHOD.encode()))
        requested = scenario.request_headers or wsgi_overhead.PREFLIGHT_HEADERS
        headers.append((b"access-control-request-headers", requested.encode()))
    return headers


def asgi_workload(
    app: ASGIApp, scenario: wsgi_overhead.Scenario, origins: Sequence[str] | None
) -> _harness.Workload:
    """Serve ``scenario`` to ``app`` ``count`` times, each with a new scope (as servers
    build one per request) and, when given, the next Origin of the pool."""
    headers = base_headers(scenario)
    template: dict[str, Any] = {
        "type": "http",
        "method": scenario.method,
        "path": "/api/items",
        "root_path": "",
    }
    encoded = [origin.encode("latin-1") for origin in origins] if origins else [b""]
    position = 0

    def run(count: int) -> None:
        nonlocal position
        index = position
        for _ in range(count):
            scope = dict(template)
            scope["headers"] = (
                [*headers, (b"origin", encoded[index])] if origins else list(headers)
            )
            index = (index + 1) % len(encoded)
            coroutine = app(scope, _receive, _send)
            try:
                coroutine.send(None)
            except StopIteration:
                pass
            else:  # pragma: no cover - no middleware here waits
                raise RuntimeError("the app waited: this benchmark runs no event loop")
        position = index

    return run


def _pool(
    scenario: wsgi_overhead.Scenario, refused: list[str], pool_size: int
) -> list[str] | None:
    """The Origin values ``scenario`` cycles through (``None``: no Origin header)."""
    if scenario.origin_kind == "none":
        return None
    if scenario.origin_kind == "refused":
        return refused
    return wsgi_overhead.allowed_origins(scenario.list_size, "exact", pool_size)


@dataclass(frozen=True)
class Row:
    scenario: str
    title: str
    list_size: int
    bare_ns: float
    cors_wsgi_ns: float
    starlette_ns: float
    floor_ns: float

    @property
    def ours(self) -> float:
        return self.cors_wsgi_ns - self.bare_ns

    @property
    def theirs(self) -> float:
        return self.starlette_ns - self.bare_ns

    @property
    def floor(self) -> float:
        return self.floor_ns - self.bare_ns


def run(
    settings: wsgi_overhead.Settings, progress: Callable[[str], None] | None = None
) -> tuple[list[Row], float]:
    started = time.perf_counter()
    rows = []
    refused = wsgi_overhead.refused_origins(settings.origin_pool)
    apps: dict[int, dict[str, ASGIApp]] = {}
    for size in settings.sizes:
        entries = wsgi_overhead.allow_list(size, "exact")
        apps[size] = {
            BARE: bare_app,
            CORS_WSGI: CORSMiddleware(bare_app, **options(entries)),
            STARLETTE: StarletteCORSMiddleware(bare_app, **options(entries)),
            FLOOR: LookupOnlyMiddleware(bare_app, entries),
        }
    by_key: dict[str, list[wsgi_overhead.Scenario]] = {}
    for scenario in wsgi_overhead.scenarios(settings.sizes):
        if scenario.key != wsgi_overhead.HUGE_HEADER_KEY:  # the WSGI benchmark's (V18)
            by_key.setdefault(scenario.key, []).append(scenario)
    for sized in by_key.values():
        if progress is not None:
            progress(f"{sized[0].title}, {', '.join(f'{s.list_size:,}' for s in sized)} origins")
        # Every size of a scenario is measured in the same interleaved repeats, so that the
        # growth from 1 to 10,000 origins compares figures taken under the same load.
        workloads = {
            f"{name} @ {scenario.list_size}": asgi_workload(
                app, scenario, _pool(scenario, refused, settings.origin_pool)
            )
            for scenario in sized
            for name, app in apps[scenario.list_size].items()
        }
        timings = _harness.measure_workloads(workloads, settings, settings.clock)
        for scenario in sized:
            figure = {
                name: timings[f"{name} @ {scenario.list_size}"].stat(settings.statistic)
                for name in (BARE, CORS_WSGI, STARLETTE, FLOOR)
            }
            rows.append(
                Row(
                    scenario.key,
                    scenario.title,
                    scenario.list_size,
                    figure[BARE],
                    figure[CORS_WSGI],
                    figure[STARLETTE],
                    figure[FLOOR],
                )
            )
    return rows, time.perf_counter() - started


FLOOR_NOTE = (
    "¹ Floor: a reference middleware that finds Origin, looks it up in a dict of exact "
    "origins and adds the lines found to a copy of the start message, the least a "
    "middleware with a table of origins does. Not a CORS implementation."
)


def render_markdown(rows: Sequence[Row], settings: wsgi_overhead.Settings, seconds: float) -> str:
    first = {row.scenario: row for row in rows if row.list_size == min(settings.sizes)}
    table = []
    for row in rows:
        share = row.ours / row.theirs if row.theirs > 0 else float("inf")
        growth = row.ours / first[row.scenario].ours if row.list_size != 1 else None
        growth_cell = ""
        if growth is not None:
            growth_cell = f"{growth:.2f}x" + (
                f" {'pass' if growth <= MAX_SIZE_GROWTH else 'FAIL'}"
                if row.list_size == max(settings.sizes)
                else ""
            )
        table.append(
            [
                row.title,
                f"{row.list_size:,}",
                _harness.format_ns(row.bare_ns),
                _harness.format_ns(row.floor),
                _harness.format_ns(row.ours),
                _harness.format_ns(row.theirs),
                f"{share:.2f} {'pass' if share <= MAX_STARLETTE_SHARE else 'FAIL'}",
                growth_cell,
            ]
        )
    header = [
        "Scenario",
        "Allowed origins",
        "Bare app (ns)",
        "Floor¹ (ns)",
        "cors_wsgi overhead (ns)",
        "Starlette overhead (ns)",
        f"cors_wsgi ÷ Starlette (≤ {MAX_STARLETTE_SHARE})",
        f"cors_wsgi ÷ same at 1 origin (≤ {MAX_SIZE_GROWTH})",
    ]
    summary = (
        f"{wsgi_overhead.describe_cors_wsgi()}; {_harness.python_description()} on "
        f"{_harness.machine_description()}; exact allow-list; {settings.statistic} of "
        f"{settings.repeats} interleaved repeats; {seconds:.0f} s in all."
    )
    table_text = _harness.markdown_table(header, table, right_aligned=(1, 2, 3, 4, 5))
    return f"{summary}\n\n{table_text}\n\n{FLOOR_NOTE}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _harness.benchmark_parser(__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--json", metavar="PATH", help="also write every figure as JSON")
    arguments: argparse.Namespace = parser.parse_args(argv)
    settings = _harness.settings_from_arguments(arguments, FULL, wsgi_overhead.QUICK)
    rows, seconds = run(settings, lambda step: print(f"  {step}", file=sys.stderr))
    print(render_markdown(rows, settings, seconds))
    if arguments.json:
        import json

        with open(arguments.json, "w", encoding="utf-8") as output:
            json.dump([asdict(row) for row in rows], output, indent=2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
