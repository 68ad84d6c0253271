"""The WebDriver BiDi client and the Firefox launcher, without a browser.

A fake BiDi endpoint (a ``websockets`` server answering the commands the suite sends)
stands in for Firefox's remote agent, and a fake ``firefox-esr`` script for the
executable, so these run in every test environment (they are not marked ``browser``).
"""

from __future__ import annotations

import json
import os
import re
import stat
import threading
from typing import TYPE_CHECKING, Any

import pytest
from websockets.sync.server import ServerConnection, serve

from .bidi import BiDiError, BiDiSession, FirefoxProcess, FirefoxStartError, deserialize, user_js

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def _answer(method: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    """What the fake remote agent sends back for one command (events first)."""
    if method == "session.new":
        return [{"type": "success", "result": {"capabilities": {"browserVersion": "153.8.0"}}}]
    if method == "script.evaluate":
        expression = params["expression"]
        if expression == "throw":
            return [
                {
                    "type": "success",
                    "result": {"type": "exception", "exceptionDetails": {"text": "Error: boom"}},
                }
            ]
        log = {
            "type": "event",
            "method": "log.entryAdded",
            "params": {
                "level": "error",
                "text": "Cross-Origin Request Blocked: x",
                "type": "javascript",
                "source": {"context": params["target"]["context"]},
            },
        }
        value = {"type": "object", "value": [["read", {"type": "boolean", "value": False}]]}
        return [log, {"type": "success", "result": {"type": "success", "result": value}}]
    if method == "browsingContext.navigate":
        return [{"type": "error", "error": "unknown error", "message": "NS_ERROR_CONNECTION"}]
    if method == "script.hang":
        return []
    return [{"type": "success", "result": {}}]


@pytest.fixture
def bidi_url() -> Iterator[str]:
    """A fake BiDi endpoint on a free port; yields its ``/session`` URL."""

    def handle(connection: ServerConnection) -> None:
        for raw in connection:
            command = json.loads(raw)
            for message in _answer(command["method"], command["params"]):
                if message["type"] != "event":
                    message["id"] = command["id"]
                connection.send(json.dumps(message))

    with serve(handle, "127.0.0.1", 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        host, port = server.socket.getsockname()[:2]
        yield f"ws://{host}:{port}/session"
        server.shutdown()
        thread.join()


def test_session_starts_and_keeps_console_entries_that_arrive_before_an_answer(
    bidi_url: str,
) -> None:
    with BiDiSession(bidi_url, timeout=5) as session:
        assert session.capabilities["capabilities"]["browserVersion"] == "153.8.0"
        assert session.evaluate("fetch()", "ctx-1") == {"read": False}
        assert [(entry.level, entry.context) for entry in session.log] == [("error", "ctx-1")]
        found = session.wait_for_log(lambda entry: "Blocked" in entry.text, seconds=0)
        assert [entry.text for entry in found] == ["Cross-Origin Request Blocked: x"]


def test_error_answers_and_script_exceptions_raise_with_the_browser_s_words(
    bidi_url: str,
) -> None:
    with BiDiSession(bidi_url, timeout=5) as session:
        with pytest.raises(
            BiDiError, match=re.escape("browsingContext.navigate: unknown error: NS_ERROR")
        ):
            session.command("browsingContext.navigate", {"context": "c", "url": "x"})
        with pytest.raises(BiDiError, match="javascript error: Error: boom"):
            session.evaluate("throw", "c")


def test_a_command_without_answer_times_out(bidi_url: str) -> None:
    with BiDiSession(bidi_url, timeout=5) as session:
        session.timeout = 0.2
        with pytest.raises(BiDiError, match=re.escape("timeout: no answer within 0.2 s")):
            session.command("script.hang", {})
        assert session.wait_for_log(lambda entry: False, seconds=0.05) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"type": "undefined"}, None),
        ({"type": "null"}, None),
        ({"type": "string", "value": "a"}, "a"),
        ({"type": "number", "value": 3}, 3),
        ({"type": "number", "value": "-Infinity"}, float("-inf")),
        ({"type": "array", "value": [{"type": "boolean", "value": True}]}, [True]),
        (
            {"type": "map", "value": [[{"type": "number", "value": 1}, {"type": "null"}]]},
            {"1": None},
        ),
    ],
)
def test_remote_values_become_plain_data(value: dict[str, Any], expected: object) -> None:
    assert deserialize(value) == expected


def test_unknown_remote_values_are_refused() -> None:
    with pytest.raises(ValueError, match="cannot turn a BiDi 'node' value"):
        deserialize({"type": "node", "sharedId": "x"})


def test_user_js_quotes_names_and_values() -> None:
    assert user_js({'a"b': False, "n": 2, "s": "x"}) == (
        'user_pref("a\\"b", false);\nuser_pref("n", 2);\nuser_pref("s", "x");\n'
    )


# ---- the launcher, with a fake firefox-esr ---------------------------------------------


def _fake_firefox(tmp_path: Path, body: str) -> str:
    script = tmp_path / "firefox-esr"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def test_launcher_reads_the_endpoint_writes_the_prefs_and_stops_by_pid(tmp_path: Path) -> None:
    # Prints what Firefox prints, records its profile's user.js, then waits to be stopped.
    executable = _fake_firefox(
        tmp_path,
        f'cp "$4/user.js" {tmp_path}/seen.js\n'
        'echo "WebDriver BiDi listening on ws://127.0.0.1:4711" >&2\n'
        "exec sleep 60",
    )
    firefox = FirefoxProcess(executable, prefs={"network.x": False})

    assert firefox.start(timeout=10) == "ws://127.0.0.1:4711/session"
    assert firefox.process is not None
    process, profile = firefox.process, firefox.profile
    assert profile is not None
    assert (tmp_path / "seen.js").read_text() == 'user_pref("network.x", false);\n'
    firefox.stop()

    assert process.returncode is not None
    assert not os.path.exists(profile)


def test_launcher_reports_an_early_exit_with_the_browser_s_output(tmp_path: Path) -> None:
    executable = _fake_firefox(tmp_path, 'echo "Error: no DISPLAY, no profile" >&2\nexit 3')
    firefox = FirefoxProcess(executable)

    with pytest.raises(FirefoxStartError, match="exited with status 3") as error:
        firefox.start(timeout=10)
    assert "no DISPLAY" in error.value.output
    assert firefox.process is None
    assert firefox.profile is None


def test_launcher_gives_up_on_a_silent_browser(tmp_path: Path) -> None:
    firefox = FirefoxProcess(_fake_firefox(tmp_path, "exec sleep 60"))

    with pytest.raises(
        FirefoxStartError, match=re.escape("no WebDriver BiDi endpoint within 0.3 s")
    ):
        firefox.start(timeout=0.3)
    assert firefox.process is None
