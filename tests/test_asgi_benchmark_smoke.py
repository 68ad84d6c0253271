"""benchmarks/asgi_overhead.py runs and reports every scenario (a smoke run, no timing)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from tests.benchmark_smoke import MINIMAL, import_benchmark

if TYPE_CHECKING:
    from pathlib import Path

pytest.importorskip("starlette")


def test_quick_run_prints_a_row_per_scenario_and_writes_json(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    asgi_overhead = import_benchmark(monkeypatch, "asgi_overhead")
    json_path = tmp_path / "asgi.json"
    status = asgi_overhead.main([*MINIMAL, "--origin-pool", "64", "--json", str(json_path)])
    out = capsys.readouterr().out
    assert status == 0
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    titles = {line.split(" | ")[0].strip("| ") for line in rows[1:]}
    assert titles == {
        "no Origin",
        "refused Origin",
        "allowed simple GET",
        "allowed preflight",
        "refused preflight",
    }
    assert len(rows) == 1 + 5 * 3
    assert json_path.read_text().startswith("[")
    assert "Floor¹ (ns)" in rows[0]
    assert asgi_overhead.FLOOR_NOTE in out


def test_the_floor_reference_adds_what_it_found_and_vary_alone_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import asyncio

    asgi_overhead = import_benchmark(monkeypatch, "asgi_overhead")
    floor = asgi_overhead.LookupOnlyMiddleware(asgi_overhead.bare_app, ["https://a.example"])

    def start_headers(origin: bytes | None) -> list[tuple[bytes, bytes]]:
        sent: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        headers = [] if origin is None else [(b"origin", origin)]
        scope = {"type": "http", "method": "GET", "headers": headers}
        asyncio.run(floor(scope, asgi_overhead._receive, send))
        found: list[tuple[bytes, bytes]] = sent[0]["headers"]  # type: ignore[assignment]
        return found

    assert (b"access-control-allow-origin", b"https://a.example") in start_headers(
        b"https://a.example"
    )
    for origin in (b"https://b.example", None):
        assert start_headers(origin) == [
            (b"content-type", b"application/json"),
            (b"vary", b"Origin"),
        ]
