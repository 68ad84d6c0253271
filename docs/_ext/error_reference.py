"""The error reference, generated from the code: one entry per code, with a real message.

The entries come from ``cors_wsgi.core.catalogue.CATALOGUE`` (the core's codes) and
``cors_wsgi.django.checks.CHECKS`` (the Django system check warnings); each entry's example
is run, so the message shown is the one the package prints today. The page
``reference/errors.md`` holds the marker line :data:`MARKER`, which this extension replaces.
The tests import :func:`missing_entries`, :func:`core_example_problem` and
:func:`check_example_messages` from here, so that the page and the tests agree.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from cors_wsgi import ConfigError, ConfigProblem, CORSMiddleware, Policy
from cors_wsgi.core.catalogue import CATALOGUE, CodeEntry
from cors_wsgi.core.errors import Code

MARKER: Final = "% generated: the error reference"
PACKAGE_DIR: Final = Path(__file__).resolve().parents[2] / "cors_wsgi"
# Every Django check id written anywhere in the package, so that a warning added in any
# module is found (the errors are the core's codes, found through `Code`).
CHECK_ID: Final = re.compile(r"cors_wsgi\.W[0-9]{3}")


def defined_codes() -> dict[str, str]:
    """Every code of `Code`, by value, with the attribute that names it."""
    return {
        value: name
        for name, value in vars(Code).items()
        if not name.startswith("_") and isinstance(value, str)
    }


def used_check_ids() -> set[str]:
    """Every ``cors_wsgi.W...`` id that appears in the package's source."""
    found: set[str] = set()
    for path in PACKAGE_DIR.rglob("*.py"):
        found.update(CHECK_ID.findall(path.read_text(encoding="utf-8")))
    # The core's own warnings (W100...) reach Django under cors_wsgi.W100 too; they are
    # described once, in CATALOGUE.
    return found - {f"cors_wsgi.{code}" for code in defined_codes()}


def missing_entries() -> list[str]:
    """What to add so that every code the package defines has its entry, in words."""
    from cors_wsgi.django.checks import CHECKS

    missing = [
        f"cors_wsgi/core/errors.py defines Code.{name} = {code!r} but CATALOGUE has no entry "
        f"for it: add `Code.{name}: CodeEntry(title, trigger, fix, example)` to CATALOGUE "
        "in cors_wsgi/core/catalogue.py (example: a Policy(...) expression that raises it)"
        for code, name in sorted(defined_codes().items())
        if code not in CATALOGUE
    ]
    missing.extend(
        f"{check_id} is used in cors_wsgi/ but CHECKS has no entry for it: add "
        f"`{check_id!r}: CodeEntry(title, trigger, fix, example)` to CHECKS in "
        "cors_wsgi/django/checks.py (example: the settings lines that trigger it)"
        for check_id in sorted(used_check_ids() - set(CHECKS))
    )
    missing.extend(
        f"CATALOGUE in cors_wsgi/core/catalogue.py describes {code!r}, which Code does not "
        "define: "
        "remove the entry or add the code to Code"
        for code in sorted(set(CATALOGUE) - set(defined_codes()))
    )
    return missing


def _bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def example_namespace() -> dict[str, Any]:
    """The names a catalogue example may use."""
    from flask import Flask

    from cors_wsgi.flask import CORS

    return {
        "Policy": Policy,
        "CORSMiddleware": CORSMiddleware,
        "app": _bare_app,
        "Flask": Flask,
        "CORS": CORS,
    }


def core_example_problem(code: str) -> ConfigProblem:
    """The problem that the catalogue's example for ``code`` raises (or RuntimeError)."""
    entry = CATALOGUE[code]
    try:
        # trusted source: the package's own table
        built = eval(entry.example, example_namespace())
    except ConfigError as error:
        for problem in error.errors:
            if problem.code == code:
                return problem
        raise RuntimeError(
            f"the example of {code} in cors_wsgi/core/catalogue.py CATALOGUE, {entry.example}, "
            f"raises other codes ({', '.join(p.code for p in error.errors)}): give an example "
            f"that raises {code}"
        ) from error
    # A warning (W100...) is carried by a valid policy instead of raised.
    for warning in getattr(built, "warnings", ()):
        if warning.code == code:
            return warning  # type: ignore[no-any-return]
    raise RuntimeError(
        f"the example of {code} in cors_wsgi/core/catalogue.py CATALOGUE, {entry.example}, raises "
        f"nothing: give an example that raises {code} (or, for a warning, a Policy that "
        "carries it)"
    )


