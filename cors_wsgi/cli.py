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
- ``cors-wsgi demo``: serves the example API and a page that calls it (from a checkout).

Only the standard library is used; Django is imported only by ``check --django-settings``
(or when ``check --wsgi`` imports a Django project).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import ssl
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import cors_wsgi
from cors_wsgi.errors import ConfigError, ConfigProblem, ProblemCollector
from cors_wsgi.fetch import (
    BrowserRequest,
    ResponseHead,
    Verdict,
    check,
    parse_header_argument,
)
from cors_wsgi.origins import parse_origin_pattern
from cors_wsgi.policy import Policy
from cors_wsgi.wsgi import CORSMiddleware

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["main"]

EXIT_ALLOWED = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 2
# Fetch's redirect limit (§http-redirect-fetch): a 21st redirect is a network error.
MAX_REDIRECTS = 20
USER_AGENT = f"cors-wsgi-probe/{cors_wsgi.__version__}"
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
    if not policy.allow_origins and not policy.allow_origin_regex:
        report.warnings.append(
            "no origin is allowed, so browsers refuse every cross-origin request; add "
            "--allow-origin https://app.example.com"
        )
    return "the configuration"


def _check_django(module: str, report: _Report) -> str:
    os.environ["DJANGO_SETTINGS_MODULE"] = module
    try:
        import django

        django.setup()
    except Exception as error:  # an unusable settings module is the finding itself
        report.errors.append(f"cannot load the Django settings {module!r}: {error}")
        return f"Django settings {module}"
    _run_django_checks(report)
    return f"Django settings {module}"


def _run_django_checks(report: _Report) -> None:
    from django.core.checks import ERROR

    from cors_wsgi.django.checks import check_settings

    for message in check_settings():
        text = f"[{message.id}] {message.msg}"
        if message.hint:
            text += f" (hint: {message.hint})"
        if message.level >= ERROR:
            report.errors.append(text)
        else:
            report.warnings.append(text)


def _load_object(path: str) -> object:
    module_name, _, attribute = path.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"{path!r} is not module:attribute, e.g. myproject.wsgi:application")
    directory = os.getcwd()
    sys.path.insert(0, directory)
    try:
        target: object = importlib.import_module(module_name)
    finally:
        sys.path.remove(directory)
    for name in attribute.split("."):
        target = getattr(target, name)
    return target


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


def _check_wsgi(path: str, report: _Report) -> str:
    subject = f"the WSGI application {path}"
    try:
        app = _load_object(path)
    except ConfigError as error:
        report.add_problems(error.errors)
        report.notes.append(f"importing {path} raised ConfigError: its CORS configuration")
        return subject
    except (ImportError, AttributeError, ValueError) as error:
        report.errors.append(f"cannot import {path}: {error}")
        return subject
    layers = _cors_layers(app)
    cors_layers: list[tuple[str, object]] = [
        (where, layer) for where, layer in layers if isinstance(layer, CORSMiddleware)
    ]
    django_cors = False
    for where, layer in layers:
        module = type(layer).__module__
        if module.startswith("django.core.handlers"):
            report.notes.append(f"{where}: a Django project; checking its settings")
            _run_django_checks(report)
            django_cors = _django_uses_cors_wsgi()
        elif module.startswith("flask.") and "cors_wsgi" in getattr(layer, "extensions", {}):
            report.notes.append(f"{where}: a Flask app with cors_wsgi.flask's CORS")
            cors_layers.append((where, layer))
    for where, layer in cors_layers:
        if isinstance(layer, CORSMiddleware):
            policies = (
                [("", layer.policy)]
                if layer.policy is not None
                else [(f" {key!r}", p) for key, p in layer.paths.entries]  # type: ignore[union-attr]
            )
            for key, policy in policies:
                report.notes.append(f"{where}: CORSMiddleware{key}")
                report.notes.extend("    " + line for line in _describe(policy))
    count = len(cors_layers) + django_cors
    if count > 1:
        report.errors.append(
            f"{count} CORS layers are stacked; each replaces or adds "
            "Access-Control-Allow-Origin, and two lines make browsers refuse every response "
            "(R18): keep one"
        )
    elif count == 0:
        report.warnings.append(
            f"no cors_wsgi layer found in {path} (looked through "
            + " -> ".join(type(layer).__name__ for _, layer in layers)
            + "); wrap it: CORSMiddleware(app, allow_origins=[...])"
        )
    return subject


