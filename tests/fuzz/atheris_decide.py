"""Coverage-guided fuzzing of the core and CORSMiddleware with atheris (run by hand).

Not part of the test run (pytest collects ``test_*.py`` only). Needs ``pip install
atheris``; then, from the repository root::

    python3 tests/fuzz/atheris_decide.py -atheris_runs=200000
    python3 tests/fuzz/atheris_decide.py corpus_dir/ -max_total_time=600

Each input is split into a policy choice, a method, a path and the raw bytes of Origin,
Access-Control-Request-Method and -Headers, decoded as latin-1 exactly as a WSGI server
hands them over (PEP 3333). It checks the same properties as the hypothesis tests beside
it: no exception escapes, Access-Control-Allow-Origin is what the naive reference owes the
request (R54, V20), and no header value the middleware emits holds a control character.
"""

from __future__ import annotations

import io
import logging
import re
import sys
from pathlib import Path
from typing import Any

# Run as a script: make the repository root importable.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import atheris  # type: ignore[import-not-found, import-untyped, unused-ignore]

with atheris.instrument_imports():
    from cors_wsgi import CORSMiddleware, Policy

from tests.fuzz.reference import Reference
from tests.fuzz.strategies import allow_by_func

OPTIONS: list[dict[str, Any]] = [
    {
        "allow_origins": ["https://app.example.com", "https://*.example.com", "http://[::1]:*"],
        "allow_methods": ["GET", "PUT", "patch"],
        "allow_headers": ["content-type", "x-token"],
        "allow_credentials": True,
        "expose_headers": ["x-total-count"],
    },
    {"allow_origins": "*", "allow_methods": "*", "allow_headers": ["*", "authorization"]},
    {
        "allow_origins": ["http://localhost:*", "https://*.example.org:*"],
        "allow_origin_regex": [r"https://pr-[0-9]+\.preview\.example\.com"],
        "allow_origin_func": allow_by_func,
        "allow_methods": "*",
        "allow_headers": "*",
        "allow_credentials": True,
        "debug": True,
    },
]
# The debug policy logs every refusal at WARNING: keep the code path, drop the output.
_logger = logging.getLogger("cors_wsgi")
_logger.addHandler(logging.NullHandler())
_logger.propagate = False
POLICIES = [Policy(**options) for options in OPTIONS]
REFERENCES = [Reference(options) for options in OPTIONS]
METHODS = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "DELETE", "PATCH"]
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain"), ("Vary", "Cookie")])
    return [b"ok"]


MIDDLEWARES = [CORSMiddleware(app, policy=policy) for policy in POLICIES]


def header_value(data: atheris.FuzzedDataProvider) -> str | None:
    if data.ConsumeBool():
        return None
    return bytes(data.ConsumeBytes(data.ConsumeIntInRange(0, 300))).decode("latin-1")


def test_one_input(raw: bytes) -> None:
    data = atheris.FuzzedDataProvider(raw)
    choice = data.ConsumeIntInRange(0, len(POLICIES) - 1)
    method = METHODS[data.ConsumeIntInRange(0, len(METHODS) - 1)]
    origin = header_value(data)
    request_method = header_value(data)
    request_headers = header_value(data)
    path = "/" + bytes(data.ConsumeBytes(40)).decode("latin-1")

    decision = POLICIES[choice].decide(method, origin, request_method, request_headers)
    sent = dict(decision.headers).get("Access-Control-Allow-Origin")
    if sent is not None and sent != REFERENCES[choice].allow_origin(origin):
        raise AssertionError(f"reflected {sent!r} for origin {origin!r}")

    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": io.StringIO(),
        "wsgi.url_scheme": "http",
    }
    for key, value in (
        ("HTTP_ORIGIN", origin),
        ("HTTP_ACCESS_CONTROL_REQUEST_METHOD", request_method),
        ("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", request_headers),
    ):
        if value is not None:
            environ[key] = value
    answered: list[list[tuple[str, str]]] = []

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        answered.append(headers)
        return lambda chunk: None

    body = MIDDLEWARES[choice](environ, start_response)
    b"".join(body)
    for name, value in answered[-1]:
        if CONTROL.search(value):
            raise AssertionError(f"{name}: {value!r} holds a control character (V14)")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
