"""flask-cors's option names, read from keywords and ``CORS_*`` config, turned into policies.

This module only translates: each flask-cors name maps to a :class:`~cors_wsgi.Policy`
keyword (or to a ``resources`` key of :class:`~cors_wsgi.PathPolicies`), and the core
validates the result. Problems come back under the name the user wrote (``origins``,
``CORS_ORIGINS``, ``resources['/api/*'].origins``), all of them in one
:class:`~cors_wsgi.ConfigError`.

What differs from flask-cors is decided here in one place, and each difference is refused
loudly rather than silently changed:

- a ``str`` origin is an origin or a wildcard pattern (``https://*.example.com``), never a
  regex guessed from its characters; a compiled :class:`re.Pattern` is a full-match regex;
- a ``str`` resource is a path prefix matched on whole segments, optionally ending in
  ``/*``; a string that flask-cors would have read as a regex is refused with the fix;
- ``vary_header=False`` and ``intercept_exceptions=False`` are refused: Vary is always
  right and error responses always carry CORS headers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypedDict

from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.paths import PathPolicies
from cors_wsgi.core.policy import Policy
from cors_wsgi.core.vocabulary import Vocabulary

__all__ = [
    "CONFIG_PREFIX",
    "DEFAULTS",
    "OPTION_NAMES",
    "CORSOptions",
    "Layer",
    "ResourceOptions",
    "build_path_policies",
    "build_policy",
    "read_config",
    "read_keywords",
]

OriginsOption = str | re.Pattern[str] | Callable[[str], bool] | Iterable[str | re.Pattern[str]]
ResourceKey = str | re.Pattern[str]


class ResourceOptions(TypedDict, total=False):
    """The options of one resource, and of :func:`~cors_wsgi.flask.cross_origin`.

    The names are flask-cors's; the README (docs/readme/flask.md) gives each one's type,
    default and meaning.
    """

    origins: OriginsOption
    methods: str | Iterable[str]
    allow_headers: str | Iterable[str]
    expose_headers: str | Iterable[str]
    supports_credentials: bool
    max_age: int | timedelta | str
    send_wildcard: bool
    vary_header: bool
    automatic_options: bool
    allow_private_network: bool
    intercept_exceptions: bool
    always_send: bool
    # cors_wsgi's own, beyond flask-cors's names:
    origin_func_ttl: float
    preflight_status: int
    debug: bool


class CORSOptions(ResourceOptions, total=False):
    """The options of :class:`~cors_wsgi.flask.CORS`: those of a resource, plus ``resources``."""

    resources: ResourceKey | Iterable[ResourceKey] | Mapping[ResourceKey, ResourceOptions]


# flask-cors's defaults, so that CORS(app) means what it meant there: any origin, anonymous.
DEFAULTS: Mapping[str, object] = {
    "origins": ANY,
    "methods": ("GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"),
    "allow_headers": ANY,
    "expose_headers": (),
    "supports_credentials": False,
    "max_age": None,
    "send_wildcard": False,
    "vary_header": True,
    "automatic_options": True,
    "allow_private_network": False,
    "intercept_exceptions": True,
    "always_send": True,
    "origin_func_ttl": 10.0,
    "preflight_status": 204,
    "debug": False,
    "resources": "/*",
}
OPTION_NAMES: tuple[str, ...] = tuple(DEFAULTS)
RESOURCE_OPTION_NAMES: frozenset[str] = frozenset(OPTION_NAMES) - {"resources"}
CONFIG_PREFIX = "CORS_"
_CONFIG_KEYS: Mapping[str, str] = {CONFIG_PREFIX + name.upper(): name for name in OPTION_NAMES}

# The characters that made flask-cors read a string as a regular expression. A resource
# string holding one is refused: read literally it would silently stop matching.
_REGEX_CHARACTERS = frozenset("*\\]?$^[()|")
_ALL_PATHS = "/"

# flask-cors option -> Policy keyword, where the value only changes name.
_RENAMED: Mapping[str, str] = {
    "methods": "allow_methods",
    "allow_headers": "allow_headers",
    "expose_headers": "expose_headers",
    "supports_credentials": "allow_credentials",
    "allow_private_network": "allow_private_network",
    "origin_func_ttl": "allow_origin_func_ttl",
    "preflight_status": "preflight_status",
}
# The core's words -> flask-cors's, for every message, warning and logged reason; each
# policy's own table names the option as the user wrote it (a CORS_* config key, an entry
# of resources).
VOCABULARY = Vocabulary(
    "Flask",
    names={
        "allow_origins": "origins",
        "allow_origin_regex": "origins",
        "allow_origin_func": "origins",
        "allow_origin_func_ttl": "origin_func_ttl",
        "allow_methods": "methods",
        "allow_headers": "allow_headers",
        "allow_credentials": "supports_credentials",
        "expose_headers": "expose_headers",
        "max_age": "max_age",
        "allow_private_network": "allow_private_network",
        "preflight_status": "preflight_status",
        "preflight_passthrough": "automatic_options",
    },
    phrases={
        "allow_origins, allow_origin_regex or allow_origin_func": "origins",
        "use allow_origin_regex": (
            "pass a compiled regex, e.g. origins=re.compile(r'https://[a-z0-9-]+\\.example\\.com')"
        ),
        "preflight_passthrough is on": "automatic_options is False",
    },
)
# debug="force" turns debug mode on even when the Flask app is not in debug mode.
FORCED_DEBUG = "force"
# Booleans the core does not see (the others it checks under their Policy names).
_ADAPTER_BOOLEANS = (
    "send_wildcard",
    "vary_header",
    "automatic_options",
    "intercept_exceptions",
    "always_send",
)
# Options that only existed to turn a guarantee off; the value that turned it off is refused.
_REFUSED_FALSE: Mapping[str, str] = {
    "vary_header": (
        "cors_wsgi always merges the right Vary names into the response's Vary header; "
        "leaving them out lets caches and CDNs serve one origin's CORS headers to another "
        # V12, R30
        ". Remove this option"
    ),
    "intercept_exceptions": (
        "cors_wsgi always adds CORS headers to error responses (abort(), errorhandler "
        "responses, 500s) as they leave the app, without replacing Flask's exception "
        "handlers, so there is nothing to leave alone. Remove this option"
    ),
}


@dataclass(frozen=True)
class Sourced:
    """An option's value and the name the user wrote it under (for error messages)."""

    value: Any
    label: str


