"""Load under real WSGI servers: requests per second with and without cors_wsgi, every
response checked.

Run from the repository root (needs gunicorn and waitress from PyPI, and wrk from Debian;
without wrk, the Python client below drives the load instead)::

    python3 benchmarks/load.py                      # both servers, ~2 minutes
    python3 benchmarks/load.py --duration 3 --verify-requests 500     # a quick look
    python3 benchmarks/load.py --servers waitress --json load.json

For each server (gunicorn with gthread workers, waitress with a thread pool), on 127.0.0.1
only, it serves the same small JSON API twice, bare and behind ``CORSMiddleware``, and:

1. drives it with ``wrk`` for ``--duration`` seconds using ``load_mix.lua``: a fixed mix of
   allowed and refused GETs, GETs without Origin, allowed and refused preflights, each with
   its own Origin; the script checks every response (status, CORS headers, and for actual
   requests that Access-Control-Allow-Origin is the Origin this very request sent);
2. sends ``--verify-requests`` requests from a bounded pool of Python threads over
   keep-alive connections and checks each response exactly against what its own request
   should get: nothing mixed between requests, connections or threads.

The figures are requests per second from wrk (mean over the run) and its latency
percentiles; the difference between the bare and the CORS runs is cors_wsgi's cost under a
real server, which is small next to the server's own cost per request. The machine is
shared, the client runs beside the server, so take ratios from one run, not absolutes.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

# Run as a script or imported by a server from benchmarks/, the repository root is not on
# sys.path; appended (not prepended) so that an installed cors_wsgi, if any, is measured.
BENCHMARKS = Path(__file__).resolve().parent
ROOT = BENCHMARKS.parent
sys.path.append(str(ROOT))
from cors_wsgi import CORSMiddleware  # noqa: E402

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

__all__ = ["api_app", "cors_app", "main"]

TENANTS = ".tenants.example.com"
ALLOW_METHODS = ("GET", "PUT", "DELETE")
ALLOW_HEADERS = ("content-type", "x-request-id")
BODY = b'{"items": ["alpha", "beta", "gamma"]}'


def api_app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
    """A small JSON API that knows nothing of CORS; it echoes which request it answered."""
    if environ["REQUEST_METHOD"] == "OPTIONS":
        start_response("204 No Content", [("Allow", "GET, PUT, DELETE, OPTIONS")])
        return []
    start_response(
        "200 OK",
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(BODY))),
            ("X-Request-Id", environ.get("HTTP_X_REQUEST_ID", "")),
            ("X-Seen-Origin", environ.get("HTTP_ORIGIN", "")),
        ],
    )
    return [BODY]


cors_app = CORSMiddleware(
    api_app,
    allow_origins=["https://app.example.com", "https://*" + TENANTS],
    allow_methods=ALLOW_METHODS,
    allow_headers=ALLOW_HEADERS,
    allow_credentials=True,
    expose_headers=["x-request-id"],
    max_age=600,
)


# ---- servers ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    name: str
    app: str  # "bare" or "cors"
    port: int
    process: subprocess.Popen[bytes]


def server_command(name: str, app: str, port: int, workers: int, threads: int) -> list[str]:
    target = f"load:{'cors_app' if app == 'cors' else 'api_app'}"
    if name == "gunicorn":
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "--chdir",
            str(BENCHMARKS),
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--worker-class",
            "gthread",
            "--keep-alive",
            "10",
            "--log-level",
            "warning",
            target,
        ]
    return [
        sys.executable,
        "-m",
        "waitress",
        "--listen",
        f"127.0.0.1:{port}",
        f"--threads={workers * threads}",
        "--connection-limit=1000",
        target,
    ]


def start_server(name: str, app: str, workers: int, threads: int) -> Server:
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": f"{BENCHMARKS}{os.pathsep}{ROOT}"}
    # A file, not a pipe: waitress logs a warning per deep task queue, and a full pipe
    # nobody reads would stall the server mid-run.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        server_command(name, app, port, workers, threads),
        cwd=BENCHMARKS,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"{name} exited at start: {log.read().decode()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return Server(name, app, port, process)
        except OSError:
            time.sleep(0.1)
    stop_server(Server(name, app, port, process))
    raise RuntimeError(f"{name} did not listen on 127.0.0.1:{port} within 20 s")


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(5)


# ---- wrk -------------------------------------------------------------------------------


@dataclass
class WrkResult:
    requests_per_second: float
    latency_p50_ms: float
    latency_p99_ms: float
    requests: int
    socket_errors: str
    checked: int
    failures: int
    first_failure: str


def milliseconds(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(server: Server, duration: float, connections: int, threads: int) -> WrkResult:
    command = [
        "wrk",
        f"--threads={threads}",
        f"--connections={connections}",
        f"--duration={max(1, round(duration))}s",
        "--timeout=5s",
        "--latency",
        f"--script={BENCHMARKS / 'load_mix.lua'}",
        f"http://127.0.0.1:{server.port}",
    ]
    environment = {**os.environ, "LOAD_CORS": "1" if server.app == "cors" else "0"}
    output = subprocess.run(
        command, env=environment, capture_output=True, text=True, timeout=duration + 30
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", output)
    total = re.search(r"(\d+) requests in", output)
    p50 = re.search(r"^\s+50%\s+(\S+)", output, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", output, re.M)
    check = re.search(r"LOADCHECK checked=(\d+) failures=(\d+) first=(.*)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    if not (found and total and p50 and p99 and check):
        raise RuntimeError(f"unexpected wrk output:\n{output}")
    return WrkResult(
        requests_per_second=float(found.group(1)),
        latency_p50_ms=milliseconds(p50.group(1)),
        latency_p99_ms=milliseconds(p99.group(1)),
        requests=int(total.group(1)),
        socket_errors=errors.group(1) if errors else "",
        checked=int(check.group(1)),
        failures=int(check.group(2)),
        first_failure=check.group(3).strip(),
    )


# ---- the exact checker -------------------------------------------------------------------

APPS = ("bare", "cors")
KINDS = ("allowed", "refused", "none", "preflight", "refused preflight", "exact")


@dataclass
class Probe:
    """One request of the checker, and exactly what its answer must be."""

    kind: str
    tag: str
    cors: bool

    @property
    def origin(self) -> str | None:
        return {
            "allowed": f"https://{self.tag}{TENANTS}",
            "exact": "https://app.example.com",
            "refused": f"https://{self.tag}.evil.example",
            "none": None,
            "preflight": f"https://{self.tag}{TENANTS}",
            "refused preflight": f"https://{self.tag}{TENANTS}",
        }[self.kind]

    def request(self) -> tuple[str, dict[str, str]]:
        headers = {"X-Request-Id": self.tag}
        if self.origin is not None:
            headers["Origin"] = self.origin
        if "preflight" not in self.kind:
            return "GET", headers
        headers["Access-Control-Request-Method"] = "PUT" if self.kind == "preflight" else "PATCH"
        if self.kind == "preflight":
            headers["Access-Control-Request-Headers"] = "content-type,x-request-id"
        return "OPTIONS", headers

    def expected(self) -> tuple[int, dict[str, str]]:
        """The status and every Access-Control-*, Vary and X-* header, exactly."""
        preflight = "preflight" in self.kind
        if not self.cors:
            if preflight:
                return 204, {}
            return 200, {"x-request-id": self.tag, "x-seen-origin": self.origin or ""}
        if self.kind == "preflight":
            return 204, {
                "access-control-allow-origin": self.origin or "",
                "access-control-allow-credentials": "true",
                "access-control-allow-methods": ", ".join(ALLOW_METHODS),
                "access-control-allow-headers": ", ".join(ALLOW_HEADERS),
                "access-control-max-age": "600",
                "vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            }
        if self.kind == "refused preflight":
            return 403, {
                "vary": "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
            }
        headers = {"x-request-id": self.tag, "x-seen-origin": self.origin or "", "vary": "Origin"}
        if self.kind in ("allowed", "exact"):
            headers["access-control-allow-origin"] = self.origin or ""
            headers["access-control-allow-credentials"] = "true"
            headers["access-control-expose-headers"] = "x-request-id"
        return 200, headers


@dataclass
class CheckResult:
    requests: int = 0
    mismatches: int = 0
    examples: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests_per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def observed(response: http.client.HTTPResponse) -> dict[str, str]:
    seen: dict[str, str] = {}
    for name, value in response.getheaders():
        lower = name.lower()
        if lower.startswith(("access-control-", "x-", "vary")):
            # A header sent twice is a failure (R18): keep both so the comparison fails.
            seen[lower] = f"{seen[lower]} || {value}" if lower in seen else value
    return seen


def check_exactly(server: Server, requests: int, clients: int, timeout: float) -> CheckResult:
    """Send ``requests`` requests from ``clients`` threads; compare each answer exactly."""
    result = CheckResult()
    lock = threading.Lock()
    barrier = threading.Barrier(clients)
    deadline = time.monotonic() + timeout

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        mine = range(number, requests, clients)
        barrier.wait(timeout=30)
        try:
            for index in mine:
                if time.monotonic() > deadline:
                    break
                probe = Probe(
                    KINDS[index % len(KINDS)], f"c{number}r{index}", server.app == "cors"
                )
                method, headers = probe.request()
                connection.request(method, "/api/items", headers=headers)
                response = connection.getresponse()
                response.read()
                got = (response.status, observed(response))
                with lock:
                    result.requests += 1
                    if got != probe.expected():
                        result.mismatches += 1
                        if len(result.examples) < 3:
                            result.examples.append(f"{probe}: {got} != {probe.expected()}")
        finally:
            connection.close()

    started = time.monotonic()
    pool = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout + 30)
    result.seconds = time.monotonic() - started
    return result


# ---- the run -----------------------------------------------------------------------------


@dataclass
class Row:
    server: str
    app: str
    wrk_runs: list[WrkResult]
    check: CheckResult

    @property
    def wrk(self) -> WrkResult | None:
        """The run with the median requests per second."""
        if not self.wrk_runs:
            return None
        ordered = sorted(self.wrk_runs, key=lambda run: run.requests_per_second)
        return ordered[len(ordered) // 2]


def run(args: argparse.Namespace) -> list[Row]:
    """Per server: both apps up at once, wrk rounds alternating between them (so that the
    noise of a shared machine falls on both alike), then the exact check of each."""
    rows: list[Row] = []
    use_wrk = shutil.which("wrk") is not None and not args.no_wrk
    for name in args.servers:
        servers = {app: start_server(name, app, args.workers, args.threads) for app in APPS}
        try:
            runs: dict[str, list[WrkResult]] = {app: [] for app in APPS}
            if use_wrk:
                for server in servers.values():
                    run_wrk(server, 1, args.connections, args.wrk_threads)  # warm-up
                for round_number in range(args.rounds):
                    order = APPS if round_number % 2 == 0 else APPS[::-1]
                    for app in order:
                        runs[app].append(
                            run_wrk(
                                servers[app], args.duration, args.connections, args.wrk_threads
                            )
                        )
            for app, server in servers.items():
                check = check_exactly(server, args.verify_requests, args.clients, args.timeout)
                rows.append(Row(name, app, runs[app], check))
                print(describe(rows[-1]), file=sys.stderr)
        finally:
            for server in servers.values():
                stop_server(server)
    return rows


def describe(row: Row) -> str:
    wrk = row.wrk
    text = f"{row.server:9} {row.app:5}"
    if wrk is not None:
        every = ", ".join(f"{run.requests_per_second:.0f}" for run in row.wrk_runs)
        checked = sum(run.checked for run in row.wrk_runs)
        failures = sum(run.failures for run in row.wrk_runs)
        text += (
            f" wrk median {wrk.requests_per_second:.0f} req/s ({every}),"
            f" p50 {wrk.latency_p50_ms:.2f} ms p99 {wrk.latency_p99_ms:.2f} ms,"
            f" {checked} checked, {failures} failed"
        )
        firsts = [run.first_failure for run in row.wrk_runs if run.first_failure]
        if firsts:
            text += f" (first: {firsts[0]})"
    check = row.check
    text += f"; exact check {check.requests} requests, {check.mismatches} mismatches"
    return text


def render_markdown(rows: list[Row]) -> str:
    lines = [
        "| server | app | wrk req/s (median) | each round | p50 ms | p99 ms "
        "| wrk checked / failed | exact-checked / mismatches |",
        "|---|---|---:|---|---:|---:|---:|---:|",
    ]
    for row in rows:
        wrk = row.wrk
        if wrk is None:
            wrk_cells = "- | - | - | - | -"
        else:
            every = ", ".join(f"{run.requests_per_second:.0f}" for run in row.wrk_runs)
            checked = sum(run.checked for run in row.wrk_runs)
            failures = sum(run.failures for run in row.wrk_runs)
            wrk_cells = (
                f"{wrk.requests_per_second:.0f} | {every} | {wrk.latency_p50_ms:.2f} | "
                f"{wrk.latency_p99_ms:.2f} | {checked} / {failures}"
            )
        lines.append(
            f"| {row.server} | {row.app} | {wrk_cells} | {row.check.requests} / "
            f"{row.check.mismatches} |"
        )
    by_server: dict[str, dict[str, Row]] = {}
    for row in rows:
        by_server.setdefault(row.server, {})[row.app] = row
    for name, pair in by_server.items():
        bare, cors = pair["bare"].wrk, pair["cors"].wrk
        if bare and cors:
            ratio = cors.requests_per_second / bare.requests_per_second
            lines.append(
                f"\n{name}: with cors_wsgi, {ratio:.0%} of the bare app's req/s (medians)"
            )
    return "\n".join(lines)


def failed(rows: Iterable[Row]) -> Iterator[str]:
    for row in rows:
        for run in row.wrk_runs:
            if run.failures:
                yield f"{row.server}/{row.app}: wrk saw {run.failures} wrong responses"
            if run.checked == 0:
                yield f"{row.server}/{row.app}: wrk checked nothing"
        if row.check.mismatches or row.check.requests < 1:
            yield f"{row.server}/{row.app}: {row.check.mismatches} mismatches {row.check.examples}"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else "")
    parser.add_argument("--servers", type=lambda s: s.split(","), default=["gunicorn", "waitress"])
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of each wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per app, alternating")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections")
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--verify-requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=16, help="checker threads")
    parser.add_argument("--timeout", type=float, default=60.0, help="checker time bound")
    parser.add_argument("--no-wrk", action="store_true", help="only the Python checker")
    parser.add_argument("--json", type=Path, help="also write the results here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = run(args)
    print(render_markdown(rows))
    if args.json:
        args.json.write_text(json.dumps([asdict(row) for row in rows], indent=2))
    problems = list(failed(rows))
    for problem in problems:
        print("FAIL:", problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
