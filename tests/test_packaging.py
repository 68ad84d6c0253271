"""The package as PyPI users get it: ``python -m build`` makes an sdist and a wheel that
``twine check --strict`` accepts, whose metadata carries the licence, a classifier per
supported Python, Django and Flask version, and a description (the README) that starts with
what the package is and ``pip install`` and links nothing relative; the wheel, installed in
a fresh virtual environment, gives a working ``cors-wsgi`` command that does not advertise
the checkout-only demo.

Slow (a build and a venv, packages from PyPI): marked ``package``; ``tox -e package`` runs
it, with the build and ``twine check`` of the release files.
"""

from __future__ import annotations

import email
import re
import subprocess
import sys
import tarfile
import textwrap
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parent.parent
SUPPORTED_PYTHONS = ("3.10", "3.11", "3.12", "3.13")  # tox.ini's matrix
SUPPORTED_DJANGOS = ("4.2", "5.2", "6.0")


def _run(*command: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("build")
    out = tmp_path_factory.mktemp("dist")
    built = _run(sys.executable, "-m", "build", "--outdir", out, REPO)
    assert built.returncode == 0, built.stdout + built.stderr
    return {
        "wheel": next(out.glob("*.whl")),
        "sdist": next(out.glob("*.tar.gz")),
    }


@pytest.fixture(scope="module")
def metadata(dist: dict[str, Path]) -> email.message.Message:
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
        return email.message_from_bytes(wheel.read(name))


def test_twine_check_accepts_the_release_files(dist: dict[str, Path]) -> None:
    pytest.importorskip("twine")
    checked = _run(sys.executable, "-m", "twine", "check", "--strict", *dist.values())
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_licence_is_declared_and_shipped(
    dist: dict[str, Path], metadata: email.message.Message
) -> None:
    assert metadata["License-Expression"] == "MIT"
    assert metadata.get_all("License-File") == ["LICENSE"]
    with zipfile.ZipFile(dist["wheel"]) as wheel:
        licence = next(n for n in wheel.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
        text = wheel.read(licence).decode()
    assert text.startswith("MIT License")
    assert 'THE SOFTWARE IS PROVIDED "AS IS"' in text
    with tarfile.open(dist["sdist"]) as sdist:
        names = {Path(name).name for name in sdist.getnames()}
    assert {"LICENSE", "README.md", "SECURITY.md", "pyproject.toml"} <= names


def test_a_classifier_per_supported_python_django_and_flask(
    metadata: email.message.Message,
) -> None:
    classifiers = set(metadata.get_all("Classifier") or [])
    for version in SUPPORTED_PYTHONS:
        assert f"Programming Language :: Python :: {version}" in classifiers
    for version in SUPPORTED_DJANGOS:
        assert f"Framework :: Django :: {version}" in classifiers
    # PyPI has no classifier per Flask version; the extra's bound says which.
    assert "Framework :: Flask" in classifiers
    extras = metadata.get_all("Requires-Dist") or []
    assert any(re.match(r"flask>=2\.3.*extra == .flask.", e) for e in extras), extras
    assert any(re.match(r"django>=4\.2.*extra == .django.", e) for e in extras), extras


def test_the_description_starts_with_what_it_is_and_pip_install(
    metadata: email.message.Message,
) -> None:
    description = metadata.get_payload()
    assert isinstance(description, str)
    assert metadata["Description-Content-Type"] == "text/markdown"
    lines = description.splitlines()
    assert lines[0] == "# cors_wsgi"
    opening = "\n".join(lines[:12])
    assert "CORS" in lines[2]
    assert "pip install cors-wsgi" in opening
    # On PyPI a relative link (SECURITY.md, docs/...) leads nowhere.
    relative = re.findall(r"\]\((?!https?://|#)([^)]*)\)", description)
    assert relative == []


def test_the_wheel_installed_in_a_fresh_venv_gives_a_working_command(
    dist: dict[str, Path], metadata: email.message.Message, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    created = _run(sys.executable, "-m", "venv", venv)
    assert created.returncode == 0, created.stderr
    scripts = venv / ("Scripts" if sys.platform == "win32" else "bin")
    installed = _run(scripts / "python", "-m", "pip", "install", "-q", dist["wheel"])
    assert installed.returncode == 0, installed.stdout + installed.stderr
    elsewhere = tmp_path / "project"  # not the checkout: nothing of it is importable
    elsewhere.mkdir()

    helped = _run(scripts / "cors-wsgi", "--help", cwd=elsewhere)
    assert helped.returncode == 0, helped.stderr
    assert "check" in helped.stdout and "probe" in helped.stdout
    assert "demo" not in helped.stdout  # checkout-only, so not advertised here

    demo = _run(scripts / "cors-wsgi", "demo", cwd=elsewhere)
    assert demo.returncode == 2
    assert "runs from a checkout of the repository" in demo.stderr

    checked = _run(
        scripts / "cors-wsgi", "check", "--allow-origin", "https://app.example.com", cwd=elsewhere
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "the configuration: valid" in checked.stdout

    # The installed script imports the application from the current directory.
    (elsewhere / "site_app.py").write_text(
        textwrap.dedent(
            """
            from cors_wsgi import CORSMiddleware

            def inner(environ, start_response):
                start_response("200 OK", [])
                return [b""]

            application = CORSMiddleware(inner, allow_origins=["https://app.example.com"])
            """
        )
    )
    found = _run(scripts / "cors-wsgi", "check", "--wsgi", "site_app:application", cwd=elsewhere)
    assert found.returncode == 0, found.stdout + found.stderr
    assert "app: CORSMiddleware" in found.stdout

    # Every classifier is one PyPI knows (an unknown one makes the upload fail).
    trove = _run(scripts / "python", "-m", "pip", "install", "-q", "trove-classifiers")
    assert trove.returncode == 0, trove.stdout + trove.stderr
    unknown = _run(
        scripts / "python",
        "-c",
        "import sys, trove_classifiers as t; "
        "print([c for c in sys.argv[1:] if c not in t.classifiers])",
        *(metadata.get_all("Classifier") or []),
    )
    assert unknown.stdout.strip() == "[]", unknown.stdout + unknown.stderr
