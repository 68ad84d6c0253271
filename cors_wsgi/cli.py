"""The ``cors-wsgi`` command: check a configuration, probe a live URL, run the demo.

- ``cors-wsgi check``: validates a CORS configuration given as flags named after the
  keywords of :class:`~cors_wsgi.CORSMiddleware`, as a Django settings module, or as the
  import path of a WSGI application; prints every problem with its fix; exits 1 when
  there is an error (so it can run in CI).
- ``cors-wsgi probe URL --origin O``: sends what a browser sends (the preflight when one is
  needed, then the actual request), runs the browser's CORS check
  (:mod:`cors_wsgi.fetch`) on the answers and prints the verdict step by step. Exits 0 when
  the browser would let the page read the response, 1 when it would block it, 2 on a
  usage or network error. Works against any server.
- ``cors-wsgi demo``: serves the example API and a page that calls it. Only in a checkout
  of the repository (the examples are not in the wheel): an installed package does not
  list it, and says where it lives when asked for it.

Only the standard library is used; Django is imported only by ``check --django-settings``
(or when ``check --wsgi`` imports a Django project).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import cors_wsgi
from cors_wsgi.core.errors import ConfigError, ConfigProblem, ProblemCollector
from cors_wsgi.core.origin_patterns import parse_origin_pattern
from cors_wsgi.core.policy import Policy
from cors_wsgi.core.vocabulary import Vocabulary
from cors_wsgi.fetch import parse_header_argument
from cors_wsgi.loading import (
    FACTORY_NAMES,
    LoadFailure,
    importing_from_current_directory,
    load,
    parse_target,
)
from cors_wsgi.probe import NetworkError, Probe, ProbeSettings, url_problem
from cors_wsgi.wsgi import CORSMiddleware

if TYPE_CHECKING:
    from collections.abc import Sequence

    from _typeshed.wsgi import WSGIApplication

__all__ = ["main"]

EXIT_ALLOWED = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
# Layers that wrap a WSGI app usually keep it under one of these names.
_WRAPPED_APP_ATTRIBUTES = ("app", "application", "wsgi_app", "_app")


# ---- output


class _Style:
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


# ---- check


def _policy_keywords(options: argparse.Namespace) -> dict[str, Any]:
    """The CORSMiddleware keywords the flags of ``check`` spell out."""
    keywords: dict[str, Any] = {}
    if options.allow_origin:
        origins = options.allow_origin
        keywords["allow_origins"] = "*" if origins == ["*"] else origins
    if options.allow_origin_regex:
        keywords["allow_origin_regex"] = options.allow_origin_regex
    if options.allow_method:
        methods = options.allow_method
        keywords["allow_methods"] = "*" if methods == ["*"] else methods
    if options.allow_header:
        keywords["allow_headers"] = options.allow_header
    if options.expose_header:
        exposed = options.expose_header
        keywords["expose_headers"] = "*" if exposed == ["*"] else exposed
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


def _describe(policy: Policy) -> list[str]:
    origins = ", ".join(policy.allow_origins) or "none"
    lines = [f"origins: {origins}"]
    if policy.allow_origin_regex:
        lines.append("origin regexes: " + ", ".join(r.pattern for r in policy.allow_origin_regex))
    if policy.allow_methods == ("*",):
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
class _Report:
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

    def print(self, out: IO[str], style: _Style, subject: str) -> int:
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


def _note_policy(report: _Report, label: str, policy: Policy) -> None:
    """List a policy found in an application, with the warnings it carries."""
    report.notes.append(label)
    report.notes.extend("    " + line for line in _describe(policy))
    _add_policy_warnings(report, policy, label)


def _add_policy_warnings(report: _Report, policy: Policy, where: str = "") -> None:
    """What the policy holds that is valid but most likely not meant (Policy.warnings)."""
    prefix = f"{where}: " if where else ""
    for warning in policy.warnings:
        worded = policy.vocabulary.problem(warning)
        report.warnings.append(
            f"[{warning.code}] {prefix}{worded.option} = {warning.value!r}: {worded.message}"
        )


def _check_keywords(options: argparse.Namespace, report: _Report) -> str:
    keywords = _policy_keywords(options)
    try:
        policy = Policy(**keywords)
    except ConfigError as error:
        report.add_problems(
            [p.renamed(_FLAG_OF_KEYWORD.get(p.option, p.option)) for p in error.errors]
        )
        return "the configuration"
    report.notes.extend("  " + line for line in _describe(policy))
    _add_policy_warnings(report, policy.in_words_of(_FLAG_VOCABULARY))
    if not policy.allow_origins and not policy.allow_origin_regex:
        report.warnings.append(
            "no origin is allowed, so browsers refuse every cross-origin request; add "
            "--allow-origin https://app.example.com"
        )
    return "the configuration"


def _check_django(module: str, report: _Report) -> str:
    subject = f"Django settings {module}"
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        import django

        django.setup()
    except Exception as error:  # an unusable settings module cannot be checked at all
        raise LoadFailure(
            f"cannot load the Django settings {module!r}: {type(error).__name__}: {error}"
        ) from error
    if _run_django_checks(report):
        _describe_django(report, "")
    return subject


def _run_django_checks(report: _Report) -> bool:
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


def _describe_django(report: _Report, where: str) -> None:
    """The policies of valid CORS_* settings, per path, and of every decorated view."""
    from cors_wsgi.django.conf import compile_settings

    prefix = f"{where}: " if where else ""
    compiled, _ = compile_settings()
    for label, policy in compiled.scopes if compiled is not None else ():
        report.notes.append(f"{prefix}{label}")
        report.notes.extend("    " + line for line in _describe(policy))
    try:
        views = _django_marked_views()
    except Exception as error:  # the URLconf is the project's; its failure is a note here
        report.notes.append(f"{prefix}per-view policies not listed: the URLconf raised {error!r}")
        return
    for label, mark in views:
        if isinstance(mark, Policy):
            report.notes.append(f"{prefix}view {label}, @cross_origin)")
            report.notes.extend("    " + line for line in _describe(mark))
        else:
            report.notes.append(f"{prefix}view {label}, cors_exempt): no CORS")


def _django_marked_views() -> list[tuple[str, object]]:
    """``(label, mark)`` for every view of ROOT_URLCONF decorated with cross_origin or
    cors_exempt, walking included URLconfs; the label is "name (route" (closed by the
    caller)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    from cors_wsgi.django.decorators import mark_of_view

    found: list[tuple[str, object]] = []

    def walk(patterns: Sequence[object], route: str) -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, route + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                mark = mark_of_view(entry.callback)
                if mark is not None:
                    # A class-based view's as_view() function is named "view": use the class.
                    named = getattr(entry.callback, "view_class", entry.callback)
                    name = getattr(named, "__name__", repr(named))
                    found.append((f"{name} ({route}{entry.pattern}", mark))

    walk(get_resolver().url_patterns, "")
    return found


