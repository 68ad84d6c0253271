"""The Flask extension: ``CORS(app)``, ``CORS(blueprint)``, ``init_app``.

One :class:`_AppState` per Flask application holds every CORS scope configured on it (the
app's ``CORS()`` calls, each blueprint's, and the ``@cross_origin`` views it routes to)
and applies them at one place: a wrapper around ``app.wsgi_app``, Flask's documented way
to add WSGI middleware. Why there, and not in ``before_request``/``after_request`` hooks:

- a preflight is answered before anything of the app runs: no ``before_request`` hook
  (authentication), no ``url_value_preprocessor``, no view, no 404/405 for a URL without a
  route or without OPTIONS, no trailing-slash redirect (R7, R8, V22), whatever order
  hooks were registered in;
- every other response in scope is decorated at ``start_response``, so the decoration
  sees Flask's final header list: after every ``after_request`` hook (in any order), after
  the session added ``Vary: Cookie``, for the view's response, ``abort()``, an
  ``errorhandler``'s and the 500 Flask makes of an unhandled exception alike. No exception
  handler is replaced. Since one decision is made per request, several ``CORS()`` calls,
  blueprints and decorators never stack headers: one Access-Control-Allow-Origin (R18);
- the work is a few list operations in the core, not Flask hooks and Werkzeug ``Headers``
  edits, which cost several times more per request (benchmarks/flask_overhead.py).

When the policy depends only on the path (``CORS(app)`` calls, no ``CORS(blueprint)`` and
no ``@cross_origin`` view), it is chosen from ``PATH_INFO`` before Flask runs. Otherwise
it depends on Flask's routing (the endpoint, its blueprints): a preflight is then routed
with Flask's own URL adapter (``app.request_context(environ).match_request()``, without
pushing the context, so no session or teardown hook runs for it), and any other request
is decided at ``start_response``, where Flask's request context is still active.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, cast

from flask import Blueprint, Flask, Response, has_request_context, request

from cors_wsgi.core.decision import Decision, decorate_mapping
from cors_wsgi.core.errors import ConfigError, ConfigProblem
from cors_wsgi.core.paths import PathPolicies
from cors_wsgi.core.policy import is_preflight
from cors_wsgi.flask.options import (
    CORSOptions,
    Layer,
    ResourceOptions,
    build_path_policies,
    build_policy,
    read_config,
    read_keywords,
)
from cors_wsgi.wsgi import answer_preflight, decide_environ, request_path

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment
    from flask.blueprints import BlueprintSetupState
    from typing_extensions import Unpack

    from cors_wsgi.core.policy import Policy

__all__ = ["CORS", "RouteCORS", "apply_decision", "decide", "preflight_response", "state_of"]

EXTENSION_KEY = "cors_wsgi"
# The attribute @cross_origin puts on a view function (functools.wraps carries it along).
ROUTE_ATTRIBUTE = "cors_wsgi_route"


# The core's decision for the request in a WSGI environ, read as CORSMiddleware reads it.
decide = decide_environ


class _PreflightResponse(Response):
    """The answer to a preflight: an empty body, and no Content-Type unless the core sets one."""

    default_mimetype = None


def preflight_response(decision: Decision) -> Response:
    """The Flask response that answers a preflight, exactly as the core specifies it."""
    status, headers = decision.preflight_response()
    return _PreflightResponse(status=status, headers=headers)


def apply_decision(response: Response, decision: Decision) -> Response:
    """Put the decision's CORS headers on ``response``, replacing any the app set."""
    headers = response.headers
    decorate_mapping(decision, headers, headers.getlist)
    return response


