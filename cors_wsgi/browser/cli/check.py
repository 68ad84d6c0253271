"""``cors-wsgi check``: a configuration given as flags, a Django settings module or an app."""

from __future__ import annotations

import argparse
import os
from typing import IO, Any

from cors_wsgi.browser.cli.apps import check_asgi, check_wsgi
from cors_wsgi.browser.cli.django_settings import describe_django, run_django_checks
from cors_wsgi.browser.cli.output import (
    EXIT_USAGE,
    Report,
    Style,
    add_policy_warnings,
    describe_policy,
)
from cors_wsgi.browser.loading import LoadFailure, importing_from_current_directory
from cors_wsgi.core.errors import ConfigError
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.policy import Policy
from cors_wsgi.core.vocabulary import Vocabulary


def _policy_keywords(options: argparse.Namespace) -> dict[str, Any]:
    """The CORSMiddleware keywords the flags of ``check`` spell out."""
    keywords: dict[str, Any] = {}
    if options.allow_origin:
        origins = options.allow_origin
        keywords["allow_origins"] = ANY if origins == [ANY] else origins
    if options.allow_origin_regex:
        keywords["allow_origin_regex"] = options.allow_origin_regex
    if options.allow_method:
        methods = options.allow_method
        keywords["allow_methods"] = ANY if methods == [ANY] else methods
    if options.allow_header:
        keywords["allow_headers"] = options.allow_header
    if options.expose_header:
        exposed = options.expose_header
        keywords["expose_headers"] = ANY if exposed == [ANY] else exposed
    if options.allow_credentials:
        keywords["allow_credentials"] = True
    if options.allow_private_network:
        keywords["allow_private_network"] = True
    if options.max_age is not None:
        keywords["max_age"] = None if options.max_age == "none" else _int_or_text(options.max_age)
    if options.preflight_status is not None:
        keywords["preflight_status"] = _int_or_text(options.preflight_status)
    return keywords


def _int_or_text(value: str) -> int | str:
    # A value that is not a number goes to the core as written, which reports it (E021/E026).
    try:
        return int(value)
    except ValueError:
        return value


# The flag of ``check`` that spells each keyword, so problems name what the user typed.
_FLAG_OF_KEYWORD = {
    "allow_origins": "--allow-origin",
    "allow_origin_regex": "--allow-origin-regex",
    "allow_methods": "--allow-method",
    "allow_headers": "--allow-header",
    "expose_headers": "--expose-header",
    "allow_credentials": "--allow-credentials",
    "allow_private_network": "--allow-private-network",
    "max_age": "--max-age",
    "preflight_status": "--preflight-status",
}


# The core's words in check's flags, for the warnings a valid policy carries.
_FLAG_VOCABULARY = Vocabulary(
    "cors-wsgi check",
    names=_FLAG_OF_KEYWORD,
    phrases={
        "allow_headers=['*', 'authorization']": "--allow-header '*' --allow-header authorization"
    },
)


def _check_keywords(options: argparse.Namespace, report: Report) -> str:
    keywords = _policy_keywords(options)
    try:
        policy = Policy(**keywords)
    except ConfigError as error:
        report.add_problems(
            [p.renamed(_FLAG_OF_KEYWORD.get(p.option, p.option)) for p in error.errors]
        )
        return "the configuration"
    report.notes.extend("  " + line for line in describe_policy(policy))
    add_policy_warnings(report, policy.in_words_of(_FLAG_VOCABULARY))
    if not policy.allow_origins and not policy.allow_origin_regex:
        report.warnings.append(
            "no origin is allowed, so browsers refuse every cross-origin request; add "
            "--allow-origin https://app.example.com"
        )
    return "the configuration"


def check_django(module: str, report: Report) -> str:
    subject = f"Django settings {module}"
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        import django

        django.setup()
    except Exception as error:  # an unusable settings module cannot be checked at all
        raise LoadFailure(
            f"cannot load the Django settings {module!r}: {type(error).__name__}: {error}"
        ) from error
    if run_django_checks(report):
        describe_django(report, "")
    return subject


def run_check(options: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    style = Style(out, options.color)
    report = Report()
    try:
        with importing_from_current_directory():
            if options.django_settings:
                subject = check_django(options.django_settings, report)
            elif options.wsgi:
                subject = check_wsgi(options.wsgi, report)
            elif options.asgi:
                subject = check_asgi(options.asgi, report)
            else:
                subject = _check_keywords(options, report)
    except LoadFailure as failure:
        # Nothing was checked: not a configuration error, so not exit status 1.
        print(f"cors-wsgi check: {failure}", file=err)
        return EXIT_USAGE
    return report.print(out, style, subject)