def _load_object(path: str) -> object:
    """The application ``path`` names (module:attribute, or a factory); see loading.py."""
    return load(path)


def _cors_layers(app: object) -> list[tuple[str, object]]:
    """Every layer of the WSGI stack under ``app`` (following ``.app``, ``.wsgi_app``...),
    with the path of attributes that leads to it."""
    layers: list[tuple[str, object]] = []
    seen: set[int] = set()
    node: object | None = app
    path = "app"
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        layers.append((path, node))
        following = None
        for attribute in _WRAPPED_APP_ATTRIBUTES:
            candidate = getattr(node, attribute, None)
            if candidate is not None and callable(candidate):
                following = getattr(candidate, "__self__", candidate)
                path = f"{path}.{attribute}"
                break
        node = following
    return layers


def _is_django_handler(layer: object) -> bool:
    return type(layer).__module__.startswith("django.core.handlers")


def _is_flask_app(layer: object) -> bool:
    return type(layer).__module__.startswith("flask.") and isinstance(
        getattr(layer, "extensions", None), dict
    )


def _describe_flask(app: Any, where: str, report: _Report) -> bool:
    """The policies of a Flask app's CORS() calls, blueprints and @cross_origin views;
    True when the app has any."""
    from cors_wsgi.flask.extension import ROUTE_ATTRIBUTE, state_of

    found = False
    state = state_of(app)
    scopes: list[tuple[str, Any]] = []
    if state is not None:
        for paths in state.app_paths:
            scopes.extend((f"CORS(app) {_path_label(key)}", p) for key, p in paths.entries)
        for name, layers in state.blueprint_paths.items():
            for paths in layers:
                scopes.extend(
                    (f"blueprint {name!r}" + ("" if key == "/" else f" {_path_label(key)}"), p)
                    for key, p in paths.entries
                )
    for endpoint, view in sorted(app.view_functions.items()):
        route = getattr(view, ROUTE_ATTRIBUTE, None)
        if route is None:
            continue
        try:
            scopes.append((f"view {endpoint!r} (@cross_origin)", route.policy_for(app)))
        except ConfigError as error:
            found = True
            report.add_problems(error.errors, f"{where}: view {endpoint!r} (@cross_origin)")
    if state is not None or scopes:
        found = True
        report.notes.append(f"{where}: a Flask app with cors_wsgi.flask's CORS")
    for label, policy in scopes:
        _note_policy(report, f"{where}: {label}", policy)
    return found


