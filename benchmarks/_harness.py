"""Timing helpers shared by the overhead benchmarks in this directory.

The benchmarks run as scripts (``python3 benchmarks/wsgi_overhead.py``), so this directory
is on ``sys.path`` and they import these helpers with ``import _harness``.

How a measurement works, and why:

- A *workload* is a callable ``run(count)`` that serves ``count`` requests in a tight loop.
  :func:`wsgi_workload` builds one for any WSGI callable: it calls the app with a prepared
  environ and a no-op ``start_response``, iterates the body to the end and calls its
  ``close()``, as a server would. It can put a different ``Origin`` on every request, taken
  from a pre-generated pool, so that no cache (ours or a peer's) hides the matcher.
- :func:`calibrate` picks a request count per workload so that one batch lasts about a
  target time; slow workloads (a peer scanning 10,000 patterns) get few requests, fast ones
  many, and the whole run stays short.
- :func:`measure_interleaved` runs every workload once per repeat, rotating their order
  from one repeat to the next, with the garbage collector off during each batch. On a
  noisy shared machine the interference then falls on all candidates alike, and the
  minimum (or median) over many short repeats is a stable figure.
- Batches are timed by default with the thread's CPU clock (``CLOCK_THREAD_CPUTIME_ID``),
  not the wall clock: the benchmark does no I/O, so the two agree on a quiet machine,
  but on a busy one the CPU clock leaves out the time the process spent descheduled while
  others ran. (Cache and memory-bandwidth interference remain: hence the repeats.)
- Overhead is a candidate's figure minus the bare app's figure measured the same way in
  the same run (:func:`overhead_ns`).
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Literal, Protocol, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

__all__ = [
    "DEFAULT_CLOCK",
    "BatchSettings",
    "Clock",
    "Environ",
    "PeerResult",
    "Statistic",
    "Timing",
    "Verdict",
    "WSGIApp",
    "Workload",
    "benchmark_parser",
    "calibrate",
    "environ_for",
    "format_ns",
    "machine_description",
    "markdown_table",
    "measure_candidates",
    "measure_interleaved",
    "measure_workloads",
    "noop_start_response",
    "overhead_ns",
    "python_description",
    "report",
    "result_json",
    "settings_from_arguments",
    "status_and_headers",
    "summary_line",
    "wsgi_workload",
]

Environ = dict[str, Any]
Workload = Callable[[int], None]
Statistic = Literal["min", "median"]
Clock = Literal["cpu", "wall"]

_CLOCKS: dict[Clock, Callable[[], int]] = {
    "cpu": time.thread_time_ns,
    "wall": time.perf_counter_ns,
}
# The thread CPU clock is exact on Linux and macOS but ticks in ~16 ms steps on Windows,
# too coarse for millisecond batches: fall back to the wall clock there.
DEFAULT_CLOCK: Clock = "cpu" if time.get_clock_info("thread_time").resolution <= 1e-6 else "wall"


class WSGIApp(Protocol):
    """Any WSGI callable (PEP 3333)."""

    def __call__(
        self, environ: Environ, start_response: Callable[..., Any], /
    ) -> Iterable[bytes]: ...


def _discard_write(data: bytes) -> None:
    """The ``write()`` callable handed back by :func:`noop_start_response`."""


def noop_start_response(
    status: str, headers: list[tuple[str, str]], exc_info: object = None
) -> Callable[[bytes], None]:
    """A ``start_response`` that records nothing and returns a no-op ``write()``."""
    return _discard_write


def environ_for(
    method: str, path: str = "/api/items", headers: Mapping[str, str] | None = None
) -> Environ:
    """A minimal PEP 3333 environ for a request with no body.

    ``headers`` maps HTTP header names (any case, e.g. ``"Origin"``) to values; they become
    ``HTTP_*`` keys the way WSGI servers name them.
    """
    environ: Environ = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "api.example.com",
        "SERVER_PORT": "443",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "api.example.com",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "https",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _consume(body: Iterable[bytes]) -> None:
    """Iterate a response body to its end and close it, as a server does."""
    for _chunk in body:
        pass
    close = getattr(body, "close", None)
    if close is not None:
        close()


def wsgi_workload(
    app: WSGIApp, environ: Environ, origins: Sequence[str] | None = None
) -> Workload:
    """A workload serving ``environ`` to ``app``, optionally with a fresh Origin each time.

    With ``origins``, request *k* carries ``origins[k % len(origins)]`` as its Origin, and
    the position carries over from one batch to the next, so consecutive batches keep
    drawing new origins. Every request gets a shallow copy of ``environ``, as a server
    builds a new one per request; the loop costs the same for the bare app and for a
    middleware, so it cancels out in the overhead.
    """
    if origins is not None and not origins:
        raise ValueError("origins must not be empty")
    start_response = noop_start_response
    if origins is None:

        def run_same(count: int) -> None:
            for _ in range(count):
                _consume(app(environ.copy(), start_response))

        return run_same

    # Each origin is stored in two halves and joined per request: the joined string is a
    # new object, so its hash is computed afresh, as for a header a server has just parsed.
    halves = [(origin[: len(origin) // 2], origin[len(origin) // 2 :]) for origin in origins]
    pool_size = len(halves)
    position = 0

    def run_with_origins(count: int) -> None:
        nonlocal position
        index = position
        for _ in range(count):
            head, tail = halves[index]
            request_environ = environ.copy()
            request_environ["HTTP_ORIGIN"] = head + tail
            index += 1
            if index == pool_size:
                index = 0
            _consume(app(request_environ, start_response))
        position = index

    return run_with_origins


def _time_batch_ns(workload: Workload, count: int, clock: Clock) -> float:
    """Nanoseconds per request of one batch of ``count`` requests, with the GC off."""
    now = _CLOCKS[clock]
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        started = now()
        workload(count)
        elapsed = now() - started
    finally:
        if gc_was_enabled:
            gc.enable()
    return elapsed / count


def calibrate(
    workload: Workload,
    target_seconds: float,
    max_count: int,
    min_count: int = 1,
    clock: Clock = DEFAULT_CLOCK,
) -> int:
    """A request count that makes one batch of ``workload`` last about ``target_seconds``.

    Doubles a trial batch until it lasts a tenth of the target (or reaches ``max_count``),
    then scales, so that a very slow workload is never run more than a few times here.
    The result is clamped to ``[min_count, max_count]``.
    """
    if min_count < 1 or max_count < min_count:
        raise ValueError("need 1 <= min_count <= max_count")
    workload(1)  # warm up: first-call costs (imports, compiled patterns) are not per request
    target_ns = target_seconds * 1e9
    trial = 1
    while True:
        per_request_ns = _time_batch_ns(workload, trial, clock)
        if per_request_ns * trial >= target_ns / 10 or trial >= max_count:
            break
        trial = min(trial * 2, max_count)
    wanted = int(target_ns / max(per_request_ns, 1.0))
    return max(min_count, min(max_count, wanted))


@dataclass(frozen=True)
class Timing:
    """Per-request figures (ns) of one workload, one sample per repeat."""

    samples_ns: tuple[float, ...]
    count: int  # requests per batch

    @property
    def min_ns(self) -> float:
        return min(self.samples_ns)

    @property
    def median_ns(self) -> float:
        return statistics.median(self.samples_ns)

    def stat(self, which: Statistic) -> float:
        """The minimum or the median of the samples."""
        return self.min_ns if which == "min" else self.median_ns


def measure_interleaved(
    workloads: Mapping[str, Workload],
    counts: Mapping[str, int],
    repeats: int,
    clock: Clock = DEFAULT_CLOCK,
) -> dict[str, Timing]:
    """Time every workload ``repeats`` times, interleaved, rotating the order each repeat.

    ``counts`` gives each workload's batch size (see :func:`calibrate`).
    """
    if repeats < 1:
        raise ValueError("repeats must be at least 1")
    names = list(workloads)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for repeat in range(repeats):
        shift = repeat % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_time_batch_ns(workloads[name], counts[name], clock))
    return {name: Timing(tuple(samples[name]), counts[name]) for name in names}


def overhead_ns(candidate: Timing, baseline: Timing, which: Statistic = "min") -> float:
    """The candidate's per-request cost above the baseline's, by the chosen statistic."""
    return candidate.stat(which) - baseline.stat(which)


def markdown_table(
    header: Sequence[str], rows: Iterable[Sequence[str]], right_aligned: Iterable[int] = ()
) -> str:
    """A GitHub-flavoured Markdown table; columns in ``right_aligned`` (indexes) align right."""
    right = set(right_aligned)
    separator = ["---:" if index in right else "---" for index in range(len(header))]
    lines = ["| " + " | ".join(cells) + " |" for cells in (header, separator, *rows)]
    return "\n".join(lines)


class BatchSettings(Protocol):
    """What a benchmark's settings say about batches (every script's Settings has these)."""

    @property
    def repeats(self) -> int: ...
    @property
    def batch_seconds(self) -> float: ...
    @property
    def max_batch(self) -> int: ...
    @property
    def origin_pool(self) -> int: ...


def measure_workloads(
    workloads: Mapping[str, Workload], settings: BatchSettings, clock: Clock = DEFAULT_CLOCK
) -> dict[str, Timing]:
    """Calibrate every workload, then time them all interleaved (one scenario of a run).

    One batch must not reuse origins (a cache could then answer), so it is capped by the
    origin pool's size as well as by ``max_batch`` and by time.
    """
    largest_batch = min(settings.max_batch, settings.origin_pool)
    counts = {
        name: calibrate(workload, settings.batch_seconds, largest_batch, clock=clock)
        for name, workload in workloads.items()
    }
    return measure_interleaved(workloads, counts, settings.repeats, clock=clock)


def status_and_headers(app: WSGIApp, environ: Environ) -> tuple[str, dict[str, list[str]]]:
    """Serve one request to ``app`` (a copy of ``environ``): its status, and its headers by
    lower-case name, each with every value it was sent with, in order."""
    captured: dict[str, Any] = {}

    def start_response(
        status: str, headers: list[tuple[str, str]], exc_info: object = None
    ) -> Callable[[bytes], None]:
        captured["status"], captured["headers"] = status, headers
        return noop_start_response(status, headers)

    _consume(app(dict(environ), start_response))
    found: dict[str, list[str]] = {}
    for name, value in captured["headers"]:
        found.setdefault(name.lower(), []).append(value)
    return captured["status"], found


def measure_candidates(
    candidates: Mapping[str, WSGIApp],
    environ: Environ,
    origins: Sequence[str] | None,
    check: Callable[[str, WSGIApp, Environ], None],
    settings: BatchSettings,
    clock: Clock = DEFAULT_CLOCK,
) -> dict[str, Timing]:
    """Check that every candidate takes the path meant, then time them all on ``environ``.

    ``check(name, app, probe)`` gets the environ of the first request (with the first of
    ``origins``, if any) and raises if the candidate answers it otherwise than expected, so
    that no candidate is timed on a path it does not really take.
    """
    for name, app in candidates.items():
        probe = dict(environ)
        if origins is not None:
            probe["HTTP_ORIGIN"] = origins[0]
        check(name, app, probe)
    workloads = {name: wsgi_workload(app, environ, origins) for name, app in candidates.items()}
    return measure_workloads(workloads, settings, clock)


class _Verdict(Protocol):
    """What the summary needs of a target check, whatever its measured figure is called."""

    @property
    def scenario(self) -> str: ...
    @property
    def list_size(self) -> int: ...
    @property
    def target(self) -> str: ...
    @property
    def passed(self) -> bool: ...


@dataclass(frozen=True)
class Verdict:
    """One target check on one row: the measured figure, its limit, pass or fail."""

    scenario: str
    list_size: int
    target: str
    measured: float | None
    limit: float

    @property
    def passed(self) -> bool:
        return self.measured is not None and self.measured <= self.limit


def summary_line(verdicts: Sequence[_Verdict]) -> str:
    """The tables' last line: that every target was met, or which checks failed."""
    failed = [v for v in verdicts if not v.passed]
    if not failed:
        return "All targets met."
    return (
        f"{len(failed)} of {len(verdicts)} target checks failed: "
        + "; ".join(f"{v.scenario} at {v.list_size:,} ({v.target})" for v in failed)
        + "."
    )