class RouteCORS:
    """The options of one ``@cross_origin`` view, and its policy per application.

    The policy inherits the application's ``CORS_*`` config (as in flask-cors), so it is
    built, validated and cached the first time each application routes to the view.
    """

    __slots__ = ("__weakref__", "_layer", "_policies")

    def __init__(self, options: Mapping[str, Any]) -> None:
        layer, problems = read_keywords(options, allowed=_ROUTE_OPTION_NAMES)
        if problems:
            raise ConfigError(problems)
        self._layer: Layer = layer
        _refuse_own_problems(layer)
        self._policies: weakref.WeakKeyDictionary[Flask, Policy] = weakref.WeakKeyDictionary()

    def policy_for(self, app: Flask) -> Policy:
        """This view's policy in ``app``; raises :class:`ConfigError` if it is invalid."""
        policy = self._policies.get(app)
        if policy is None:
            config_layer, problems = read_config(app.config)
            policy = build_policy((config_layer, self._layer), problems, app_debug=app.debug)
            self._policies[app] = policy
        return policy

    @property
    def automatic_options(self) -> bool:
        """False when the view answers OPTIONS (and preflights) itself."""
        option = self._layer.get("automatic_options")
        return option is None or option.value is not False


_ROUTE_OPTION_NAMES = tuple(name for name in ResourceOptions.__annotations__)


def _refuse_own_problems(layer: Layer) -> None:
    """Raise, when the decorator is applied, every problem of the options it was given.

    The policy also depends on the config of the app that routes to the view, which is not
    known yet, so it is built over the defaults and only the problems of options written in
    the decorator are raised: those no config can fix, since the decorator's options win
    over the config, and an option the config adds (credentials) can only add problems.
    The others are raised when ``CORS(app)`` is set up, or else on the first request.
    """
    written = {sourced.label for sourced in layer.values()}
    try:
        build_policy((layer,), [], app_debug=True)
    except ConfigError as error:
        own = [problem for problem in error.errors if problem.option in written]
        if own:
            raise ConfigError(own) from None


class _PrefixScope:
    """A blueprint's URL prefix: requests without a route below it belong to the blueprint."""

    __slots__ = ("length", "paths", "prefix")

    def __init__(self, prefix: str, paths: PathPolicies) -> None:
        first = next(iter(p for _, p in paths.entries), None)
        # The core's prefix rule (whole segments) decides membership, not a second copy here.
        self.prefix = PathPolicies({prefix: first}) if first is not None else None
        self.length = len(prefix.rstrip("/"))
        self.paths = paths

    def policy_for(self, path: str) -> Policy | None:
        if self.prefix is None or self.prefix.policy_for(path) is None:
            return None
        return self.paths.policy_for(path)


