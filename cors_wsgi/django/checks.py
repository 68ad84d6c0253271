"""System checks (tag ``security``): CORS settings problems at start-up, with stable ids.

- ``cors_wsgi.E001`` ... ``cors_wsgi.E030``: every problem the core finds in the policy the
  settings describe, with the core's code (see the README's table), naming the setting the
  user wrote (an old alias, or an entry of CORS_PATHS).
- ``cors_wsgi.W001``: CorsMiddleware below a middleware that can answer or refuse a request
  before it (CommonMiddleware's APPEND_SLASH redirect, authentication, LocaleMiddleware's
  redirects, CSRF failures, static files).
- ``cors_wsgi.W002``: a CORS_* setting that this package does not read (a django-cors-headers
  setting we do not support, or a typo).
- ``cors_wsgi.W003``: django-cors-headers installed alongside (two CORS layers, R18).
- ``cors_wsgi.W004``: the app is installed but CorsMiddleware is not in MIDDLEWARE.
- ``cors_wsgi.W005``: a setting and its old alias both set (the alias is ignored).
- ``cors_wsgi.W006``: CORS_ALLOW_ALL_ORIGINS with a non-empty allow-list (the list is
  ignored), under the names the user wrote.
- ``cors_wsgi.W007``: a CORS_ALLOWED_ORIGIN_REGEXES pattern that allows fewer origins than
  it did under django-cors-headers, which matched from the start only (``re.match``).
- ``cors_wsgi.W008``: a middleware known to set ``request.urlconf`` (django-hosts) below
  CorsMiddleware, so views' own policies of its URLconfs cannot apply.
- ``cors_wsgi.W100`` ...: what the core finds valid but most likely not meant
  (:attr:`cors_wsgi.Policy.warnings`, e.g. ``'*'`` in CORS_ALLOW_HEADERS, which never
  covers Authorization), with the core's code.

Each id is described once, in ``CHECKS`` (the documentation's error reference is built
from it).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning
from django.utils.module_loading import import_string

from cors_wsgi.core.catalogue import CodeEntry
from cors_wsgi.core.policy import Policy
from cors_wsgi.django.conf import (
    ALIASES,
    ALLOW_ALL_ORIGINS,
    KNOWN_SETTINGS,
    ORIGIN_SETTINGS,
    PATHS,
    VOCABULARY,
    compile_settings,
)
from cors_wsgi.django.decorators import ViewMark, any_view_marked, mark_of_view

__all__ = ["CHECKS", "check_settings", "marked_views"]

MIDDLEWARE_PATHS: Final = frozenset(
    {"cors_wsgi.django.CorsMiddleware", "cors_wsgi.django.middleware.CorsMiddleware"}
)

# Middleware that answers or refuses requests itself, and what goes wrong when it sits
# above CorsMiddleware: preflights it answers fail in the browser (R7, R8, V22), and its
# error responses lack the CORS headers the page needs to read them (R29).
ANSWERS_BEFORE_CORS: Final[Mapping[str, str]] = {
    "django.middleware.common.CommonMiddleware": (
        "its APPEND_SLASH redirect replaces the 404 of a URL without its trailing slash by "
        "a 301 without CORS headers, so the browser blocks the request instead of following "
        "it (and PREPEND_WWW redirects preflights too)"
    ),
    "django.middleware.locale.LocaleMiddleware": (
        "its language-prefix redirect replaces the 404 of a URL without a language prefix "
        "by a 302 without CORS headers, so the browser blocks the request instead of "
        "following it"
    ),
    "django.contrib.auth.middleware.AuthenticationMiddleware": (
        "authentication placed before CORS (or a subclass of it that refuses requests) "
        "sees preflights, which never carry credentials"
    ),
    "django.contrib.auth.middleware.LoginRequiredMiddleware": (
        "its login redirects answer preflights, which never carry credentials, with a 302"
    ),
    "django.contrib.auth.middleware.RemoteUserMiddleware": (
        "authentication placed before CORS sees preflights, which never carry credentials"
    ),
    "django.middleware.csrf.CsrfViewMiddleware": (
        "its 403 responses to failed CSRF checks would lack the CORS headers, so the page "
        "could not read them"
    ),
    "whitenoise.middleware.WhiteNoiseMiddleware": (
        "it serves static files itself, without CORS headers"
    ),
}

# Middleware that routes requests with another URLconf (request.urlconf). Below
# CorsMiddleware, preflights cannot be routed with it: both preflights and requests are then
# judged with the URLconf in effect at CorsMiddleware (see the middleware module).
SETS_URLCONF: Final = ("django_hosts.middleware.HostsRequestMiddleware",)

# django-cors-headers settings that this package deliberately does not read.
UNSUPPORTED_CORSHEADERS_SETTINGS: Final[Mapping[str, str]] = {
    "CORS_MODEL": "django-cors-headers removed it too; delete it",
    "CORS_REPLACE_HTTPS_REFERER": "django-cors-headers removed it too; delete it",
    "CORS_URLS_ALLOW_ALL_REGEX": (
        "use CORS_PATHS, e.g. {'/public/': {'CORS_ALLOW_ALL_ORIGINS': True}}"
    ),
}


# The warnings of this module, described once (errors are the core's codes, described in
# cors_wsgi.core.catalogue.CATALOGUE). A test fails if an id used below has no entry here.
CHECKS: Final[Mapping[str, CodeEntry]] = {
    "cors_wsgi.W001": CodeEntry(
        "CorsMiddleware below a middleware that answers first",
        "A middleware that can answer or refuse a request itself sits above "
        "``CorsMiddleware`` in ``MIDDLEWARE``: CommonMiddleware (APPEND_SLASH and "
        "PREPEND_WWW redirects), LocaleMiddleware, AuthenticationMiddleware, "
        "LoginRequiredMiddleware, RemoteUserMiddleware, CsrfViewMiddleware, "
        "WhiteNoiseMiddleware, or a subclass of one of them. Its responses lack CORS "
        "headers, so the page cannot read them, and the preflights it answers fail.",
        "Move ``'cors_wsgi.django.CorsMiddleware'`` above it, as high as possible.",
        "MIDDLEWARE = [\n"
        "    'django.middleware.common.CommonMiddleware',\n"
        "    'cors_wsgi.django.CorsMiddleware',\n"
        "]",
    ),
    "cors_wsgi.W002": CodeEntry(
        "A CORS setting that is not read",
        "A ``CORS_*`` setting that cors_wsgi does not read: a django-cors-headers setting "
        "it deliberately does not support, or a typo.",
        "Follow the hint: it names the nearest setting, or says what replaces an unsupported one.",
        "CORS_ALLOWED_ORIGIN = ['https://app.example.com']",
    ),
    "cors_wsgi.W003": CodeEntry(
        "django-cors-headers installed alongside",
        "``corsheaders`` in ``INSTALLED_APPS`` or its middleware in ``MIDDLEWARE``, next to "
        "cors_wsgi: two CORS layers send conflicting headers, and browsers reject a "
        "response with two Access-Control-Allow-Origin values.",
        "Remove ``'corsheaders'`` and its middleware; cors_wsgi reads the same settings.",
        "MIDDLEWARE = [\n"
        "    'cors_wsgi.django.CorsMiddleware',\n"
        "    'corsheaders.middleware.CorsMiddleware',\n"
        "]",
    ),
    "cors_wsgi.W004": CodeEntry(
        "CorsMiddleware missing from MIDDLEWARE",
        "``cors_wsgi.django`` is in ``INSTALLED_APPS`` but ``CorsMiddleware`` is not in "
        "``MIDDLEWARE``, so no response gets CORS headers.",
        "Add ``'cors_wsgi.django.CorsMiddleware'`` near the top of ``MIDDLEWARE``.",
        "MIDDLEWARE = ['django.middleware.security.SecurityMiddleware']",
    ),
    "cors_wsgi.W005": CodeEntry(
        "A setting and its old name both set",
        "A setting and its django-cors-headers alias from before the rename both set "
        "(``CORS_ALLOWED_ORIGINS`` and ``CORS_ORIGIN_WHITELIST``): the old name is ignored.",
        "Delete the old name.",
        "CORS_ALLOWED_ORIGINS = ['https://app.example.com']\n"
        "CORS_ORIGIN_WHITELIST = ['https://old.example.com']",
    ),
    "cors_wsgi.W006": CodeEntry(
        "Every origin allowed next to an allow-list",
        "``CORS_ALLOW_ALL_ORIGINS = True`` together with ``CORS_ALLOWED_ORIGINS``, "
        "``CORS_ALLOWED_ORIGIN_REGEXES`` or ``CORS_ALLOWED_ORIGIN_FUNC`` (at top level or "
        "in one ``CORS_PATHS`` entry): the allow-list is ignored.",
        "Keep either the allow-list or ``CORS_ALLOW_ALL_ORIGINS``.",
        "CORS_ALLOW_ALL_ORIGINS = True\nCORS_ALLOWED_ORIGINS = ['https://app.example.com']",
    ),
    "cors_wsgi.W007": CodeEntry(
        "A regex that allows fewer origins than under django-cors-headers",
        "A ``CORS_ALLOWED_ORIGIN_REGEXES`` pattern that is not anchored at its end: "
        "django-cors-headers matched it from the start only (``re.match``), cors_wsgi "
        "matches the whole origin, so origins with more after the match (a port, a longer "
        "name) are now refused.",
        "Anchor the pattern at its end with ``$`` if the whole origin was meant; the hint "
        "shows the pattern that keeps the old meaning, which also trusts longer origins.",
        "CORS_ALLOWED_ORIGIN_REGEXES = [r'^https://\\w+\\.example\\.com']",
    ),
    "cors_wsgi.W008": CodeEntry(
        "A URLconf-switching middleware below CorsMiddleware",
        "django-hosts' ``HostsRequestMiddleware`` (which sets ``request.urlconf``) placed "
        "below ``CorsMiddleware``: preflights are answered before it runs, so they and the "
        "actual requests are judged with the URLconf in effect at ``CorsMiddleware``, and "
        "the per-view policies of the other URLconfs cannot apply.",
        "Move the middleware above ``'cors_wsgi.django.CorsMiddleware'``.",
        "MIDDLEWARE = [\n"
        "    'cors_wsgi.django.CorsMiddleware',\n"
        "    'django_hosts.middleware.HostsRequestMiddleware',\n"
        "]",
    ),
}


def marked_views() -> list[tuple[str, str, ViewMark]]:
    """``(name, route, mark)`` for every view of ROOT_URLCONF decorated with
    ``cross_origin`` or ``cors_exempt``, walking included URLconfs (the URLconf's own
    errors propagate)."""
    from django.urls import URLPattern, URLResolver, get_resolver

    found: list[tuple[str, str, ViewMark]] = []

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
                    found.append((name, f"{route}{entry.pattern}", mark))

    walk(get_resolver().url_patterns, "")
    return found


def _check_view_policies() -> list[CheckMessage]:
    """What the core warns of (W100...) in the policies of ``cross_origin`` views."""
    if not any_view_marked():
        return []  # no URLconf to import for a project without per-view policies
    try:
        views = marked_views()
    except Exception:  # the URLconf is the project's: Django's own URL checks report it
        return []
    return [
        Warning(
            f"view {name} ({route}), cross_origin({warning.option}={warning.value!r}): "
            f"{mark.vocabulary.render(warning.message)}",
            id=f"cors_wsgi.{warning.code}",
        )
        for name, route, mark in views
        if isinstance(mark, Policy)
        for warning in mark.warnings
    ]


def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """Every problem with the CORS settings, as Django system check messages."""
    messages: list[CheckMessage] = []
    compiled, problems = compile_settings()
    for problem in problems:
        messages.append(
            Error(
                f"{problem.option} = {problem.value!r}: {VOCABULARY.render(problem.message)}",
                id=f"cors_wsgi.{problem.code}",
            )
        )
    for where, policy in compiled.scopes if compiled is not None else ():
        for warning in policy.warnings:
            name = policy.vocabulary.name(warning.option)
            # A CORS_PATHS entry's option is a key of that entry; the others are settings.
            label = f"{where}[{name!r}]" if where.startswith(PATHS) else name
            messages.append(
                Warning(
                    f"{label} = {warning.value!r}: {policy.vocabulary.render(warning.message)}",
                    id=f"cors_wsgi.{warning.code}",
                )
            )
    messages.extend(_check_view_policies())
    messages.extend(_check_regex_meaning())
    messages.extend(_check_middleware_order())
    messages.extend(_check_unknown_settings())
    messages.extend(_check_corsheaders())
    messages.extend(_check_shadowed_settings())
    return messages


def _is_cors_middleware(path: str) -> bool:
    return path in MIDDLEWARE_PATHS


def _answering_reason(path: str) -> str | None:
    """Why a middleware above ours is a problem, by its path or by what it subclasses."""
    if path in ANSWERS_BEFORE_CORS:
        return ANSWERS_BEFORE_CORS[path]
    try:
        middleware_class = import_string(path)
    except ImportError:
        return None  # Django reports unimportable middleware itself
    for known_path, reason in ANSWERS_BEFORE_CORS.items():
        try:
            known_class = import_string(known_path)
        except ImportError:
            continue  # whitenoise not installed, or LoginRequiredMiddleware before Django 5.1
        if isinstance(middleware_class, type) and issubclass(middleware_class, known_class):
            return reason
    return None


def _check_middleware_order() -> list[CheckMessage]:
    middleware: list[str] = list(getattr(settings, "MIDDLEWARE", None) or ())
    position = next((i for i, path in enumerate(middleware) if _is_cors_middleware(path)), None)
    if position is None:
        return [
            Warning(
                "cors_wsgi.django is in INSTALLED_APPS but CorsMiddleware is not in MIDDLEWARE, "
                "so no response gets CORS headers.",
                hint="Add 'cors_wsgi.django.CorsMiddleware' near the top of MIDDLEWARE.",
                id="cors_wsgi.W004",
            )
        ]
    messages: list[CheckMessage] = [
        Warning(
            f"{path} is below CorsMiddleware in MIDDLEWARE: it sets request.urlconf after "
            "preflights are answered, so cross_origin and cors_exempt on the views of its "
            "URLconfs do not apply (requests and preflights alike are judged with "
            "ROOT_URLCONF's views).",
            hint=f"Move {path!r} above 'cors_wsgi.django.CorsMiddleware'.",
            id="cors_wsgi.W008",
        )
        for path in middleware[position + 1 :]
        if path in SETS_URLCONF
    ]
    for path in middleware[:position]:
        reason = _answering_reason(path)
        if reason is not None:
            messages.append(
                Warning(
                    f"CorsMiddleware is below {path} in MIDDLEWARE: {reason}.",
                    hint=f"Move 'cors_wsgi.django.CorsMiddleware' above {path!r}.",
                    id="cors_wsgi.W001",
                )
            )
    return messages


def _check_unknown_settings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for name in dir(settings):
        if not name.startswith("CORS_") or name in KNOWN_SETTINGS:
            continue
        hint = UNSUPPORTED_CORSHEADERS_SETTINGS.get(name)
        if hint is None:
            close = difflib.get_close_matches(name, sorted(KNOWN_SETTINGS), n=1)
            hint = f"Did you mean {close[0]}?" if close else "Remove it."
        messages.append(
            Warning(
                f"The setting {name} is not read by cors_wsgi and has no effect.",
                hint=hint,
                id="cors_wsgi.W002",
            )
        )
    return messages


def _check_corsheaders() -> list[CheckMessage]:
    apps = [app for app in settings.INSTALLED_APPS if app.split(".")[0] == "corsheaders"]
    layers = [path for path in settings.MIDDLEWARE if path.startswith("corsheaders.")]
    if not apps and not layers:
        return []
    return [
        Warning(
            "django-cors-headers is installed alongside cors_wsgi ("
            + ", ".join([*apps, *layers])
            + "): two CORS layers send conflicting headers, and browsers reject a response "
            "with two Access-Control-Allow-Origin values.",
            hint="Remove 'corsheaders' from INSTALLED_APPS and its middleware from MIDDLEWARE; "
            "cors_wsgi reads the same CORS_* settings.",
            id="cors_wsgi.W003",
        )
    ]


def _check_shadowed_settings() -> list[CheckMessage]:
    messages: list[CheckMessage] = []
    for alias, name in ALIASES.items():
        if hasattr(settings, alias) and hasattr(settings, name):
            messages.append(
                Warning(
                    f"Both {name} and its old name {alias} are set; {alias} is ignored.",
                    hint=f"Delete {alias}.",
                    id="cors_wsgi.W005",
                )
            )
    for where, values in _origin_scopes():
        allow_all = values.get(ALLOW_ALL_ORIGINS)
        if allow_all is None or allow_all[1] is not True:
            continue
        # An empty list ignores nothing (settings templates often keep one).
        ignored = sorted(
            written
            for name, (written, value) in values.items()
            if name != ALLOW_ALL_ORIGINS and value not in ((), [], None, "")
        )
        if ignored:
            messages.append(
                Warning(
                    f"{allow_all[0]} is True in {where}, so "
                    + ", ".join(ignored)
                    + " is ignored: every origin is allowed.",
                    hint=f"Keep either the allow-list or {allow_all[0]}.",
                    id="cors_wsgi.W006",
                )
            )
    return messages


def _origin_scopes() -> list[tuple[str, dict[str, tuple[str, Any]]]]:
    """The origin settings of the top level and of each CORS_PATHS entry: by new name, the
    name the user wrote and its value."""
    scopes = [("settings", _written_origin_settings(_top_level_settings()))]
    paths = getattr(settings, PATHS, None)
    if isinstance(paths, Mapping):
        scopes.extend(
            (f"{PATHS}[{key!r}]", _written_origin_settings(entry))
            for key, entry in paths.items()
            if isinstance(entry, Mapping)
        )
    return scopes


def _top_level_settings() -> dict[str, Any]:
    return {name: getattr(settings, name) for name in dir(settings) if name.startswith("CORS_")}


def _written_origin_settings(values: Mapping[Any, Any]) -> dict[str, tuple[str, Any]]:
    """The origin settings among ``values`` by new name; a new name wins over its alias."""
    found: dict[str, tuple[str, Any]] = {}
    for written, value in values.items():
        name = ALIASES.get(written, written)
        if name in ORIGIN_SETTINGS and (name not in found or written == name):
            found[name] = (written, value)
    return found


# A pattern ends where the Origin ends when each top-level alternative ends with one of
# these (as written, unescaped): then full-matching it allows what re.match allowed.
_END_ANCHORS = ("$", "\\Z", ".*")


def _top_level_alternatives(pattern: str) -> list[str]:
    """``pattern`` split at the ``|`` outside groups and character classes."""
    alternatives, start, depth, in_class, index = [], 0, 0, False, 0
    while index < len(pattern):
        char = pattern[index]
        if char == "\\":
            index += 2
            continue
        if in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
            if pattern[index + 1 : index + 2] == "]":
                index += 1  # a ']' first in a class is a literal
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            alternatives.append(pattern[start:index])
            start = index + 1
        index += 1
    alternatives.append(pattern[start:])
    return alternatives


def _ends_anchored(alternative: str) -> bool:
    text = alternative.rstrip()
    for anchor in _END_ANCHORS:
        if text.endswith(anchor):
            before = text[: -len(anchor)]
            escapes = len(before) - len(before.rstrip("\\"))
            if escapes % 2 == 0:
                return True
    return False


def _compiles(pattern: str) -> bool:
    try:
        re.compile(pattern)
    except re.error:
        return False
    return True


def _check_regex_meaning() -> list[CheckMessage]:
    """W007: a pattern django-cors-headers matched with re.match, now full-matched."""
    messages: list[CheckMessage] = []
    for where, values in _origin_scopes():
        regexes = values.get("CORS_ALLOWED_ORIGIN_REGEXES")
        if regexes is None or isinstance(regexes[1], str | re.Pattern):
            continue  # a str is E023; a lone compiled pattern is read as one
        for item in regexes[1] if isinstance(regexes[1], Sequence) else ():
            pattern = item.pattern if isinstance(item, re.Pattern) else item
            if not isinstance(pattern, str) or not _compiles(pattern):
                continue  # E022 reports it
            alternatives = _top_level_alternatives(pattern)
            if all(map(_ends_anchored, alternatives)):
                continue
            old_meaning = f"(?:{pattern}).*" if len(alternatives) > 1 else f"{pattern}.*"
            label = regexes[0] if where == "settings" else f"{where}[{regexes[0]!r}]"
            messages.append(
                Warning(
                    f"{label}: {pattern!r} now allows fewer origins than with "
                    "django-cors-headers, which matched it from the start of the Origin "
                    "only (re.match); cors_wsgi matches the whole Origin, so an origin that "
                    "merely starts with a match (the same host with a port, say) is now "
                    "refused.",
                    hint=f"To keep the old meaning write r'{old_meaning}' (it also trusts "
                    "any origin that starts with a match, such as your domain glued in front "
                    "of an attacker's); to allow a port only, end the pattern with "
                    "(:[0-9]+)?$.",
                    id="cors_wsgi.W007",
                )
            )
    return messages
