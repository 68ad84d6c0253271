"""``check --wsgi`` and ``check --asgi``: the CORS layers found in an application's stack."""

from __future__ import annotations

import re
import sys
from typing import Any, Final

from cors_wsgi.browser.cli.django_settings import (
    describe_django,
    django_uses_cors_wsgi,
    run_django_checks,
)
from cors_wsgi.browser.cli.output import Report, note_policy
from cors_wsgi.browser.loading import (
    FACTORY_NAMES,
    LoadFailure,
    is_asgi_app,
    load,
    parse_target,
)
from cors_wsgi.core.errors import ConfigError
from cors_wsgi.wsgi import CORSMiddleware

# Layers that wrap a WSGI app usually keep it under one of these names.
_WRAPPED_APP_ATTRIBUTES = ("app", "application", "wsgi_app", "_app")


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


def _describe_flask(app: Any, where: str, report: Report) -> bool:
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
        note_policy(report, f"{where}: {label}", policy)
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


# What _import_app returns when importing raised a CORS configuration error (then in the
# report); None is an object a module may really name.
_NOT_LOADED: Final = object()


def _import_app(path: str, report: Report) -> object:
    """The application ``path`` names, or :data:`_NOT_LOADED` when importing it raised a
    CORS configuration error (then in ``report``); other failures raise LoadFailure."""
    try:
        return _load_object(path)
    except ConfigError as error:
        report.add_problems(error.errors)
        report.notes.append(f"importing {path} raised ConfigError: its CORS configuration")
        return _NOT_LOADED
    except LoadFailure:
        raise
    except Exception as error:  # loading.load lets only Django's ImproperlyConfigured by
        try:
            cors_settings_valid = run_django_checks(report)
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
        return _NOT_LOADED


def _describe_middleware(where: str, layer: Any, report: Report) -> None:
    """The policies of a WSGI or ASGI CORSMiddleware, with their warnings."""
    policies = (
        [("", layer.policy)]
        if layer.policy is not None
        else [(f" {key!r}", p) for key, p in layer.paths.entries]
    )
    for key, policy in policies:
        note_policy(report, f"{where}: CORSMiddleware{key}", policy)


def check_wsgi(path: str, report: Report) -> str:
    subject = f"the WSGI application {path}"
    app = _import_app(path, report)
    if app is _NOT_LOADED:
        return subject
    if is_asgi_app(app):
        report.errors.append(
            f"{path} is an ASGI application; check it with: cors-wsgi check --asgi {path}"
        )
        return subject
    if not callable(app):
        report.errors.append(
            f"{path} is not a WSGI application (it is {type(app).__name__}): name the "
            "application object, e.g. mysite.wsgi:application or app:app"
        )
        return subject
    layers = _cors_layers(app)
    count = 0  # CORS layers found: more than one stack Access-Control-Allow-Origin lines
    for where, layer in layers:
        if isinstance(layer, CORSMiddleware):
            _describe_middleware(where, layer, report)
            count += 1
        elif _is_django_handler(layer):
            report.notes.append(f"{where}: a Django project; checking its settings")
            django_cors = django_uses_cors_wsgi()
            if run_django_checks(report) and django_cors:
                describe_django(report, where)
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


def check_asgi(path: str, report: Report) -> str:
    """``check --asgi module:app`` (or ``module:create_app()``): the ASGI middleware found
    by wrapping (``.app``) or in a Starlette/FastAPI app's ``user_middleware``, which
    Starlette builds only on the first request: it is built here to be checked."""
    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

    subject = f"the ASGI application {path}"
    app = _import_app(path, report)  # module:app, module:create_app or module:create_app()
    if app is _NOT_LOADED:
        return subject
    if _is_flask_app(app) or (callable(app) and not is_asgi_app(app)):
        report.errors.append(
            f"{path} is not an ASGI application (a WSGI one?); check it with: "
            f"cors-wsgi check --wsgi {path}"
        )
        return subject
    found: list[tuple[str, Any]] = []
    other_cors = []
    django_cors = False
    for where, layer in _cors_layers(app):
        if isinstance(layer, ASGIMiddleware):
            found.append((where, layer))
        elif _is_django_handler(layer):  # get_asgi_application(): the settings say
            report.notes.append(f"{where}: a Django project; checking its settings")
            django_cors = django_uses_cors_wsgi()
            if run_django_checks(report) and django_cors:
                describe_django(report, where)
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
        if layer is not None:
            _describe_middleware(where, layer, report)
    layers = ["cors_wsgi.asgi.CORSMiddleware"] * len(found) + other_cors
    if django_cors:
        layers.append("cors_wsgi.django.CorsMiddleware")
    if len(layers) > 1:
        report.errors.append(
            f"{len(layers)} CORS layers are stacked ({', '.join(layers)}); "
            "two Access-Control-Allow-Origin lines make browsers refuse every response: keep "
            "cors_wsgi's and remove the other"
        )
    elif not layers:
        report.warnings.append(
            f"no cors_wsgi layer found in {path}; add one: "
            "app.add_middleware(CORSMiddleware, allow_origins=[...]) with "
            "'from cors_wsgi.asgi import CORSMiddleware'"
        )
    return subject
