"""What a wrong value of each option reports, in each adapter's own names, from real runs.

Each configuration reference page (wsgi.md, asgi.md, django.md, flask.md) holds a marker line
``% generated: wrong values of <adapter>``; this extension replaces it with one item per
option: a wrong value and the message the adapter gives for it, produced while the site is
built. :func:`missing_options` lists the options an adapter reads that have no wrong value
here, so that a new option cannot go without its line (tests/test_docs_options.py).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from typing import Any, Final

from cors_wsgi import ConfigError, ConfigProblem, CORSMiddleware

MARKER: Final = "% generated: wrong values of "

# One wrong value per option, as a user might write it.
WSGI_WRONG: Final[Mapping[str, Any]] = {
    "allow_origins": ["https://app.example.com/"],
    "allow_origin_regex": "https://(a|b).example.com(",
    "allow_origin_func": "tenants.cors.is_tenant_origin",
    "allow_origin_func_ttl": -1,
    "allow_methods": ["GET", "TRACE"],
    "allow_headers": ["cookie"],
    "allow_credentials": "true",
    "expose_headers": ["set-cookie"],
    "max_age": 86401,
    "allow_private_network": 1,
    "preflight_status": 201,
    "preflight_passthrough": "yes",
    "debug": "yes",
}
# The keywords CORSMiddleware takes besides the policy's.
MIDDLEWARE_WRONG: Final[Mapping[str, Any]] = {
    "paths": {"api/": {"allow_origins": "*"}},
    "policy": "https://app.example.com",
}
# The keywords the ASGI middleware takes besides the WSGI middleware's.
ASGI_WRONG: Final[Mapping[str, Any]] = {
    "check_websocket_origin": "yes",
}
DJANGO_WRONG: Final[Mapping[str, Any]] = {
    "CORS_ALLOWED_ORIGINS": ["app.example.com"],
    "CORS_ALLOWED_ORIGIN_REGEXES": [r"^https://.*"],
    "CORS_ALLOW_ALL_ORIGINS": "True",
    "CORS_ALLOWED_ORIGIN_FUNC": "tenants.cors.no_such_function",
    "CORS_ALLOWED_ORIGIN_FUNC_TTL": "60",
    "CORS_URLS_REGEX": r"^/api/(",
    "CORS_PATHS": {"api/": {"CORS_ALLOW_ALL_ORIGINS": True}},
    "CORS_ALLOW_METHODS": ["GET", "CONNECT"],
    "CORS_ALLOW_HEADERS": ["host"],
    "CORS_EXPOSE_HEADERS": ["origin"],
    "CORS_ALLOW_CREDENTIALS": "yes",
    "CORS_PREFLIGHT_MAX_AGE": -5,
    "CORS_ALLOW_PRIVATE_NETWORK": "no",
    "CORS_PREFLIGHT_STATUS": 202,
    "CORS_PREFLIGHT_PASSTHROUGH": "yes",
    "CORS_DEBUG": "on",
}
FLASK_WRONG: Final[Mapping[str, Any]] = {
    "origins": ["frontend.example.com"],
    "methods": "GET, POST",
    "allow_headers": ["proxy-authorization"],
    "expose_headers": ["set-cookie"],
    "supports_credentials": "yes",
    "max_age": -1,
    "send_wildcard": "yes",
    "vary_header": False,
    "automatic_options": "yes",
    "allow_private_network": "yes",
    "intercept_exceptions": False,
    "always_send": "yes",
    "origin_func_ttl": -1,
    "preflight_status": 201,
    "debug": True,
    "resources": {"api/*": {"origins": "*"}},
}


def _problems(build: Callable[[], object]) -> tuple[ConfigProblem, ...]:
    try:
        build()
    except ConfigError as error:
        return error.errors
    return ()


def wsgi_problems(option: str) -> tuple[ConfigProblem, ...]:
    """What ``CORSMiddleware(app, option=<wrong value>)`` raises."""
    value = {**WSGI_WRONG, **MIDDLEWARE_WRONG}[option]
    return _problems(lambda: CORSMiddleware(_bare_app, **{option: value}))


def asgi_problems(option: str) -> tuple[ConfigProblem, ...]:
    """What the ASGI ``CORSMiddleware(app, option=<wrong value>)`` raises, outside a loop."""
    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

    value = {**WSGI_WRONG, **MIDDLEWARE_WRONG, **ASGI_WRONG}[option]
    return _problems(lambda: ASGIMiddleware(_bare_asgi_app, **{option: value}))


def django_problems(setting: str) -> list[str]:
    """What the system checks report for ``setting = <wrong value>`` (and nothing else)."""
    from django.conf import settings
    from django.test import override_settings

    from cors_wsgi.django.checks import check_settings

    with override_settings(**{setting: DJANGO_WRONG[setting]}):
        for name in [name for name in dir(settings) if name.startswith("CORS_")]:
            if name != setting:
                delattr(settings, name)
        return [f"{message.id}: {message.msg}" for message in check_settings()]


def flask_problems(option: str) -> tuple[ConfigProblem, ...]:
    """What ``CORS(app, option=<wrong value>)`` raises for a Flask app not in debug mode."""
    from flask import Flask

    from cors_wsgi.flask import CORS

    return _problems(lambda: CORS(Flask("example"), **{option: FLASK_WRONG[option]}))


def _bare_app(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
    start_response("200 OK", [])
    return []


async def _bare_asgi_app(scope: Any, receive: Any, send: Any) -> None:
    raise AssertionError("a misconfigured middleware never calls the application")


def _asgi_own_keywords() -> list[str]:
    """The keyword-only parameters of the ASGI middleware (the policy's come as **options)."""
    import inspect

    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

    parameters = inspect.signature(ASGIMiddleware.__init__).parameters.values()
    return [p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY]


def missing_options() -> list[str]:
    """The options an adapter reads that have no wrong value above, in words."""
    from cors_wsgi.core.policy import OPTION_NAMES
    from cors_wsgi.django.conf import ALIASES, KNOWN_SETTINGS
    from cors_wsgi.flask.options import OPTION_NAMES as FLASK_OPTIONS

    where = "docs/_ext/option_reference.py"
    wanted = [
        ("WSGI_WRONG", OPTION_NAMES, WSGI_WRONG),
        ("DJANGO_WRONG", sorted(set(KNOWN_SETTINGS) - set(ALIASES)), DJANGO_WRONG),
        ("FLASK_WRONG", FLASK_OPTIONS, FLASK_WRONG),
        ("ASGI_WRONG", _asgi_own_keywords(), {**MIDDLEWARE_WRONG, **ASGI_WRONG}),
    ]
    return [
        f"{table} in {where} has no wrong value for {name!r}: add `{name!r}: <a wrong "
        "value>` so that its configuration reference shows what a mistake reports"
        for table, names, given in wanted
        for name in names
        if name not in given
    ]


def _item(written: str, reports: list[str]) -> str:
    if not reports:
        raise RuntimeError(f"{written} reports nothing: give a wrong value in {__name__}")
    lines = [line for text in reports for line in textwrap.wrap(text, 88, break_on_hyphens=False)]
    return "\n".join(
        [f"- `{written}`", "", "  ```text", *[f"  {line}" for line in lines], "  ```"]
    )


def wrong_values_markdown(adapter: str) -> str:
    """The list of wrong values and their messages for one adapter, in MyST Markdown."""
    missing = missing_options()
    if missing:
        raise RuntimeError("\n".join(missing))
    items: list[str] = []
    if adapter == "wsgi":
        for option in [*WSGI_WRONG, *MIDDLEWARE_WRONG]:
            value = {**WSGI_WRONG, **MIDDLEWARE_WRONG}[option]
            items.append(_item(f"{option}={value!r}", [str(p) for p in wsgi_problems(option)]))
    elif adapter == "asgi":
        for option in [*WSGI_WRONG, *MIDDLEWARE_WRONG, *ASGI_WRONG]:
            value = {**WSGI_WRONG, **MIDDLEWARE_WRONG, **ASGI_WRONG}[option]
            items.append(_item(f"{option}={value!r}", [str(p) for p in asgi_problems(option)]))
    elif adapter == "django":
        for setting, value in DJANGO_WRONG.items():
            items.append(_item(f"{setting} = {value!r}", django_problems(setting)))
    elif adapter == "flask":
        for option, value in FLASK_WRONG.items():
            items.append(_item(f"{option}={value!r}", [str(p) for p in flask_problems(option)]))
    else:
        raise RuntimeError(f"no wrong values for the adapter {adapter!r}")
    return "\n\n".join(items) + "\n"


def _replace_marker(app: Any, docname: str, source: list[str]) -> None:
    text = source[0]
    while MARKER in text:
        start = text.index(MARKER)
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        adapter = text[start + len(MARKER) : end].strip()
        from docs._ext.error_reference import configure_django

        configure_django()
        text = text[:start] + wrong_values_markdown(adapter) + text[end:]
    source[0] = text


def setup(app: Any) -> dict[str, Any]:
    app.connect("source-read", _replace_marker)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
