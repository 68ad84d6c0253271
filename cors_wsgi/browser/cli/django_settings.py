"""What ``check`` reads of a Django project: cors_wsgi's system checks, the policies per path
and per decorated view."""

from __future__ import annotations

from typing import TYPE_CHECKING

from cors_wsgi.browser.cli.output import Report, describe_policy
from cors_wsgi.core.policy import Policy

if TYPE_CHECKING:
    pass


def run_django_checks(report: Report) -> bool:
    """Adds cors_wsgi's Django system checks to ``report``; True when none is an error."""
    from django.core.checks import ERROR

    from cors_wsgi.django.checks import check_settings

    valid = True
    for message in check_settings():
        text = f"[{message.id}] {message.msg}"
        if message.hint:
            text += f" (hint: {message.hint})"
        if message.level >= ERROR:
            report.errors.append(text)
            valid = False
        else:
            report.warnings.append(text)
    return valid


def describe_django(report: Report, where: str) -> None:
    """The policies of valid CORS_* settings, per path, and of every decorated view."""
    from cors_wsgi.django.checks import marked_views
    from cors_wsgi.django.conf import compile_settings

    prefix = f"{where}: " if where else ""
    compiled, _ = compile_settings()
    for label, policy in compiled.scopes if compiled is not None else ():
        report.notes.append(f"{prefix}{label}")
        report.notes.extend("    " + line for line in describe_policy(policy))
    try:
        views = marked_views()
    except Exception as error:  # the URLconf is the project's; its failure is a note here
        report.notes.append(f"{prefix}per-view policies not listed: the URLconf raised {error!r}")
        return
    for name, route, mark in views:
        if isinstance(mark, Policy):
            report.notes.append(f"{prefix}view {name} ({route}, @cross_origin)")
            report.notes.extend("    " + line for line in describe_policy(mark))
        else:
            report.notes.append(f"{prefix}view {name} ({route}, cors_exempt): no CORS")


def django_uses_cors_wsgi() -> bool:
    from django.conf import settings

    from cors_wsgi.django.checks import MIDDLEWARE_PATHS

    return any(entry in MIDDLEWARE_PATHS for entry in getattr(settings, "MIDDLEWARE", ()))