def _path_label(key: object) -> str:
    if key == "/":
        return "every path"
    if isinstance(key, re.Pattern):
        return f"paths matching re.compile({key.pattern!r})"
    return f"{key!r}"


def _no_layer_advice(path: str, layers: list[tuple[str, object]]) -> str:
    chain = " -> ".join(type(layer).__name__ for _, layer in layers)
    found = f"no cors_wsgi layer found in {path} (looked through {chain})"
    if any(_is_flask_app(layer) for _, layer in layers):
        advice = f"{found}; this Flask app has no CORS: call CORS(app) or cors.init_app(app)"
        module = sys.modules.get(parse_target(path).module)
        factories = [name for name in FACTORY_NAMES if callable(getattr(module, name, None))]
        if factories:
            advice += (
                f". If {factories[0]}() does that, check the app it returns: "
                f"cors-wsgi check --wsgi {parse_target(path).module}:{factories[0]}()"
            )
        return advice
    if any(_is_django_handler(layer) for _, layer in layers):
        return (
            f"{found}; add 'cors_wsgi.django.middleware.CorsMiddleware' to MIDDLEWARE, "
            "above CommonMiddleware"
        )
    return f"{found}; wrap it: CORSMiddleware(app, allow_origins=[...])"


def _import_app(path: str, report: _Report) -> object | None:
    """The application ``path`` names, or ``None`` when importing it raised a CORS
    configuration error (then in ``report``); other failures raise LoadFailure."""
    try:
        return _load_object(path)
    except ConfigError as error:
        report.add_problems(error.errors)
        report.notes.append(f"importing {path} raised ConfigError: its CORS configuration")
        return None
    except LoadFailure:
        raise
    except Exception as error:  # loading.load lets only Django's ImproperlyConfigured by
        try:
            cors_settings_valid = _run_django_checks(report)
        except Exception:  # Django is not even configured: nothing to check
            cors_settings_valid = True
        if cors_settings_valid:
            # Not the CORS settings: Django refused something else of the project.
            message = " ".join(str(error).split())
            raise LoadFailure(
                f"cannot import {path}: importing it raised {type(error).__name__}: {message}"
            ) from error
        # Django refused its settings while building the handler (our middleware raises
        # ImproperlyConfigured for invalid CORS_* settings): the system checks just listed
        # each problem, under its setting's name.
        report.notes.append(f"importing {path}: Django refused its CORS settings")
        return None


def _describe_middleware(where: str, layer: CORSMiddleware, report: _Report) -> None:
    policies = (
        [("", layer.policy)]
        if layer.policy is not None
        else [(f" {key!r}", p) for key, p in layer.paths.entries]  # type: ignore[union-attr]
    )
    for key, policy in policies:
        _note_policy(report, f"{where}: CORSMiddleware{key}", policy)


def _check_wsgi(path: str, report: _Report) -> str:
    subject = f"the WSGI application {path}"
    app = _import_app(path, report)
    if app is None:
        return subject
    layers = _cors_layers(app)
    count = 0  # CORS layers found: more than one stack Access-Control-Allow-Origin lines
    for where, layer in layers:
        if isinstance(layer, CORSMiddleware):
            _describe_middleware(where, layer, report)
            count += 1
        elif _is_django_handler(layer):
            report.notes.append(f"{where}: a Django project; checking its settings")
            django_cors = _django_uses_cors_wsgi()
            if _run_django_checks(report) and django_cors:
                _describe_django(report, where)
            count += django_cors
        elif _is_flask_app(layer):
            count += _describe_flask(layer, where, report)
    if count > 1:
        report.errors.append(
            f"{count} CORS layers are stacked; each replaces or adds "
            "Access-Control-Allow-Origin, and two lines make browsers refuse every response: "
            "keep one"
        )
    elif count == 0:
        report.warnings.append(_no_layer_advice(path, layers))
    return subject


