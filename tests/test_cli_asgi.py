"""``cors-wsgi check --asgi``: find the ASGI middleware of an application and check it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cors_wsgi.browser import cli

pytest.importorskip("fastapi")


def check(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    target: str,
) -> tuple[int, str]:
    name = target.partition(":")[0]
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(code))
    monkeypatch.chdir(tmp_path)
    status = cli.main(["check", "--color", "never", "--asgi", target])
    return status, capsys.readouterr().out


def test_fastapis_snippet_is_reported_before_the_server_runs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out = check(
        capsys,
        tmp_path,
        monkeypatch,
        """
        from fastapi import FastAPI
        from cors_wsgi.asgi import CORSMiddleware

        app = FastAPI()
        app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)
        """,
        "asgi_snippet_app:app",
    )
    assert status == 1
    assert "error [E012] allow_origins = ['*']" in out


def test_a_factory_is_called_and_its_policy_described(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out = check(
        capsys,
        tmp_path,
        monkeypatch,
        """
        from fastapi import FastAPI
        from cors_wsgi.asgi import CORSMiddleware

        def create_app():
            app = FastAPI()
            app.add_middleware(CORSMiddleware, allow_origins=["https://app.example.com"])
            return app
        """,
        "asgi_factory_app:create_app()",
    )
    assert status == 0
    assert "app.user_middleware[0]: CORSMiddleware" in out
    assert "origins: https://app.example.com" in out


def test_a_wrapped_app_and_starlettes_own_cors_are_two_layers(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out = check(
        capsys,
        tmp_path,
        monkeypatch,
        """
        from fastapi import FastAPI
        from fastapi.middleware.cors import CORSMiddleware as StarletteCORS
        from cors_wsgi.asgi import CORSMiddleware

        inner = FastAPI()
        inner.add_middleware(StarletteCORS, allow_origins=["https://app.example.com"])
        app = CORSMiddleware(inner, allow_origins=["https://app.example.com"])
        """,
        "asgi_stacked_app:app",
    )
    assert status == 1
    assert "app: CORSMiddleware" in out
    assert "2 CORS layers are stacked" in out
    assert "starlette.middleware.cors.CORSMiddleware" in out


def test_an_app_without_cors_wsgi_is_a_warning_and_a_bad_path_a_load_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status, out = check(
        capsys,
        tmp_path,
        monkeypatch,
        "from fastapi import FastAPI\napp = FastAPI()\n",
        "asgi_plain_app:app",
    )
    assert status == 0
    assert "no cors_wsgi layer found in asgi_plain_app:app" in out
    (tmp_path / "asgi_empty_app.py").write_text("")
    # Nothing could be checked: exit 2 with one line on stderr, as for --wsgi.
    status = cli.main(["check", "--color", "never", "--asgi", "asgi_empty_app:nothing()"])
    captured = capsys.readouterr()
    assert status == 2
    assert captured.err.startswith("cors-wsgi check: ")
    assert "asgi_empty_app" in captured.err
    assert captured.err.count("\n") == 1
