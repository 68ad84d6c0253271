"""What the commands print: colours, exit statuses, the report of check, a policy in lines."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING

from cors_wsgi.core.headers import ANY
from cors_wsgi.core.policy import Policy

if TYPE_CHECKING:
    from collections.abc import Sequence

    from cors_wsgi.core.errors import ConfigProblem

EXIT_ALLOWED = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2


class Style:
    """ANSI colours when writing to a terminal (and NO_COLOR is unset), else plain text."""

    def __init__(self, stream: IO[str], choice: str) -> None:
        if choice == "auto":
            enabled = stream.isatty() and not os.environ.get("NO_COLOR")
        else:
            enabled = choice == "always"
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.enabled else text

    def good(self, text: str) -> str:
        return self._wrap("32", text)

    def bad(self, text: str) -> str:
        return self._wrap("31;1", text)

    def dim(self, text: str) -> str:
        return self._wrap("2", text)

    def bold(self, text: str) -> str:
        return self._wrap("1", text)


def describe_policy(policy: Policy) -> list[str]:
    origins = ", ".join(policy.allow_origins) or "none"
    lines = [f"origins: {origins}"]
    if policy.allow_origin_regex:
        lines.append("origin regexes: " + ", ".join(r.pattern for r in policy.allow_origin_regex))
    if policy.allow_methods == (ANY,):
        lines.append("methods: any ('*')")
    else:
        always = ("GET", "HEAD", "POST")  # R9: never need to be listed
        extra = [m for m in policy.allow_methods if m not in always]
        lines.append("methods: " + ", ".join([*always, *extra]))
    if policy.allow_headers:
        lines.append("request headers: " + ", ".join(policy.allow_headers))
    if policy.expose_headers:
        lines.append("exposed headers: " + ", ".join(policy.expose_headers))
    lines.append(f"credentials: {'allowed' if policy.allow_credentials else 'not allowed'}")
    lines.append(
        "preflight cache: "
        + ("no Access-Control-Max-Age" if policy.max_age is None else f"{policy.max_age} s")
    )
    return lines


@dataclass
class Report:
    """What ``check`` found: problems (errors), warnings and notes, printed in that order."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add_problems(self, problems: Sequence[ConfigProblem], where: str = "") -> None:
        prefix = f"{where}: " if where else ""
        for problem in problems:
            self.errors.append(
                f"[{problem.code}] {prefix}{problem.option} = {problem.value!r}: {problem.message}"
            )

    def print(self, out: IO[str], style: Style, subject: str) -> int:
        for line in self.notes:
            print(line, file=out)
        for line in self.warnings:
            print(f"{style.bold('warning')} {line}", file=out)
        for line in self.errors:
            print(f"{style.bad('error')} {line}", file=out)
        if self.errors:
            count = len(self.errors)
            print(
                style.bad(
                    f"{subject}: {count} error{'s' if count != 1 else ''}; fix "
                    f"{'them' if count != 1 else 'it'} and run cors-wsgi check again"
                ),
                file=out,
            )
            return 1
        verdict = "valid" + (f", with {len(self.warnings)} warning(s)" if self.warnings else "")
        print(style.good(f"{subject}: {verdict}"), file=out)
        return 0


def note_policy(report: Report, label: str, policy: Policy) -> None:
    """List a policy found in an application, with the warnings it carries."""
    report.notes.append(label)
    report.notes.extend("    " + line for line in describe_policy(policy))
    add_policy_warnings(report, policy, label)


def add_policy_warnings(report: Report, policy: Policy, where: str = "") -> None:
    """What the policy holds that is valid but most likely not meant (Policy.warnings)."""
    prefix = f"{where}: " if where else ""
    for warning in policy.warnings:
        worded = policy.vocabulary.problem(warning)
        report.warnings.append(
            f"[{warning.code}] {prefix}{worded.option} = {warning.value!r}: {worded.message}"
        )