class _AppState:
    """Every CORS scope of one Flask application, applied around ``app.wsgi_app``."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        # Newest first: a later CORS(app) wins where its resources match, as in flask-cors.
        self._app_layers: dict[object, PathPolicies] = {}
        self.app_paths: tuple[PathPolicies, ...] = ()
        self._blueprint_layers: dict[str, dict[object, PathPolicies]] = {}
        self.blueprint_paths: dict[str, tuple[PathPolicies, ...]] = {}
        self._prefix_layers: dict[tuple[str, object], _PrefixScope] = {}
        self.prefix_scopes: tuple[_PrefixScope, ...] = ()
        # Whether choosing a policy needs Flask's routing; known once the app serves, since
        # Flask refuses new routes and blueprints after its first request.
        self._routed: bool | None = None
        self._policy_everywhere: Policy | None = None
        self._wsgi_app = app.wsgi_app
        app.wsgi_app = self.wsgi_app  # type: ignore[method-assign]

    def set_app_layer(self, owner: object, paths: PathPolicies) -> None:
        self._app_layers.pop(owner, None)
        self._app_layers[owner] = paths
        self.app_paths = tuple(reversed(self._app_layers.values()))
        # The common CORS(app): one policy for every path, no path to read per request.
        newest = self.app_paths[0].entries
        self._policy_everywhere = (
            newest[0][1] if len(newest) == 1 and newest[0][0] == "/" else None
        )

    def set_blueprint_layer(
        self, owner: object, name: str, url_prefix: str | None, paths: PathPolicies
    ) -> None:
        layers = self._blueprint_layers.setdefault(name, {})
        layers.pop(owner, None)
        layers[owner] = paths
        self.blueprint_paths[name] = tuple(reversed(layers.values()))
        self._routed = True
        # A prefix holding a URL variable ("/<lang>/api") cannot be matched without routing.
        if (
            url_prefix
            and url_prefix.startswith("/")
            and url_prefix.strip("/")
            and ("<" not in url_prefix)
        ):
            self._prefix_layers.pop((name, owner), None)
            self._prefix_layers[(name, owner)] = _PrefixScope(url_prefix, paths)
            scopes = reversed(self._prefix_layers.values())
            self.prefix_scopes = tuple(sorted(scopes, key=lambda scope: -scope.length))

    def _needs_routing(self) -> bool:
        routed = self._routed
        if routed is None:
            routed = any(
                getattr(view, ROUTE_ATTRIBUTE, None) is not None
                for view in self.app.view_functions.values()
            )
            self._routed = routed
        return routed

    def policy_for_path(self, path: str) -> Policy | None:
        """The app's policy for ``path`` (the ``CORS(app)`` calls, newest first)."""
        for paths in self.app_paths:
            policy = paths.policy_for(path)
            if policy is not None:
                return policy
        return None

    def policy_for_request(self, req: Any) -> Policy | None:
        """The one policy for a routed request: the view's decorator, else its blueprints'
        (innermost first), else the app's; ``None`` when the request is out of CORS scope."""
        path: str = req.path
        endpoint = req.endpoint
        if endpoint is not None:
            view = self.app.view_functions.get(endpoint)
            route = getattr(view, ROUTE_ATTRIBUTE, None)
            if route is not None:
                return cast(RouteCORS, route).policy_for(self.app)
            for name in req.blueprints:
                for paths in self.blueprint_paths.get(name, ()):
                    policy = paths.policy_for(path)
                    if policy is not None:
                        return policy
        else:
            # No route (404), or one that refuses the method (405), or a trailing-slash
            # redirect: a preflight there is still answered (R7, R8).
            for scope in self.prefix_scopes:
                policy = scope.policy_for(path)
                if policy is not None:
                    return policy
        return self.policy_for_path(path)

    def _decide_routed_preflight(self, environ: WSGIEnvironment) -> Decision | None:
        context = self.app.request_context(environ)
        context.match_request()
        policy = self.policy_for_request(context.request)
        return None if policy is None else decide(policy, environ)

    def _decide_in_context(self) -> Decision | None:
        if not has_request_context():  # Flask always calls start_response inside it
            return None
        req = cast(Any, request)._get_current_object()
        policy = self.policy_for_request(req)
        return None if policy is None else decide(policy, req.environ)

    def wsgi_app(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        decision: Decision | None
        routed = self._routed
        if routed is None:
            routed = self._needs_routing()
        if not routed:
            policy = self._policy_everywhere or self.policy_for_path(_flask_path(environ))
            if policy is None:
                return self._wsgi_app(environ, start_response)
            decision = decide(policy, environ)
        elif _may_be_preflight(environ):
            decision = self._decide_routed_preflight(environ)
            if decision is None:
                return self._wsgi_app(environ, start_response)
        else:
            return self._wsgi_app(environ, self._late_start_response(start_response))
        if decision.answer_here:
            return answer_preflight(decision, start_response)

        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            return start_response(status, decision.decorate(headers), exc_info)

        return self._wsgi_app(environ, start_cors_response)

    def _late_start_response(self, start_response: StartResponse) -> StartResponse:
        def start_cors_response(
            status: str, headers: list[tuple[str, str]], exc_info: Any = None
        ) -> Any:
            decision = self._decide_in_context()
            if decision is not None:
                headers = decision.decorate(headers)
            return start_response(status, headers, exc_info)

        return start_cors_response


def _flask_path(environ: WSGIEnvironment) -> str:
    """The path as ``flask.request.path`` reads it: decoded, leading slashes made one."""
    return "/" + request_path(environ).lstrip("/")


def _may_be_preflight(environ: WSGIEnvironment) -> bool:
    """Whether the core could call this request a preflight (R2: OPTIONS, Origin and
    Access-Control-Request-Method all present); only used to skip routing the others up
    front. The core makes the actual call."""
    return is_preflight(
        environ.get("REQUEST_METHOD", ""),
        environ.get("HTTP_ORIGIN"),
        environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD"),
    )


class _ViewsCheckedWhenRouted(dict[str, Any]):
    """``app.view_functions`` that builds the policy of each ``@cross_origin`` view, so
    that a problem depending on the app's config is raised at set-up (every view routed so
    far, all problems at once) or by ``@app.route`` (a view routed later, at import), never
    on a request.

    Flask has no hook for "a view was routed"; ``view_functions`` is its public mapping of
    endpoints to views, which ``add_url_rule`` (and so blueprints) fills item by item.
    """

    def __init__(self, app: Flask, views: dict[str, Any]) -> None:
        problems: list[ConfigProblem] = []
        for view in views.values():
            try:
                _check_view(app, view)
            except ConfigError as error:
                problems.extend(error.errors)
        if problems:
            raise ConfigError(problems)
        super().__init__(views)
        self.app = app

    def __setitem__(self, endpoint: str, view: Any) -> None:
        _check_view(self.app, view)
        super().__setitem__(endpoint, view)


def _check_view(app: Flask, view: Any) -> None:
    """Build the policy of a ``@cross_origin`` view (ConfigError with every problem)."""
    route = getattr(view, ROUTE_ATTRIBUTE, None)
    if isinstance(route, RouteCORS):
        route.policy_for(app)


def state_of(app: Flask) -> _AppState | None:
    """The CORS state of ``app`` if a ``CORS()`` applies to it, else ``None``."""
    return cast("_AppState | None", app.extensions.get(EXTENSION_KEY))


def _install(app: Flask) -> _AppState:
    state = state_of(app)
    if state is None:
        state = _AppState(app)
        app.extensions[EXTENSION_KEY] = state
    return state


class CORS:
    """Cross-origin resource sharing for a Flask application or blueprint.

    ``CORS(app, **options)``, or ``cors = CORS(**options)`` then ``cors.init_app(app)``, with
    flask-cors's option names (see :class:`~cors_wsgi.flask.options.CORSOptions` and the
    README). Options come, last one winning, from the defaults (any origin, anonymous
    requests), the app's ``CORS_*`` config, the constructor, ``init_app`` and each
    ``resources`` entry. Everything is validated when the policy is built: at ``init_app``
    for an app, at ``register_blueprint`` for a blueprint (which inherits the config of the
    app it is registered on); every problem is raised at once in a
    :class:`~cors_wsgi.ConfigError`.

    Preflights within scope are answered before any view runs; every other response in
    scope, error responses included, gets the CORS headers. A view's ``@cross_origin``
    wins over its blueprint's ``CORS()``, which wins over the app's; among several
    ``CORS(app)`` calls, the latest whose ``resources`` match the path wins.
    """

    def __init__(
        self, app: Flask | Blueprint | None = None, **options: Unpack[CORSOptions]
    ) -> None:
        _, problems = read_keywords(options)
        if problems:
            raise ConfigError(problems)
        self._options: dict[str, Any] = dict(options)
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask | Blueprint, **options: Unpack[CORSOptions]) -> None:
        """Apply CORS to ``app`` (a Flask app or a blueprint), with ``options`` on top of the
        constructor's. Calling it again for the same app replaces this object's policies."""
        constructor_layer, problems = read_keywords(self._options)
        init_layer, init_problems = read_keywords(options)
        problems.extend(init_problems)
        if isinstance(app, Blueprint):
            if problems:
                raise ConfigError(problems)
            blueprint_layers = (constructor_layer, init_layer)
            app.record(lambda setup: self._register_blueprint(setup, blueprint_layers))
            return
        config_layer, config_problems = read_config(app.config)
        paths = build_path_policies(
            (config_layer, constructor_layer, init_layer),
            [*config_problems, *problems],
            app_debug=app.debug,
        )
        _install(app).set_app_layer(self, paths)
        # Built anew at each set-up: the views routed so far are checked with this config.
        app.view_functions = _ViewsCheckedWhenRouted(app, dict(app.view_functions))

    def _register_blueprint(self, setup: BlueprintSetupState, layers: tuple[Layer, Layer]) -> None:
        app = cast(Flask, setup.app)
        config_layer, problems = read_config(app.config)
        paths = build_path_policies(
            (config_layer, *layers), list[ConfigProblem](problems), app_debug=app.debug
        )
        name = f"{setup.name_prefix}.{setup.name}".lstrip(".")
        _install(app).set_blueprint_layer(self, name, setup.url_prefix, paths)
