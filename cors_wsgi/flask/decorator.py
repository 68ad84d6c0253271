"""``@cross_origin``: a CORS policy for one view, with or without the extension."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, cast

from flask import Flask, after_this_request, current_app, request

from cors_wsgi.core.methods import OPTIONS
from cors_wsgi.flask.extension import (
    ROUTE_ATTRIBUTE,
    RouteCORS,
    apply_decision,
    decide,
    preflight_response,
    state_of,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from cors_wsgi.flask.options import ResourceOptions

__all__ = ["cross_origin"]

View = TypeVar("View", bound=Callable[..., Any])


def cross_origin(**options: Unpack[ResourceOptions]) -> Callable[[View], View]:
    """Give one view its own CORS policy; put it below ``@app.route``.

    Takes the options of :class:`~cors_wsgi.flask.CORS` except ``resources``, and inherits
    the app's ``CORS_*`` config. Option names are checked here; the policy itself is
    built and validated the first time an application routes to the view (it depends on
    that application's config), and a :class:`~cors_wsgi.ConfigError` is raised then.

    The route accepts OPTIONS, so a preflight to it is answered (never a 405), and the
    view's own code never runs for it. With ``automatic_options=False`` the view receives
    OPTIONS requests, preflights included, and answers them itself; CORS headers are then
    added to its answer.

    Where a ``CORS()`` extension is on the application, its hooks apply this policy
    (preflights before every other hook of the view's blueprint, headers on every error
    response). Without one, the decorator does the same work around the view: the
    headers still reach ``abort()`` and error-handler responses raised from the view.
    """
    route = RouteCORS(options)

    def decorate(view: View) -> View:
        automatic_options = route.automatic_options
        if automatic_options:
            # Flask's routing must let OPTIONS through to the view, where it is answered.
            required = set(getattr(view, "required_methods", ()))
            view.required_methods = {*required, OPTIONS}  # type: ignore[attr-defined]
            view.provide_automatic_options = False  # type: ignore[attr-defined]

        @functools.wraps(view)
        def cors_view(*args: Any, **kwargs: Any) -> Any:
            app = cast(Flask, cast(Any, current_app)._get_current_object())
            if state_of(app) is None:
                # No extension: this view is the only place to act.
                decision = decide(route.policy_for(app), request.environ)
                if decision.answer_here:
                    return preflight_response(decision)
                after_this_request(lambda response: apply_decision(response, decision))
            if automatic_options and request.method == OPTIONS:
                # What Flask answers to OPTIONS when it handles it itself.
                return app.make_default_options_response()
            return app.ensure_sync(view)(*args, **kwargs)

        setattr(cors_view, ROUTE_ATTRIBUTE, route)
        return cast(View, cors_view)

    return decorate