def python_description() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}"


def machine_description() -> str:
    return f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()}"


def format_ns(value: float) -> str:
    """A figure in ns as the tables show it: whole, with thousands separators."""
    return f"{value:,.0f}"


def result_json(
    settings: DataclassInstance,
    identity: Mapping[str, Any],
    elapsed_seconds: float,
    rows: Iterable[Mapping[str, Any]],
    verdicts: Iterable[DataclassInstance],
) -> dict[str, Any]:
    """A run's results as JSON: settings, ``identity`` (what ran where), rows, verdicts.

    Each verdict is a dataclass with a ``passed`` property, which is added to its fields.
    """
    verdict_list = [{**asdict(v), "passed": getattr(v, "passed")} for v in verdicts]  # noqa: B009
    return {
        "settings": asdict(settings),
        **identity,
        "elapsed_seconds": round(elapsed_seconds, 1),
        "rows": list(rows),
        "verdicts": verdict_list,
        "all_passed": all(verdict["passed"] for verdict in verdict_list),
    }


class _PeerRow(Protocol):
    """A row of a comparison with one peer: a dataclass with the share of the peer's cost."""

    __dataclass_fields__: ClassVar[dict[str, Any]]

    @property
    def share(self) -> float | None: ...


SettingsT = TypeVar("SettingsT", bound="DataclassInstance")
RowT = TypeVar("RowT", bound=_PeerRow)


