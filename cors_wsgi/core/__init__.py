"""The rules: CORS as the Fetch standard defines it, framework-free.

Everything here is plain Python on plain values (header strings in, a :class:`Decision`
out); nothing imports a framework or any module of cors_wsgi outside this package. The
adapters (``cors_wsgi.wsgi``, ``cors_wsgi.asgi``, ``cors_wsgi.django``, ``cors_wsgi.flask``)
translate requests into these values and decisions back into responses; the browser-side
tools are built on the same names.
"""

from __future__ import annotations

from cors_wsgi.core.decision import Decision, decorate_bytes, decorate_mapping
from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.paths import PathPolicies, policies_from_options
from cors_wsgi.core.policy import OPTION_NAMES, Policy, is_preflight
from cors_wsgi.core.vocabulary import WSGI_VOCABULARY, Vocabulary

__all__ = [
    "OPTION_NAMES",
    "WSGI_VOCABULARY",
    "Code",
    "ConfigError",
    "ConfigProblem",
    "Decision",
    "PathPolicies",
    "Policy",
    "Vocabulary",
    "decorate_bytes",
    "decorate_mapping",
    "is_preflight",
    "policies_from_options",
]