Layer = Mapping[str, Sourced]


def read_config(config: Mapping[str, Any]) -> tuple[dict[str, Sourced], list[ConfigProblem]]:
    """The ``CORS_*`` keys of a Flask config as options; ``None`` values count as unset.

    An unknown ``CORS_*`` key is reported (a typo would otherwise be silently ignored).
    """
    layer: dict[str, Sourced] = {}
    problems: list[ConfigProblem] = []
    for key, value in config.items():
        if not isinstance(key, str) or not key.startswith(CONFIG_PREFIX):
            continue
        name = _CONFIG_KEYS.get(key)
        if name is None:
            problems.append(_unknown(key, value, tuple(_CONFIG_KEYS)))
        elif value is not None:
            layer[name] = Sourced(value, key)
    return layer, problems


def read_keywords(
    options: Mapping[str, Any], *, allowed: Iterable[str] = OPTION_NAMES, label: str = "{}"
) -> tuple[dict[str, Sourced], list[ConfigProblem]]:
    """Keyword options as a layer; ``None`` values count as unset, unknown names are reported.

    ``label`` formats an option name for messages (``"resources['/api/*'].{}"``).
    """
    known = tuple(allowed)
    layer: dict[str, Sourced] = {}
    problems: list[ConfigProblem] = []
    for name, value in options.items():
        if name not in known:
            problems.append(_unknown(label.format(name), value, known))
        elif value is not None:
            layer[name] = Sourced(value, label.format(name))
    return layer, problems


def build_policy(
    layers: Iterable[Layer], problems: list[ConfigProblem], *, app_debug: bool = False
) -> Policy:
    """The policy of the merged layers (later layers win over earlier ones, all over defaults).

    ``app_debug`` is the Flask app's debug mode, without which ``debug=True`` is refused.
    Raises :class:`ConfigError` with ``problems`` and every problem found here.
    """
    policy = _policy_or_problems(_merge(layers), problems, app_debug)
    if problems or policy is None:
        raise ConfigError([VOCABULARY.problem(problem) for problem in problems])
    return policy


def build_path_policies(
    layers: Iterable[Layer], problems: list[ConfigProblem], *, app_debug: bool = False
) -> PathPolicies:
    """The path policies of the merged layers: one policy per ``resources`` entry.

    ``app_debug`` is the Flask app's debug mode, without which ``debug=True`` is refused.
    Raises :class:`ConfigError` with ``problems`` and every problem found here.
    """
    merged = _merge(layers)
    resources = merged.get("resources", Sourced(DEFAULTS["resources"], "resources"))
    entries: dict[ResourceKey, Policy] = {}
    written: dict[ResourceKey, object] = {}
    for key, overrides in _resource_entries(resources, problems):
        path = _resource_path(key, resources.label, problems)
        entry_label = f"{resources.label}[{key!r}]"
        entry_layer, entry_problems = _resource_layer(overrides, entry_label)
        problems.extend(entry_problems)
        policy = _policy_or_problems({**merged, **entry_layer}, problems, app_debug)
        if path is None or policy is None:
            continue
        if path in entries:
            problems.append(
                ConfigProblem(
                    Code.BAD_PATH,
                    resources.label,
                    key,
                    f"{key!r} and {written[path]!r} name the same paths; keep one",
                )
            )
            continue
        entries[path] = policy
        written[path] = key
    if problems:
        raise ConfigError([VOCABULARY.problem(problem) for problem in problems])
    return PathPolicies(entries)


