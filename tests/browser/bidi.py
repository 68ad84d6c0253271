"""A small W3C WebDriver BiDi client, and a launcher for a headless stock Firefox.

Playwright cannot drive Debian's ``firefox-esr`` (it needs its own patched build, which
cannot be downloaded here), and geckodriver is not packaged; but Firefox has the BiDi
remote agent built in. The few commands the browser suite needs (``session.new``,
``browser.createUserContext``, ``browsingContext.create``/``navigate``, ``script.evaluate``,
``session.subscribe`` for console entries) fit in this module, over the ``websockets``
package's synchronous client. No well-kept Python library drives BiDi without a driver
binary (Selenium's BiDi goes through geckodriver), hence this client.

Protocol: https://w3c.github.io/webdriver-bidi/ (commands carry an ``id``, the answer
carries the same ``id``; events carry a ``method`` and no ``id``).
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence
    from types import TracebackType

__all__ = [
    "BiDiError",
    "BiDiSession",
    "FirefoxProcess",
    "FirefoxStartError",
    "LogEntry",
    "deserialize",
    "user_js",
]

# Firefox prints this on stderr once its remote agent accepts connections.
_LISTENING = re.compile(r"WebDriver BiDi listening on (ws://\S+)")
_DEFAULT_TIMEOUT = 30.0


class BiDiError(RuntimeError):
    """A command the browser answered with an error (or did not answer in time)."""

    def __init__(self, method: str, error: str, message: str) -> None:
        super().__init__(f"{method}: {error}: {message}")
        self.method = method
        self.error = error


@dataclass(frozen=True)
class LogEntry:
    """One ``log.entryAdded`` event: a console message or a JavaScript error."""

    level: str
    text: str
    kind: str
    context: str | None

    @classmethod
    def from_event(cls, params: Mapping[str, Any]) -> LogEntry:
        source = params.get("source") or {}
        return cls(
            level=str(params.get("level", "")),
            text=str(params.get("text") or ""),
            kind=str(params.get("type", "")),
            context=source.get("context"),
        )


class BiDiSession:
    """One WebSocket connection to a BiDi endpoint, with a session started on it.

    :meth:`command` sends a command and returns its ``result``; events arriving meanwhile
    are kept (console entries in :attr:`log`) for :meth:`wait_for_log`.
    """

    def __init__(self, url: str, *, timeout: float = _DEFAULT_TIMEOUT) -> None:
        self.timeout = timeout
        self.log: list[LogEntry] = []
        self._next_id = 0
        # Entered as a context manager, as websockets 17 asks; closed by close().
        self._resources = contextlib.ExitStack()
        self._connection: ClientConnection = self._resources.enter_context(
            connect(url, open_timeout=timeout, max_size=None)
        )
        self.capabilities: dict[str, Any] = self.command("session.new", {"capabilities": {}})

    def __enter__(self) -> BiDiSession:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """End the session (best effort: the browser may be gone) and the connection."""
        with contextlib.suppress(BiDiError, ConnectionClosed, OSError):
            self.command("session.end", {})
        self._resources.close()

    def command(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """Send one command and wait for its answer; raises :class:`BiDiError` for an
        error answer, a closed connection or no answer within ``timeout`` seconds."""
        self._next_id += 1
        command_id = self._next_id
        self._connection.send(json.dumps({"id": command_id, "method": method, "params": params}))
        deadline = time.monotonic() + self.timeout
        while True:
            message = self._receive(method, deadline)
            if message.get("id") != command_id:
                self._keep_event(message)
                continue
            if message.get("type") == "error":
                raise BiDiError(method, str(message.get("error")), str(message.get("message")))
            result: dict[str, Any] = message.get("result") or {}
            return result

    def wait_for_log(
        self, wanted: Callable[[LogEntry], bool], *, seconds: float
    ) -> list[LogEntry]:
        """The console entries ``wanted`` accepts, waiting up to ``seconds`` for one."""
        deadline = time.monotonic() + seconds
        while True:
            found = [entry for entry in self.log if wanted(entry)]
            if found or time.monotonic() >= deadline:
                return found
            try:
                message = self._receive("log.entryAdded", deadline)
            except BiDiError:
                return []
            self._keep_event(message)

    def evaluate(self, expression: str, context: str) -> Any:
        """Evaluate ``expression`` in the page, awaiting a promise, and return its value
        as plain Python data; a script exception raises :class:`BiDiError`."""
        result = self.command(
            "script.evaluate",
            {
                "expression": expression,
                "target": {"context": context},
                "awaitPromise": True,
                "resultOwnership": "none",
            },
        )
        if result.get("type") == "exception":
            details = result.get("exceptionDetails") or {}
            raise BiDiError("script.evaluate", "javascript error", str(details.get("text")))
        return deserialize(result["result"])

    def _receive(self, method: str, deadline: float) -> dict[str, Any]:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise BiDiError(method, "timeout", f"no answer within {self.timeout} s")
        try:
            raw = self._connection.recv(timeout=remaining)
        except TimeoutError:
            raise BiDiError(method, "timeout", f"no answer within {self.timeout} s") from None
        except ConnectionClosed as error:
            raise BiDiError(method, "connection closed", str(error)) from None
        message: dict[str, Any] = json.loads(raw)
        return message

    def _keep_event(self, message: Mapping[str, Any]) -> None:
        if message.get("method") == "log.entryAdded":
            self.log.append(LogEntry.from_event(message.get("params") or {}))


def deserialize(value: Mapping[str, Any]) -> Any:
    """A BiDi serialized remote value (``{"type": "object", "value": [...]}``...) as plain
    Python data: objects become dicts, arrays lists, ``undefined`` and ``null`` None."""
    kind = value.get("type")
    inner = value.get("value")
    if kind in ("undefined", "null"):
        return None
    if kind in ("string", "boolean"):
        return inner
    if kind == "number":
        if isinstance(inner, str):  # NaN, -0, Infinity, -Infinity
            return float(inner.replace("Infinity", "inf"))
        return inner
    if kind in ("array", "set"):
        return [deserialize(item) for item in inner or ()]
    if kind in ("object", "map"):
        return {
            (key if isinstance(key, str) else str(deserialize(key))): deserialize(item)
            for key, item in inner or ()
        }
    raise ValueError(f"cannot turn a BiDi {kind!r} value into plain data")


def user_js(prefs: Mapping[str, bool | int | str]) -> str:
    """The text of a profile's ``user.js`` setting ``prefs`` (read when Firefox starts)."""
    return "".join(
        f"user_pref({json.dumps(name)}, {json.dumps(value)});\n" for name, value in prefs.items()
    )