async def _never_called(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    raise AssertionError("cors-wsgi check never calls the application")


def _check_asgi(path: str, report: _Report) -> str:
    """``check --asgi module:app`` (or ``module:create_app()``): the ASGI middleware found
    by wrapping (``.app``) or in a Starlette/FastAPI app's ``user_middleware``, which
    Starlette builds only on the first request: it is built here to be checked."""
    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

    subject = f"the ASGI application {path}"
    try:
        app = _load_object(path)  # module:app, module:create_app or module:create_app()
    except ConfigError as error:
        report.add_problems(error.errors)
        report.notes.append(f"loading {path} raised ConfigError: its CORS configuration")
        return subject
    found: list[tuple[str, Any]] = []
    other_cors = []
    for where, layer in _cors_layers(app):
        if isinstance(layer, ASGIMiddleware):
            found.append((where, layer))
        for index, entry in enumerate(getattr(layer, "user_middleware", None) or ()):
            cls, args, kwargs = entry
            if cls is ASGIMiddleware:
                try:
                    found.append(
                        (f"{where}.user_middleware[{index}]", cls(_never_called, *args, **kwargs))
                    )
                except ConfigError as error:
                    report.add_problems(error.errors)
                    found.append((f"{where}.user_middleware[{index}]", None))
            elif getattr(cls, "__name__", "") == "CORSMiddleware":
                other_cors.append(f"{cls.__module__}.CORSMiddleware")
    for where, layer in found:
        if layer is None:
            continue
        policies = (
            [("", layer.policy)]
            if layer.policy is not None
            else [(f" {key!r}", p) for key, p in layer.paths.entries]
        )
        for key, policy in policies:
            report.notes.append(f"{where}: CORSMiddleware{key}")
            report.notes.extend("    " + line for line in _describe(policy))
    if len(found) + len(other_cors) > 1:
        report.errors.append(
            f"{len(found) + len(other_cors)} CORS layers are stacked "
            f"({', '.join(['cors_wsgi.asgi.CORSMiddleware'] * len(found) + other_cors)}); "
            "two Access-Control-Allow-Origin lines make browsers refuse every response: keep "
            "cors_wsgi's and remove the other"
        )
    elif not found:
        report.warnings.append(
            f"no cors_wsgi layer found in {path}; add one: "
            "app.add_middleware(CORSMiddleware, allow_origins=[...]) with "
            "'from cors_wsgi.asgi import CORSMiddleware'"
        )
    return subject


def _django_uses_cors_wsgi() -> bool:
    from django.conf import settings

    from cors_wsgi.django.checks import MIDDLEWARE_PATHS

    return any(entry in MIDDLEWARE_PATHS for entry in getattr(settings, "MIDDLEWARE", ()))


def _run_check(options: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    style = _Style(out, options.color)
    report = _Report()
    try:
        with importing_from_current_directory():
            if options.django_settings:
                subject = _check_django(options.django_settings, report)
            elif options.wsgi:
                subject = _check_wsgi(options.wsgi, report)
            elif options.asgi:
                subject = _check_asgi(options.asgi, report)
            else:
                subject = _check_keywords(options, report)
    except LoadFailure as failure:
        # Nothing was checked: not a configuration error, so not exit status 1.
        print(f"cors-wsgi check: {failure}", file=err)
        return EXIT_USAGE
    return report.print(out, style, subject)


# ---- probe


def _origin_problem(origin: str) -> str | None:
    """Why ``origin`` is not something a browser sends in Origin, or ``None``: the core's
    own origin grammar (R36-R39) decides; ``null`` (R40) is allowed, to probe what sandboxed
    pages and redirected requests get."""
    if origin == "null":
        return None
    problems = ProblemCollector()
    pattern = parse_origin_pattern(origin, "--origin", problems)
    if problems.problems:
        return problems.problems[0].message
    if pattern is None or not pattern.is_exact:
        return "give one origin a page can have, not a pattern, e.g. https://app.example.com"
    return None


def _shown_response_header(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("access-control-") or lower in ("vary", "location")


def _print_probe(probe: Probe, out: IO[str], style: _Style) -> None:
    for exchange in probe.exchanges:
        label = " (preflight)" if exchange.kind == "preflight" else ""
        print(style.dim(f"> {exchange.method} {exchange.url}{label}"), file=out)
        for name, value in exchange.headers:
            print(style.dim(f">   {name}: {value}"), file=out)
        print(style.dim(f"< {exchange.response.status} {exchange.reason}"), file=out)
        for name, value in exchange.response.headers:
            if _shown_response_header(name):
                print(style.dim(f"<   {name}: {value}"), file=out)
    for verdict in probe.verdicts:
        headline = verdict.summary
        print(style.good(headline) if verdict.allowed else style.bad(headline), file=out)
        for step in verdict.steps:
            mark = style.good("  ok  ") if step.passed else style.bad("  FAIL")
            print(f"{mark} {step.message}", file=out)
        if verdict.console_message is not None:
            print(f"  Chromium's console says: {verdict.console_message}", file=out)
    for line in (line for exchange in probe.exchanges for line in exchange.server_log):
        # Run in process, the application's own log says why it refused, exactly.
        print(f"  the application's log says: {line}", file=out)


def _probed_app(target: str) -> WSGIApplication:
    """The application ``probe --wsgi`` calls in process; raises LoadFailure."""
    try:
        with importing_from_current_directory():
            app = load(target)
    except ConfigError as error:
        raise LoadFailure(
            f"{target} has an invalid CORS configuration ({len(error.errors)} problem(s)); "
            f"see cors-wsgi check --wsgi {target}"
        ) from error
    if not callable(app):
        raise LoadFailure(f"{target} is not a WSGI application")
    return cast("WSGIApplication", app)


def _run_probe(options: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    problem = _origin_problem(options.origin)
    if problem is not None:
        print(f"cors-wsgi probe: --origin {options.origin!r}: {problem}", file=err)
        return EXIT_USAGE
    problem = url_problem(options.url)
    if problem is not None:
        print(f"cors-wsgi probe: {options.url!r} {problem}", file=err)
        return EXIT_USAGE
    try:
        for text in options.header:
            parse_header_argument(text)
    except ValueError as error:
        print(f"cors-wsgi probe: --header {error}", file=err)
        return EXIT_USAGE
    if not options.timeout > 0:
        print(
            f"cors-wsgi probe: --timeout {options.timeout:g}: give a number of seconds above 0",
            file=err,
        )
        return EXIT_USAGE
    if options.cookie and not options.credentials:
        print(
            "cors-wsgi probe: --cookie is ignored without --credentials: a browser sends "
            "cookies cross-origin only with credentials: 'include'",
            file=err,
        )
    try:
        app = _probed_app(options.wsgi) if options.wsgi else None
    except LoadFailure as failure:
        print(f"cors-wsgi probe: {failure}", file=err)
        return EXIT_USAGE
    probe = Probe(
        ProbeSettings(
            url=options.url,
            origin=options.origin,
            method=options.method,
            headers=tuple(options.header),
            credentials=options.credentials,
            cookie=options.cookie,
            data=options.data,
            force_preflight=options.force_preflight,
            timeout=options.timeout,
            insecure=options.insecure,
        ),
        app=app,
    )
    try:
        verdict = probe.run()
    except NetworkError as error:
        if options.json:
            json.dump({"error": str(error)}, out)
            print(file=out)
        print(f"cors-wsgi probe: network error: {error}", file=err)
        return EXIT_USAGE
    if options.json:
        data = {
            "allowed": verdict.allowed,
            "verdict": verdict.as_dict(),
            "hops": [v.as_dict() for v in probe.verdicts],
            "http": [exchange.as_dict() for exchange in probe.exchanges],
        }
        json.dump(data, out, indent=2)
        print(file=out)
    else:
        _print_probe(probe, out, _Style(out, options.color))
    return EXIT_ALLOWED if verdict.allowed else EXIT_BLOCKED


# ---- demo


def _checkout() -> Path | None:
    """The checkout this package sits in (an editable install or a clone), where the
    demo's examples live, or ``None`` for an installed wheel."""
    checkout = Path(cors_wsgi.__file__).resolve().parent.parent
    return checkout if (checkout / "example_projects" / "demo.py").is_file() else None


def _demo_available() -> bool:
    return importlib.util.find_spec("example_projects") is not None or _checkout() is not None


def _run_demo(arguments: list[str], err: IO[str]) -> int:
    # The demo's examples (and their page) are not in the wheel: they would land in
    # site-packages as a top-level "example_projects" package. So the demo is a tool of
    # the checkout, and the installed command neither lists it nor pretends to run it.
    try:
        demo = importlib.import_module("example_projects.demo")
    except ModuleNotFoundError:
        checkout = _checkout()
        if checkout is None:
            print(
                "cors-wsgi demo: the demo runs from a checkout of the repository "
                "(scripts/demo there); its examples are not part of the installed package",
                file=err,
            )
            return EXIT_USAGE
        sys.path.insert(0, str(checkout))
        demo = importlib.import_module("example_projects.demo")
    status: int = demo.main(arguments)
    return status


# ---- the command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cors-wsgi",
        description="Check CORS configurations and probe live URLs as a browser does"
        + (", or run the demo of this checkout." if _demo_available() else "."),
    )
    parser.add_argument("--version", action="version", version=cors_wsgi.__version__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    check_parser = commands.add_parser(
        "check",
        help="validate a CORS configuration and print every problem with its fix",
        description="Validate a CORS configuration: from flags named after CORSMiddleware's "
        "keywords, a Django settings module (--django-settings), or a WSGI application "
        "(--wsgi module:attribute). Exits 1 when there is an error.",
    )
    source = check_parser.add_mutually_exclusive_group()
    source.add_argument("--django-settings", metavar="MODULE", help="e.g. mysite.settings")
    source.add_argument("--wsgi", metavar="MODULE:ATTR", help="e.g. mysite.wsgi:application")
    source.add_argument(
        "--asgi", metavar="MODULE:ATTR", help="e.g. main:app, or main:create_app() for a factory"
    )
    flags = check_parser.add_argument_group("the CORSMiddleware keywords")
    flags.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="an allowed origin (repeat it), or '*'",
    )
    flags.add_argument("--allow-origin-regex", action="append", default=[], metavar="REGEX")
    flags.add_argument("--allow-method", action="append", default=[], metavar="METHOD")
    flags.add_argument("--allow-header", action="append", default=[], metavar="HEADER")
    flags.add_argument("--expose-header", action="append", default=[], metavar="HEADER")
    flags.add_argument("--allow-credentials", action="store_true")
    flags.add_argument("--allow-private-network", action="store_true")
    flags.add_argument("--max-age", metavar="SECONDS", help="0-86400, or 'none'")
    flags.add_argument("--preflight-status", metavar="STATUS", help="204 (default) or 200")
    check_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    probe_parser = commands.add_parser(
        "probe",
        help="send what a browser sends to URL and say whether it would allow the response",
        description="Send the preflight (when a browser would) and the actual request to URL "
        "with exactly the CORS headers a browser sends, run the browser's CORS check on the "
        "responses, and print the verdict step by step. Exit status: 0 allowed, 1 blocked, "
        "2 usage or network error.",
    )
    probe_parser.add_argument("url", metavar="URL")
    probe_parser.add_argument(
        "--wsgi",
        metavar="MODULE:ATTR",
        help="call this WSGI application in process instead of sending URL over the network "
        "(as check --wsgi finds it); its log then says exactly why it refused",
    )
    probe_parser.add_argument("--origin", required=True, help="the page's origin")
    probe_parser.add_argument("--method", default="GET", help="default: GET")
    probe_parser.add_argument(
        "--header",
        action="append",
        default=[],
        metavar="'NAME: VALUE'",
        help="a header the script sets (repeat it)",
    )
    probe_parser.add_argument(
        "--credentials", action="store_true", help="fetch(..., {credentials: 'include'})"
    )
    probe_parser.add_argument(
        "--cookie", help="the Cookie the browser would send (with --credentials)"
    )
    probe_parser.add_argument("--data", help="the request body (a string, as fetch() sends it)")
    probe_parser.add_argument(
        "--force-preflight",
        action="store_true",
        help="as with upload listeners: a preflight even for simple requests",
    )
    probe_parser.add_argument("--timeout", type=float, default=10.0, help="seconds (default 10)")
    probe_parser.add_argument(
        "--insecure", action="store_true", help="do not verify TLS certificates"
    )
    probe_parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    probe_parser.add_argument("--color", choices=("auto", "always", "never"), default="auto")

    if _demo_available():
        commands.add_parser(
            "demo",
            help="serve the example API and a page on another origin that calls it",
            description="Runs the demo of a checkout (python3 -m example_projects.demo); "
            "arguments after 'demo' are passed on (e.g. 'cors-wsgi demo flask --quiet').",
            add_help=False,
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments[:1] == ["demo"]:
        return _run_demo(arguments[1:], sys.stderr)
    options = _parser().parse_args(arguments)
    if options.command == "check":
        return _run_check(options, sys.stdout, sys.stderr)
    return _run_probe(options, sys.stdout, sys.stderr)
