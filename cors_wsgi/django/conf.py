"""The CORS_* settings, translated into core policies once, and again when they change.

This is the only module that reads the CORS_* settings. :func:`compile_settings` turns them
into a :class:`CompiledSettings` (core policies and the path rules that choose one), or
into the list of everything wrong with them, each problem named after the setting the user
actually wrote (an old alias, an entry of CORS_PATHS). :func:`compiled_settings` caches the
result; Django's ``setting_changed`` signal (sent by ``override_settings`` and pytest-django's
``settings`` fixture) drops the cache, so requests never re-read or re-parse settings.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.utils.module_loading import import_string

from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.paths import PathPolicies
from cors_wsgi.core.policy import Policy
from cors_wsgi.core.vocabulary import Vocabulary
from cors_wsgi.django.defaults import default_headers, default_methods

__all__ = [
    "ALIASES",
    "DEFAULTS",
    "KNOWN_SETTINGS",
    "POLICY_SETTINGS",
    "CompiledSettings",
    "compile_settings",
    "compiled_settings",
]

# The settings that map one-to-one onto a keyword of the core Policy.
POLICY_SETTINGS: Final[Mapping[str, str]] = {
    "CORS_ALLOWED_ORIGINS": "allow_origins",
    "CORS_ALLOWED_ORIGIN_REGEXES": "allow_origin_regex",
    "CORS_ALLOWED_ORIGIN_FUNC": "allow_origin_func",
    "CORS_ALLOWED_ORIGIN_FUNC_TTL": "allow_origin_func_ttl",
    "CORS_ALLOW_METHODS": "allow_methods",
    "CORS_ALLOW_HEADERS": "allow_headers",
    "CORS_EXPOSE_HEADERS": "expose_headers",
    "CORS_PREFLIGHT_MAX_AGE": "max_age",
    "CORS_ALLOW_CREDENTIALS": "allow_credentials",
    "CORS_ALLOW_PRIVATE_NETWORK": "allow_private_network",
    "CORS_PREFLIGHT_STATUS": "preflight_status",
    "CORS_PREFLIGHT_PASSTHROUGH": "preflight_passthrough",
    "CORS_DEBUG": "debug",
}
DEBUG_SETTING: Final = "CORS_DEBUG"
# CORS_DEBUG reveals the allow-lists to anyone who asks, so it needs Django's DEBUG too,
# unless the user insists with this value.
FORCED_DEBUG: Final = "force"
ALLOW_ALL_ORIGINS: Final = "CORS_ALLOW_ALL_ORIGINS"
URLS_REGEX: Final = "CORS_URLS_REGEX"
PATHS: Final = "CORS_PATHS"

# django-cors-headers's old names, still read when the new name is not set.
ALIASES: Final[Mapping[str, str]] = {
    "CORS_ORIGIN_WHITELIST": "CORS_ALLOWED_ORIGINS",
    "CORS_ORIGIN_REGEX_WHITELIST": "CORS_ALLOWED_ORIGIN_REGEXES",
    "CORS_ORIGIN_ALLOW_ALL": ALLOW_ALL_ORIGINS,
}

# Every setting that can appear inside an entry of CORS_PATHS (by its new name).
ENTRY_SETTINGS: Final = (*POLICY_SETTINGS, ALLOW_ALL_ORIGINS)
# The settings that say which origins are allowed: an entry of CORS_PATHS that sets any of
# them inherits none of the top-level ones, so an inherited CORS_ALLOW_ALL_ORIGINS can never
# widen an entry's own list.
ORIGIN_SETTINGS: Final = frozenset(
    {
        "CORS_ALLOWED_ORIGINS",
        "CORS_ALLOWED_ORIGIN_REGEXES",
        "CORS_ALLOWED_ORIGIN_FUNC",
        ALLOW_ALL_ORIGINS,
    }
)
KNOWN_SETTINGS: Final = frozenset({*ENTRY_SETTINGS, *ALIASES, URLS_REGEX, PATHS})

# The core's words -> the settings a Django user writes, for every message, warning and
# logged reason (a policy's own table also names the old aliases the user wrote).
VOCABULARY: Final = Vocabulary(
    "Django",
    names={keyword: name for name, keyword in POLICY_SETTINGS.items() if keyword != "debug"},
    phrases={
        "pass allow_origins='*' on its own": f"write {ALLOW_ALL_ORIGINS} = True instead",
        "allow_origins='*'": f"{ALLOW_ALL_ORIGINS} = True",
        "allow_origins is '*'": f"{ALLOW_ALL_ORIGINS} is True",
    },
    equals=" = ",
)

# django-cors-headers's defaults, kept so that switching changes no preflight's outcome.
DEFAULTS: Final[Mapping[str, object]] = {
    "CORS_ALLOW_METHODS": default_methods,
    "CORS_ALLOW_HEADERS": default_headers,
    "CORS_PREFLIGHT_MAX_AGE": 86400,
}


@dataclass(frozen=True)
class _Written:
    """One setting as the user wrote it: under which name, where, with which value."""

    value: Any
    label: str  # how problems name it, e.g. "CORS_ORIGIN_WHITELIST" or "CORS_PATHS['/api/']..."


class CompiledSettings:
    """The CORS_* settings in their compiled form: asked for the policy of a path.

    ``scopes`` lists each policy with the settings that say where it applies (``"every
    path"``, ``"CORS_PATHS['/api/']"``...), for ``cors-wsgi check`` to describe.
    """

    __slots__ = ("policy_for_path", "scopes")

    policy_for_path: Callable[[str], Policy | None]
    scopes: tuple[tuple[str, Policy], ...]

    def __init__(
        self,
        policy_for_path: Callable[[str], Policy | None],
        scopes: tuple[tuple[str, Policy], ...] = (),
    ) -> None:
        self.policy_for_path = policy_for_path
        self.scopes = scopes


def _everywhere(policy: Policy) -> Callable[[str], Policy | None]:
    def policy_for_path(path: str) -> Policy | None:
        return policy

    return policy_for_path


def _read_top_level() -> dict[str, _Written]:
    """The policy settings present in Django's settings, by new name; aliases resolved."""
    written: dict[str, _Written] = {}
    for name in ENTRY_SETTINGS:
        if hasattr(settings, name):
            written[name] = _Written(getattr(settings, name), name)
    for alias, name in ALIASES.items():
        if name not in written and hasattr(settings, alias):
            written[name] = _Written(getattr(settings, alias), alias)
    return written


def _read_entry(
    key: object, entry: Mapping[Any, Any], problems: list[ConfigProblem]
) -> dict[str, _Written]:
    """The settings of one CORS_PATHS entry, by new name; unknown keys are problems."""
    written: dict[str, _Written] = {}
    for name, value in entry.items():
        label = f"{PATHS}[{key!r}][{name!r}]"
        if name in ALIASES:
            name = ALIASES[name]
        if name not in ENTRY_SETTINGS:
            problems.append(
                ConfigProblem(
                    Code.UNKNOWN_OPTION,
                    label,
                    value,
                    "an entry of CORS_PATHS holds only these settings: "
                    + ", ".join(ENTRY_SETTINGS),
                )
            )
            continue
        written[name] = _Written(value, label)
    return written


# Settings that hold a list: a str there is refused with the list to write, as
# django-cors-headers does, except the '*' the README documents for methods and headers.
LIST_SETTINGS: Final[Mapping[str, bool]] = {  # setting -> whether '*' alone is allowed
    "CORS_ALLOWED_ORIGINS": False,
    "CORS_ALLOWED_ORIGIN_REGEXES": False,
    "CORS_ALLOW_METHODS": True,
    "CORS_ALLOW_HEADERS": True,
    "CORS_EXPOSE_HEADERS": True,
}


def _string_for_list(name: str, found: _Written) -> ConfigProblem | None:
    """E023 for a str where a list belongs, showing the list to write."""
    value = found.value
    if name == "CORS_ALLOWED_ORIGINS" and isinstance(value, list | tuple) and ANY in value:
        # Django says "every origin" with CORS_ALLOW_ALL_ORIGINS only; a '*' among the
        # origins is a FastAPI habit, refused so that its meaning is never a guess.
        value = ANY
    elif not isinstance(value, str) or (LIST_SETTINGS[name] and value == ANY):
        return None
    if name == "CORS_ALLOWED_ORIGINS" and value.strip() == ANY:
        fix = (
            f"'*' is not an origin; to allow every origin write {ALLOW_ALL_ORIGINS} = True "
            "(anonymous requests only), else list the origins, e.g. ['https://app.example.com']"
        )
    else:
        if name == "CORS_ALLOWED_ORIGIN_REGEXES":
            shown = f"[r'{value}']"
        else:
            shown = repr(value.replace(",", " ").split() or [value])
        fix = f"a string where a list belongs; write {shown}"
    return ConfigProblem(Code.WRONG_TYPE, found.label, found.value, fix)


def _build_policy(written: Mapping[str, _Written], problems: list[ConfigProblem]) -> Policy | None:
    """The core Policy for one set of settings; its problems renamed to the settings."""
    strings = [
        problem
        for name in LIST_SETTINGS
        if name in written and (problem := _string_for_list(name, written[name])) is not None
    ]
    if strings:
        problems.extend(strings)
        return None
    keywords, sources = _keywords_of(written)
    found = _import_func(written, keywords) or _debug_problem(written, keywords)
    allow_all = written.get(ALLOW_ALL_ORIGINS)
    if found is None and allow_all is not None:
        found = _apply_allow_all(allow_all, keywords, sources)
    if found is not None:
        problems.append(found)
        return None
    vocabulary = VOCABULARY.with_names(
        {
            keyword: _setting_of(source.label)
            for keyword, source in sources.items()
            if keyword in VOCABULARY.names and source is not allow_all
        }
    )
    try:
        return Policy(**keywords).in_words_of(vocabulary)
    except ConfigError as error:
        problems.extend(
            vocabulary.problem(_as_written(problem, keywords, sources)) for problem in error.errors
        )
        return None


def _keywords_of(
    written: Mapping[str, _Written],
) -> tuple[dict[str, Any], dict[str, _Written]]:
    """The Policy keywords of the settings, and for each the setting it came from, so that
    problems name what the user wrote."""
    keywords: dict[str, Any] = {}
    sources: dict[str, _Written] = {}
    for name, keyword in POLICY_SETTINGS.items():
        found = written.get(name)
        if found is not None:
            keywords[keyword] = found.value
            sources[keyword] = found
        elif name in DEFAULTS:
            keywords[keyword] = DEFAULTS[name]
            sources[keyword] = _Written(DEFAULTS[name], f"{name} (default)")
    return keywords, sources


def _import_func(
    written: Mapping[str, _Written], keywords: dict[str, Any]
) -> ConfigProblem | None:
    """CORS_ALLOWED_ORIGIN_FUNC given as a dotted path, imported into ``keywords``."""
    func = written.get("CORS_ALLOWED_ORIGIN_FUNC")
    if func is None or not isinstance(func.value, str):
        return None
    try:
        keywords["allow_origin_func"] = import_string(func.value)
    except ImportError as error:
        return ConfigProblem(
            Code.WRONG_TYPE,
            func.label,
            func.value,
            f"could not import it ({error}); give a function or its dotted path, "
            "e.g. 'myproject.cors.is_tenant_origin'",
        )
    return None


def _debug_problem(
    written: Mapping[str, _Written], keywords: dict[str, Any]
) -> ConfigProblem | None:
    """CORS debug mode outside DEBUG is refused unless forced; forced, it is turned on."""
    debug = written.get(DEBUG_SETTING)
    if debug is not None and debug.value is True and not settings.DEBUG:
        return ConfigProblem(
            Code.DEBUG_OUTSIDE_DEVELOPMENT,
            debug.label,
            debug.value,
            "CORS debug mode tells anyone who sends a preflight what the allow-lists "
            "hold, so it only runs with DEBUG = True; set it to 'force' to run it anyway",
        )
    if debug is not None and debug.value == FORCED_DEBUG:
        keywords["debug"] = True
    return None


def _apply_allow_all(
    allow_all: _Written, keywords: dict[str, Any], sources: dict[str, _Written]
) -> ConfigProblem | None:
    """CORS_ALLOW_ALL_ORIGINS = True in place of the origin lists."""
    if not isinstance(allow_all.value, bool):
        return ConfigProblem(
            Code.WRONG_TYPE, allow_all.label, allow_all.value, "give True or False"
        )
    if allow_all.value:
        # As in django-cors-headers, allowing all origins makes the lists irrelevant
        # (a system check warns when both are set).
        keywords["allow_origins"] = ANY
        sources["allow_origins"] = allow_all
        keywords.pop("allow_origin_regex", None)
        keywords.pop("allow_origin_func", None)
    return None


def _setting_of(label: str) -> str:
    """The setting's own name in a label: ``CORS_PATHS['/api/']['CORS_ORIGIN_WHITELIST']
    (inherited ...)`` -> ``CORS_ORIGIN_WHITELIST``."""
    names: list[str] = re.findall(r"CORS_[A-Z_]+", label.split(" (", 1)[0])
    return names[-1]


def _as_written(
    problem: ConfigProblem, keywords: Mapping[str, Any], sources: Mapping[str, _Written]
) -> ConfigProblem:
    """A core problem, named after the setting the user wrote; when the problem is about the
    whole translated value (CORS_ALLOW_ALL_ORIGINS=True became '*'), it shows the user's."""
    source = sources.get(problem.option)
    if source is None:
        return problem
    value = problem.value
    if problem.option in keywords and value is keywords[problem.option]:
        value = source.value
    return ConfigProblem(problem.code, source.label, value, problem.message)


def _urls_regex(value: object, problems: list[ConfigProblem]) -> re.Pattern[str] | None:
    """CORS_URLS_REGEX compiled as the user wrote it (global flags such as ``(?i)`` at its
    start included), to be used with django-cors-headers's meaning: ``re.match``, anchored
    at the start only."""
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
        return value
    if not isinstance(value, str):
        problems.append(
            ConfigProblem(
                Code.WRONG_TYPE, URLS_REGEX, value, r"give a str or compiled regex, e.g. r'^/api/'"
            )
        )
        return None
    try:
        return re.compile(value)
    except re.error as error:
        problems.append(
            ConfigProblem(Code.BAD_REGEX, URLS_REGEX, value, f"does not compile: {error}")
        )
        return None


def _where_regex_matches(regex: re.Pattern[str], policy: Policy) -> Callable[[str], Policy | None]:
    match = regex.match

    def policy_for_path(path: str) -> Policy | None:
        return policy if match(path) else None

    return policy_for_path


def _compile_paths(
    top_level: Mapping[str, _Written], problems: list[ConfigProblem]
) -> CompiledSettings | None:
    paths_setting = settings.CORS_PATHS
    if hasattr(settings, URLS_REGEX):
        problems.append(
            ConfigProblem(
                Code.CONFLICTING_OPTIONS,
                URLS_REGEX,
                getattr(settings, URLS_REGEX),
                "CORS_PATHS already says which paths get CORS; remove CORS_URLS_REGEX and "
                "add its paths to CORS_PATHS",
            )
        )
    if not isinstance(paths_setting, Mapping):
        problems.append(
            ConfigProblem(
                Code.WRONG_TYPE,
                PATHS,
                paths_setting,
                "give a dict from path prefix (or compiled regex) to a dict of CORS_* "
                "settings, e.g. {'/api/': {'CORS_ALLOWED_ORIGINS': ['https://app.example.com']}}",
            )
        )
        return None
    inherited_without_origins = {
        name: written for name, written in top_level.items() if name not in ORIGIN_SETTINGS
    }
    policies: dict[Any, Policy] = {}
    for key, entry in paths_setting.items():
        if not isinstance(entry, Mapping):
            problems.append(
                ConfigProblem(
                    Code.WRONG_TYPE,
                    f"{PATHS}[{key!r}]",
                    entry,
                    "give a dict of CORS_* settings, e.g. "
                    "{'CORS_ALLOWED_ORIGINS': ['https://app.example.com']}",
                )
            )
            continue
        own = _read_entry(key, entry, problems)
        base = top_level if ORIGIN_SETTINGS.isdisjoint(own) else inherited_without_origins
        merged = {
            name: _Written(written.value, f"{written.label} (inherited by {PATHS}[{key!r}])")
            for name, written in base.items()
        }
        merged.update(own)
        policy = _build_policy(merged, problems)
        if policy is not None:
            policies[key] = policy
    try:
        path_policies = PathPolicies(policies)
    except ConfigError as error:
        problems.extend(problem.renamed(PATHS) for problem in error.errors)
        return None
    scopes = tuple((f"{PATHS}[{key!r}]", policy) for key, policy in policies.items())
    return CompiledSettings(path_policies.policy_for, scopes)


def compile_settings() -> tuple[CompiledSettings | None, list[ConfigProblem]]:
    """Translate the current CORS_* settings; returns the compiled form or every problem.

    Without CORS_PATHS, one policy from the top-level settings applies to every path that
    CORS_URLS_REGEX matches (all paths when it is not set). With CORS_PATHS, each entry's
    policy applies under its path, built from the entry's settings over the top-level ones
    (origin settings are inherited only by entries that set none), and other paths are out
    of CORS scope. The compiled form is ``None`` exactly when there are problems.
    """
    problems: list[ConfigProblem] = []
    top_level = _read_top_level()
    compiled: CompiledSettings | None
    if hasattr(settings, PATHS):
        compiled = _compile_paths(top_level, problems)
    else:
        policy = _build_policy(top_level, problems)
        compiled = None
        if hasattr(settings, URLS_REGEX):
            written = getattr(settings, URLS_REGEX)
            regex = _urls_regex(written, problems)
            if policy is not None and regex is not None:
                shown = written.pattern if isinstance(written, re.Pattern) else written
                compiled = CompiledSettings(
                    _where_regex_matches(regex, policy),
                    ((f"paths {URLS_REGEX} matches ({shown!r})", policy),),
                )
        elif policy is not None:
            compiled = CompiledSettings(_everywhere(policy), (("every path", policy),))
    if problems:
        return None, problems
    return compiled, []


# The compiled settings, and the settings object they were compiled from: override_settings
# (and pytest-django's ``settings`` fixture, whose ``del settings.X`` sends no signal) swaps
# that object on every change, so comparing identities catches every override. LazySettings
# keeps it in its instance dict (the same dict object for the life of the process), read
# here directly: going through LazyObject's __getattribute__ would cost more than the rest
# of the check.
_cache: CompiledSettings | None = None
_cache_source: object = None
_lazy_settings_dict: dict[str, object] = object.__getattribute__(settings, "__dict__")


def compiled_settings() -> CompiledSettings:
    """The compiled CORS_* settings, compiled on first use after start-up or a change.

    Raises ImproperlyConfigured listing every problem (the system checks report the same
    problems as errors, with their ids, at start-up).
    """
    global _cache, _cache_source
    compiled = _cache
    source = _lazy_settings_dict.get("_wrapped")
    if compiled is None or source is not _cache_source:
        compiled, problems = compile_settings()
        if compiled is None:
            raise ImproperlyConfigured(
                "invalid CORS settings (run `manage.py check` for details):\n  "
                + "\n  ".join(map(str, problems))
            )
        _cache, _cache_source = compiled, source
    return compiled


def _forget_compiled_settings(*, setting: str, **kwargs: Any) -> None:
    """Drop the compiled form when a CORS_* setting changes (override_settings)."""
    global _cache
    if setting.startswith("CORS_"):
        _cache = None


setting_changed.connect(_forget_compiled_settings, dispatch_uid="cors_wsgi.django.conf")