def example_settings(entry: CodeEntry) -> dict[str, Any]:
    """The settings a Django check example assigns."""
    values: dict[str, Any] = {}
    exec(entry.example, {}, values)  # trusted source: the package's own table
    return values


def check_example_messages(check_id: str) -> list[Any]:
    """The messages with ``check_id`` that the checks report for its example's settings."""
    from django.test import override_settings

    from cors_wsgi.django.checks import CHECKS, check_settings

    with override_settings(**example_settings(CHECKS[check_id])):
        return [message for message in check_settings() if message.id == check_id]


def _entry_markdown(heading: str, entry: CodeEntry, shown: str, example_kind: str) -> str:
    return "\n".join(
        [
            f"({heading.split(':')[0]})=",
            f"### {heading}",
            "",
            f"**When**: {entry.trigger}",
            "",
            f"**Fix**: {entry.fix}",
            "",
            f"{example_kind}:",
            "",
            "```python",
            entry.example,
            "```",
            "",
            "reports:",
            "",
            "```text",
            *textwrap.wrap(shown, 88, break_long_words=False, break_on_hyphens=False),
            "```",
            "",
        ]
    )


def _core_entries() -> Iterator[str]:
    for code in sorted(CATALOGUE):
        entry = CATALOGUE[code]
        yield _entry_markdown(
            f"{code}: {entry.title}", entry, str(core_example_problem(code)), "For example"
        )


def _check_entries() -> Iterator[str]:
    from cors_wsgi.django.checks import CHECKS

    for check_id in sorted(CHECKS):
        entry = CHECKS[check_id]
        messages = check_example_messages(check_id)
        if not messages:
            raise RuntimeError(
                f"the example of {check_id} in cors_wsgi/django/checks.py CHECKS does not "
                f"trigger it: give settings lines that do"
            )
        message = messages[0]
        shown = f"{message.id}: {message.msg} HINT: {message.hint}"
        yield _entry_markdown(f"{check_id}: {entry.title}", entry, shown, "In settings.py")


def reference_markdown() -> str:
    """The generated part of the error reference page, in MyST Markdown."""
    problems = missing_entries()
    if problems:
        raise RuntimeError("the error reference is incomplete:\n" + "\n".join(problems))
    return "\n".join(
        [
            "## Configuration errors",
            "",
            "Raised as `ConfigError` by every adapter; under Django, reported by the system "
            "checks with the id `cors_wsgi.` followed by the code (`cors_wsgi.E001`).",
            "",
            *_core_entries(),
            "## Django system check warnings",
            "",
            "Reported by `manage.py check` (tag `security`); legal settings that are likely "
            "wrong.",
            "",
            *_check_entries(),
        ]
    )


def configure_django() -> None:
    """Settings for running the Django examples, unless a test run configured its own."""
    import django
    from django.conf import settings

    if not settings.configured:
        settings.configure(
            INSTALLED_APPS=[
                "django.contrib.contenttypes",
                "django.contrib.auth",
                "cors_wsgi.django",
            ],
            MIDDLEWARE=["cors_wsgi.django.CorsMiddleware"],
            ROOT_URLCONF=__name__,
        )
        django.setup()


urlpatterns: list[Any] = []  # the ROOT_URLCONF of the Django used to run the examples


def _replace_marker(app: Any, docname: str, source: list[str]) -> None:
    if MARKER in source[0]:
        configure_django()
        source[0] = source[0].replace(MARKER, reference_markdown())


# `E012`, `cors_wsgi.E012` or `cors_wsgi.W001` written as inline code anywhere in the site.
CODE_LITERAL: Final = re.compile(r"(?:cors_wsgi\.)?([EW][0-9]{3})")


def _link_codes(app: Any, doctree: Any, docname: str) -> None:
    """Make every inline mention of a code a link to its entry in the error reference."""
    from docutils import nodes

    known = set(CATALOGUE) | {check_id.split(".")[1] for check_id in used_check_ids()}
    for literal in list(doctree.findall(nodes.literal)):
        match = CODE_LITERAL.fullmatch(literal.astext())
        if match is None or match[1] not in known or isinstance(literal.parent, nodes.reference):
            continue
        label = match[1] if match[1].startswith("E") else f"cors_wsgi.{match[1]}"
        target = app.env.get_domain("std").labels.get(label.lower())
        if target is None:
            continue
        uri = app.builder.get_relative_uri(docname, target[0]) + "#" + target[1]
        reference = nodes.reference("", "", internal=True, refuri=uri)
        literal.replace_self(reference)
        reference.append(literal)


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _replace_marker)
    app.connect("doctree-resolved", _link_codes)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