@dataclass(frozen=True)
class PeerResult(Generic[SettingsT, RowT]):
    """The results of a framework benchmark (cors_wsgi's adapter against one peer)."""

    settings: SettingsT
    rows: tuple[RowT, ...]
    verdicts: tuple[Verdict, ...]
    python: str
    machine: str
    versions: dict[str, str]
    elapsed_seconds: float

    @classmethod
    def measured(
        cls,
        settings: SettingsT,
        rows: Iterable[RowT],
        verdicts: Iterable[Verdict],
        versions: dict[str, str],
        started: float,
    ) -> PeerResult[SettingsT, RowT]:
        """The results of a run that began at ``started`` (``time.perf_counter()``), on
        this Python and this machine."""
        return cls(
            settings=settings,
            rows=tuple(rows),
            verdicts=tuple(verdicts),
            python=python_description(),
            machine=machine_description(),
            versions=versions,
            elapsed_seconds=time.perf_counter() - started,
        )

    @property
    def all_passed(self) -> bool:
        return all(verdict.passed for verdict in self.verdicts)

    def to_json(self) -> dict[str, Any]:
        return result_json(
            self.settings,
            {"python": self.python, "machine": self.machine, "versions": self.versions},
            self.elapsed_seconds,
            ({**asdict(row), "share": row.share} for row in self.rows),
            self.verdicts,
        )