async def _never_called(scope: Any, receive: Any, send: Any) -> None:  # pragma: no cover
    raise AssertionError("cors-wsgi check never calls the application")


def _check_asgi(path: str, report: _Report) -> str:
    """``check --asgi module:app`` (or ``module:create_app()``): the ASGI middleware found
    by wrapping (``.app``) or in a Starlette/FastAPI app's ``user_middleware``, which
    Starlette builds only on the first request: it is built here to be checked."""
    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

    subject = f"the ASGI application {path}"
    factory = path.endswith("()")
    try:
        app = _load_object(path[:-2] if factory else path)
        if factory:
            app = app()  # type: ignore[operator]
    except ConfigError as error:
        report.add_problems(error.errors)
        report.notes.append(f"loading {path} raised ConfigError: its CORS configuration")
        return subject
    except (ImportError, AttributeError, ValueError, TypeError) as error:
        report.errors.append(f"cannot load {path}: {error}")
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


def _run_check(options: argparse.Namespace, out: IO[str]) -> int:
    style = _Style(out, options.color)
    report = _Report()
    if options.django_settings:
        subject = _check_django(options.django_settings, report)
    elif options.wsgi:
        subject = _check_wsgi(options.wsgi, report)
    elif options.asgi:
        subject = _check_asgi(options.asgi, report)
    else:
        subject = _check_keywords(options, report)
    return report.print(out, style, subject)


# ---- probe


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands every 3xx back unfollowed: the probe follows redirects as a browser does."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class _Sent:
    """One HTTP exchange of the probe: what was sent and what came back."""

    kind: str
    method: str
    url: str
    headers: list[tuple[str, str]]
    response: ResponseHead
    reason: str

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "method": self.method,
            "url": self.url,
            "request_headers": [list(pair) for pair in self.headers],
            "status": self.response.status,
            "reason": self.reason,
            "response_headers": [list(pair) for pair in self.response.headers],
        }


class _NetworkError(Exception):
    """The server could not be reached (or answered something that is not HTTP)."""