@dataclass
class FirefoxStartError(RuntimeError):
    """Firefox exited, or did not open its BiDi endpoint in time."""

    reason: str
    output: str = ""

    def __str__(self) -> str:
        return self.reason


@dataclass
class FirefoxProcess:
    """A headless Firefox with a fresh profile of its own, stopped by its process id.

    ``start()`` writes ``prefs`` to the new profile's ``user.js``, launches the browser
    with its remote agent on a free port and returns the BiDi session URL it printed.
    """

    executable: str
    prefs: Mapping[str, bool | int | str] = field(default_factory=dict)
    arguments: Sequence[str] = ()
    process: subprocess.Popen[str] | None = None
    profile: str | None = None
    output: list[str] = field(default_factory=list)
    _reader: threading.Thread | None = field(default=None, repr=False)

    def start(self, *, timeout: float = _DEFAULT_TIMEOUT) -> str:
        """Launch and return ``ws://127.0.0.1:PORT/session``; raises
        :class:`FirefoxStartError` with Firefox's output when it does not come up."""
        self.profile = tempfile.mkdtemp(prefix="cors-wsgi-firefox-")
        with open(os.path.join(self.profile, "user.js"), "w", encoding="utf-8") as prefs:
            prefs.write(user_js(self.prefs))
        self.process = subprocess.Popen(
            [
                self.executable,
                "--headless",
                "--no-remote",
                "--profile",
                self.profile,
                # Port 0: Firefox picks a free one and prints it.
                "--remote-debugging-port=0",
                *self.arguments,
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(
            target=self._drain, args=(self.process, lines), name="firefox-stderr", daemon=True
        )
        self._reader.start()
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                raise FirefoxStartError(
                    f"{self.executable} opened no WebDriver BiDi endpoint within {timeout} s",
                    "".join(self.output),
                ) from None
            if line is None:
                code = self.process.wait()
                self.stop()
                raise FirefoxStartError(
                    f"{self.executable} exited with status {code} before opening its "
                    "WebDriver BiDi endpoint",
                    "".join(self.output),
                )
            found = _LISTENING.search(line)
            if found:
                return found.group(1).rstrip("/") + "/session"

    def _drain(self, process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
        # Keeps reading after start-up, so a chatty browser never blocks on a full pipe.
        assert process.stderr is not None
        with process.stderr:
            for line in process.stderr:
                self.output.append(line)
                lines.put(line)
        lines.put(None)

    def stop(self, *, grace: float = 10.0) -> None:
        """Stop this Firefox by its pid (SIGTERM, then SIGKILL) and delete its profile."""
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            os.kill(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                os.kill(process.pid, signal.SIGKILL)
                process.wait()
        if self._reader is not None:
            self._reader.join(timeout=grace)
            self._reader = None
        if self.profile is not None:
            shutil.rmtree(self.profile, ignore_errors=True)
            self.profile = None
