"""cors_wsgi: correct, fast, safe CORS for every WSGI application.

The core (:class:`Policy`, :class:`PathPolicies`, :class:`Decision`) knows no framework;
:class:`CORSMiddleware` wraps any WSGI callable, and ``cors_wsgi.django`` and
``cors_wsgi.flask`` adapt the same core to Django and Flask.
"""

from __future__ import annotations

from cors_wsgi.browser.explain import Explanation, explain
from cors_wsgi.core.decision import Decision
from cors_wsgi.core.errors import ConfigError, ConfigProblem
from cors_wsgi.core.paths import PathPolicies
from cors_wsgi.core.policy import Policy
from cors_wsgi.wsgi import CORSMiddleware

__all__ = [
    "CORSMiddleware",
    "ConfigError",
    "ConfigProblem",
    "Decision",
    "Explanation",
    "PathPolicies",
    "Policy",
    "explain",
]
__version__ = "0.1.0"