def _merge(layers: Iterable[Layer]) -> dict[str, Sourced]:
    merged = {name: Sourced(value, name) for name, value in DEFAULTS.items()}
    for layer in layers:
        merged.update(layer)
    return merged


def _unknown(name: str, value: object, known: tuple[str, ...]) -> ConfigProblem:
    bare = name.rsplit(".", 1)[-1]
    close = difflib.get_close_matches(bare, known, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"the options are {', '.join(known)}"
    return ConfigProblem(Code.UNKNOWN_OPTION, name, value, f"unknown option; {hint}")


def _resource_entries(
    resources: Sourced, problems: list[ConfigProblem]
) -> list[tuple[object, object]]:
    """``resources`` as (key, options-or-None) pairs, in the order written."""
    value = resources.value
    if isinstance(value, str | re.Pattern):
        return [(value, None)]
    if isinstance(value, Mapping):
        return list(value.items())
    if isinstance(value, Iterable):
        return [(key, None) for key in value]
    problems.append(
        ConfigProblem(
            Code.WRONG_TYPE,
            resources.label,
            value,
            "give a path prefix such as '/api/*', a compiled regex, a list of them, or a "
            "dict from them to options",
        )
    )
    return []


def _resource_path(key: object, label: str, problems: list[ConfigProblem]) -> ResourceKey | None:
    """A ``resources`` key as a :class:`PathPolicies` key: a segment prefix or a regex."""
    if isinstance(key, re.Pattern):
        return key
    if not isinstance(key, str):
        problems.append(
            ConfigProblem(
                Code.WRONG_TYPE,
                label,
                key,
                "a resource is a path prefix such as '/api/*' or a compiled regex such as "
                r"re.compile(r'/v[0-9]+/.*')",
            )
        )
        return None
    if key in (ANY, "/*"):
        return _ALL_PATHS
    prefix = key.removesuffix("/*")
    if _REGEX_CHARACTERS.intersection(prefix):
        problems.append(
            ConfigProblem(
                Code.BAD_PATH,
                label,
                key,
                "a string resource is a path prefix matched on whole segments ('/api/*' "
                "matches /api and /api/users, never /apiary); only a trailing '/*' is "
                "allowed. flask-cors read strings holding regex characters as regular "
                "expressions; cors_wsgi never guesses: write re.compile(r'...') for a "
                "regular expression, which must then match the whole path",
            )
        )
        return None
    if not prefix.startswith("/"):
        problems.append(
            ConfigProblem(
                Code.BAD_PATH,
                label,
                key,
                f"a path prefix starts with '/', e.g. {'/' + prefix.lstrip('/')!r}",
            )
        )
        return None
    return prefix


def _resource_layer(
    overrides: object, label: str
) -> tuple[dict[str, Sourced], list[ConfigProblem]]:
    if overrides is None:
        return {}, []
    if not isinstance(overrides, Mapping):
        problem = ConfigProblem(
            Code.WRONG_TYPE,
            label,
            overrides,
            "give a dict of options for this resource, such as {'origins': [...]}",
        )
        return {}, [problem]
    return read_keywords(overrides, allowed=sorted(RESOURCE_OPTION_NAMES), label=label + ".{}")


def _policy_or_problems(
    options: Mapping[str, Sourced], problems: list[ConfigProblem], app_debug: bool
) -> Policy | None:
    """Translate flask-cors options into a :class:`Policy`; ``None`` after recording problems."""
    keywords: dict[str, Any] = {}
    labels: dict[str, str] = {}
    found = _adapter_boolean_problems(options)

    for name, keyword in _RENAMED.items():
        keywords[keyword] = options[name].value
        labels[keyword] = options[name].label

    _translate_debug(options["debug"], app_debug, keywords, labels, found)
    _translate_origins(options["origins"], keywords, labels, found)

    max_age = options["max_age"]
    labels["max_age"] = max_age.label
    keywords["max_age"] = _seconds(max_age, found)

    automatic = options["automatic_options"]
    if isinstance(automatic.value, bool):
        # flask-cors's automatic_options=False let the view answer OPTIONS itself.
        keywords["preflight_passthrough"] = not automatic.value
        labels["preflight_passthrough"] = automatic.label

    if isinstance(options["allow_headers"].value, re.Pattern):
        option = options["allow_headers"]
        found.append(
            ConfigProblem(
                Code.WRONG_TYPE,
                option.label,
                option.value,
                "allow_headers lists header names (or '*'); regular expressions are not "
                "supported: list the names, e.g. ['content-type', 'x-requested-with']",
            )
        )
        keywords["allow_headers"] = ()

    vocabulary = VOCABULARY.with_names(
        {keyword: label for keyword, label in labels.items() if keyword in VOCABULARY.names}
    )
    policy: Policy | None = None
    try:
        policy = Policy(**keywords).in_words_of(vocabulary)
    except ConfigError as error:
        found.extend(_relabel(problem, labels, vocabulary) for problem in error.errors)
    problems.extend(found)
    return None if found else policy


def _adapter_boolean_problems(options: Mapping[str, Sourced]) -> list[ConfigProblem]:
    """The problems of the options only the adapter reads: booleans, some never False."""
    found: list[ConfigProblem] = []
    for name in _ADAPTER_BOOLEANS:
        option = options[name]
        if not isinstance(option.value, bool):
            found.append(
                ConfigProblem(Code.WRONG_TYPE, option.label, option.value, "give True or False")
            )
        elif not option.value and name in _REFUSED_FALSE:
            found.append(
                ConfigProblem(Code.UNSAFE_OPTION, option.label, option.value, _REFUSED_FALSE[name])
            )
    return found


def _translate_debug(
    debug: Sourced,
    app_debug: bool,
    keywords: dict[str, Any],
    labels: dict[str, str],
    found: list[ConfigProblem],
) -> None:
    """debug: only with the app in debug mode, unless forced."""
    labels["debug"] = debug.label
    keywords["debug"] = debug.value is True or debug.value == FORCED_DEBUG
    if debug.value is True and not app_debug:
        found.append(
            ConfigProblem(
                Code.DEBUG_OUTSIDE_DEVELOPMENT,
                debug.label,
                debug.value,
                "CORS debug mode tells anyone who sends a preflight what the allow-lists "
                "hold, so it only runs when the Flask app is in debug mode; set it to "
                f"{FORCED_DEBUG!r} to run it anyway",
            )
        )
    elif not isinstance(debug.value, bool) and debug.value != FORCED_DEBUG:
        found.append(
            ConfigProblem(
                Code.WRONG_TYPE, debug.label, debug.value, f"give True, False or {FORCED_DEBUG!r}"
            )
        )


def _translate_origins(
    option: Sourced, keywords: dict[str, Any], labels: dict[str, str], found: list[ConfigProblem]
) -> None:
    """``origins`` is split by type, never by the characters of a string."""
    labels["allow_origins"] = labels["allow_origin_regex"] = option.label
    labels["allow_origin_func"] = option.label
    value = option.value
    if isinstance(value, str):
        keywords["allow_origins"] = value if value == ANY else (value,)
    elif isinstance(value, re.Pattern):
        keywords["allow_origin_regex"] = (value,)
    elif callable(value):
        keywords["allow_origin_func"] = value
    elif isinstance(value, Iterable) and not isinstance(value, Mapping | bytes):
        strings: list[object] = []
        regexes: list[re.Pattern[str]] = []
        for item in value:
            if isinstance(item, re.Pattern):
                regexes.append(item)
            else:
                strings.append(item)  # the core reports anything that is not an origin
        keywords["allow_origins"] = tuple(strings)
        if regexes:
            keywords["allow_origin_regex"] = tuple(regexes)
    else:
        found.append(
            ConfigProblem(
                Code.WRONG_TYPE,
                option.label,
                value,
                "give '*', an origin such as 'https://app.example.com', a wildcard pattern "
                "such as 'https://*.example.com', a compiled regex, a list of these, or a "
                "function taking the Origin and returning True to allow it",
            )
        )


def _seconds(option: Sourced, found: list[ConfigProblem]) -> object:
    """``max_age`` as whole seconds: flask-cors took an int, a timedelta or a string of digits."""
    value = option.value
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
        if seconds.is_integer():
            return int(seconds)
    elif isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    elif value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value  # the core checks the range
    found.append(
        ConfigProblem(
            Code.MAX_AGE_OUT_OF_RANGE,
            option.label,
            value,
            "give whole seconds from 0 to 86400 as an int, a timedelta or a string of digits",
        )
    )
    return None


def _relabel(
    problem: ConfigProblem, labels: Mapping[str, str], vocabulary: Vocabulary
) -> ConfigProblem:
    """A core problem, under the flask-cors name the user wrote, in flask-cors's words."""
    worded = vocabulary.problem(problem.renamed(labels.get(problem.option, problem.option)))
    if problem.code == Code.ANY_ORIGIN_WITH_CREDENTIALS:
        message = (
            f"{worded.message}. flask-cors answered this by reflecting the request's Origin "
            "(send_wildcard=False), which is exactly that vulnerability"
        )
        return ConfigProblem(worded.code, worded.option, worded.value, message)
    return worded