def benchmark_parser(description: str | None) -> argparse.ArgumentParser:
    """A parser with the options every overhead benchmark takes; each adds its own."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help="fewer, shorter repeats")
    parser.add_argument("--repeats", type=int, help="interleaved repeats per scenario")
    parser.add_argument("--batch-seconds", type=float, help="target duration of one batch")
    parser.add_argument("--max-batch", type=int, help="most requests in one batch")
    parser.add_argument("--origin-pool", type=int, help="distinct origins per allow-list")
    parser.add_argument("--statistic", choices=["min", "median"], help="over the repeats")
    return parser


_SettingsT = TypeVar("_SettingsT", bound="DataclassInstance")


def settings_from_arguments(
    arguments: argparse.Namespace, full: _SettingsT, quick: _SettingsT, **overrides: Any
) -> _SettingsT:
    """``quick`` or ``full`` settings, with every option given on the command line.

    The options of :func:`benchmark_parser` are read from ``arguments``; ``overrides`` holds
    the script's own (``None``: not given).
    """
    given = {
        "repeats": arguments.repeats,
        "batch_seconds": arguments.batch_seconds,
        "max_batch": arguments.max_batch,
        "origin_pool": arguments.origin_pool,
        "statistic": arguments.statistic,
        **overrides,
    }
    base = quick if arguments.quick else full
    return replace(base, **{name: value for name, value in given.items() if value is not None})


class _Result(Protocol):
    def to_json(self) -> dict[str, Any]: ...


_ResultT = TypeVar("_ResultT", bound=_Result)


def report(
    run: Callable[[Callable[[str], None]], _ResultT],
    render_markdown: Callable[[_ResultT], str],
    json_path: str | None,
) -> int:
    """Run a benchmark (progress on stderr), print its Markdown, write its JSON if asked.

    The exit status is 0 whatever the verdicts: timings are reported, never enforced.
    """
    result = run(lambda step: print(f"  {step}", file=sys.stderr))
    print(render_markdown(result))
    if json_path:
        with open(json_path, "w", encoding="utf-8") as output:
            json.dump(result.to_json(), output, indent=2)
            output.write("\n")
    return 0