def _send(
    opener: urllib.request.OpenerDirector,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    timeout: float,
) -> tuple[ResponseHead, str]:
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    merged.setdefault("User-Agent", USER_AGENT)
    request = urllib.request.Request(url, data=body, headers=merged, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return ResponseHead.create(response.status, response.headers.items()), response.reason
    except urllib.error.HTTPError as error:  # 3xx (unfollowed), 4xx, 5xx: still answers
        with error:
            return ResponseHead.create(error.code, error.headers.items()), str(error.reason)
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise _NetworkError(f"{method} {url}: {reason}") from error


def _same_origin(a: str, b: str) -> bool:
    first, second = urlsplit(a), urlsplit(b)
    default = {"http": 80, "https": 443}
    return (first.scheme, first.hostname, first.port or default.get(first.scheme)) == (
        second.scheme,
        second.hostname,
        second.port or default.get(second.scheme),
    )


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


@dataclass
class _Probe:
    """The state of one probe: the chain of requests a browser makes for one fetch()."""

    options: argparse.Namespace
    opener: urllib.request.OpenerDirector
    exchanges: list[_Sent] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def run(self) -> Verdict:
        options = self.options
        headers = [parse_header_argument(text) for text in options.header]
        body = options.data.encode() if options.data is not None else None
        if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
            # What fetch() adds for a string body (a safelisted value: no preflight for it).
            headers.append(("Content-Type", "text/plain;charset=UTF-8"))
        url, method, origin = options.url, options.method, options.origin
        url_list = [url]
        for _hop in range(MAX_REDIRECTS + 1):
            request = BrowserRequest.create(
                origin=origin,
                url=url,
                method=method,
                request_headers=headers,
                credentials=options.credentials,
                force_preflight=options.force_preflight,
            )
            verdict = self._fetch_once(request, body)
            self.verdicts.append(verdict)
            if not verdict.allowed or verdict.redirect_to is None:
                return verdict
            next_url = urljoin(url, verdict.redirect_to)
            status = verdict.status
            if (status == 303 and method not in ("GET", "HEAD")) or (
                status in (301, 302) and method == "POST"
            ):
                # §http-redirect-fetch step 12: the method becomes GET and the body goes.
                method, body = "GET", None
                headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
            # R35: a hop to another origin, from an origin other than the page's, taints it.
            if not _same_origin(url, next_url) and not _same_origin(origin, url):
                origin = "null"
            url = next_url
            url_list.append(url)
        raise _NetworkError(
            f"more than {MAX_REDIRECTS} redirects: {' -> '.join(url_list[:4])} ..."
        )

    def _fetch_once(self, request: BrowserRequest, body: bytes | None) -> Verdict:
        timeout = self.options.timeout
        preflight = None
        if request.preflight_needed:
            sent = request.preflight_headers()
            preflight, reason = _send(self.opener, "OPTIONS", request.url, sent, None, timeout)
            self.exchanges.append(
                _Sent("preflight", "OPTIONS", request.url, sent, preflight, reason)
            )
            verdict = check(request, preflight=preflight)
            if not verdict.allowed:
                return verdict
        sent = request.actual_headers()
        if request.credentials and self.options.cookie:
            sent.append(("Cookie", self.options.cookie))
        actual, reason = _send(self.opener, request.method, request.url, sent, body, timeout)
        self.exchanges.append(_Sent("actual", request.method, request.url, sent, actual, reason))
        return check(request, preflight=preflight, actual=actual)


def _shown_response_header(name: str) -> bool:
    lower = name.lower()
    return lower.startswith("access-control-") or lower in ("vary", "location")


def _print_probe(probe: _Probe, out: IO[str], style: _Style) -> None:
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


def _run_probe(options: argparse.Namespace, out: IO[str], err: IO[str]) -> int:
    problem = _origin_problem(options.origin)
    if problem is not None:
        print(f"cors-wsgi probe: --origin {options.origin!r}: {problem}", file=err)
        return EXIT_USAGE
    if urlsplit(options.url).scheme not in ("http", "https"):
        print(f"cors-wsgi probe: {options.url!r} is not an http:// or https:// URL", file=err)
        return EXIT_USAGE
    try:
        for text in options.header:
            parse_header_argument(text)
    except ValueError as error:
        print(f"cors-wsgi probe: --header {error}", file=err)
        return EXIT_USAGE
    if options.cookie and not options.credentials:
        print(
            "cors-wsgi probe: --cookie is ignored without --credentials: a browser sends "
            "cookies cross-origin only with credentials: 'include'",
            file=err,
        )
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if options.insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=context))
    probe = _Probe(options, urllib.request.build_opener(*handlers))
    try:
        verdict = probe.run()
    except _NetworkError as error:
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


def _run_demo(arguments: list[str], err: IO[str]) -> int:
    try:
        demo = importlib.import_module("example_projects.demo")
    except ModuleNotFoundError:
        # An editable install or a checkout: the examples sit beside the package.
        checkout = Path(cors_wsgi.__file__).resolve().parent.parent
        if not (checkout / "example_projects" / "demo.py").is_file():
            print(
                "cors-wsgi demo: the examples are not installed with the package; run it "
                "from a checkout of the repository: scripts/demo",
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
        description="Check CORS configurations, probe live URLs as a browser does, run the demo.",
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
        return _run_check(options, sys.stdout)
    return _run_probe(options, sys.stdout, sys.stderr)
