"""A strict in-process ASGI server for the tests: it checks the messages of the ASGI 3
HTTP and WebSocket specifications as a server would, and records them."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

Message = dict[str, Any]
App = Callable[[Any, Any, Any], Awaitable[None]]


class ProtocolError(AssertionError):
    """The application broke the ASGI specification."""


@dataclass
class Exchange:
    """What the server received for one request."""

    sent: list[Message] = field(default_factory=list)

    @property
    def start(self) -> Message:
        starts = [m for m in self.sent if m["type"] == "http.response.start"]
        assert len(starts) == 1, self.sent
        return starts[0]

    @property
    def status(self) -> int:
        status: int = self.start["status"]
        return status

    @property
    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(bytes(name), bytes(value)) for name, value in self.start["headers"]]

    def values(self, name: bytes) -> list[bytes]:
        return [value for key, value in self.headers if key == name]

    @property
    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")


def http_scope(
    method: str = "GET",
    path: str = "/",
    headers: Sequence[tuple[bytes, bytes]] = (),
    root_path: str = "",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": root_path + path,
        "raw_path": (root_path + path).encode(),
        "root_path": root_path,
        "query_string": b"",
        "headers": list(headers),
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        **extra,
    }


def _check_http_message(message: Message, state: dict[str, Any]) -> None:
    kind = message["type"]
    if kind == "http.response.start":
        if state["started"]:
            raise ProtocolError("http.response.start sent twice")
        if not isinstance(message["status"], int):
            raise ProtocolError(f"status is not an int: {message['status']!r}")
        for name, value in message.get("headers", []):
            if not isinstance(name, bytes) or not isinstance(value, bytes):
                raise ProtocolError(f"header is not bytes: {name!r}: {value!r}")
            if name != name.lower():
                raise ProtocolError(f"header name is not lowercase: {name!r}")
        state["started"] = True
        state["trailers"] = bool(message.get("trailers", False))
    elif kind == "http.response.body":
        if not state["started"]:
            raise ProtocolError("http.response.body before http.response.start")
        if state["finished"]:
            raise ProtocolError("http.response.body after the last body message")
        if not isinstance(message.get("body", b""), bytes):
            raise ProtocolError("body is not bytes")
        if not message.get("more_body", False):
            state["finished"] = True
    elif kind == "http.response.trailers":
        if not state["trailers"] or not state["finished"]:
            raise ProtocolError("trailers not announced, or before the body ended")
    else:
        raise ProtocolError(f"unknown message for an http scope: {kind!r}")


async def serve_http(
    app: App,
    scope: dict[str, Any],
    request_body: Sequence[bytes] = (b"",),
    disconnect_after_body: bool = False,
    on_send: Callable[[Message], Awaitable[None]] | None = None,
) -> Exchange:
    """Run one HTTP request through ``app``, checking every message it sends."""
    exchange = Exchange()
    state = {"started": False, "finished": False, "trailers": False}
    incoming: list[Message] = [
        {"type": "http.request", "body": chunk, "more_body": i < len(request_body) - 1}
        for i, chunk in enumerate(request_body)
    ]

    async def receive() -> Message:
        if incoming:
            return incoming.pop(0)
        if not disconnect_after_body:
            await asyncio.sleep(3600)  # a live client sends nothing more
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        _check_http_message(message, state)
        exchange.sent.append(message)
        if on_send is not None:
            await on_send(message)

    await app(scope, receive, send)
    return exchange


def run(coroutine: Awaitable[Any]) -> Any:
    async def main() -> Any:
        return await coroutine

    return asyncio.run(main())


def communicator(app: Any, scope: dict[str, Any]) -> Any:
    """asgiref's ApplicationCommunicator (untyped), for a scope driven message by message."""
    from asgiref.testing import ApplicationCommunicator

    return ApplicationCommunicator(app, scope)  # type: ignore[no-untyped-call]
