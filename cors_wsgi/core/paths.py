"""Different policies for different URL paths."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cors_wsgi.core.errors import Code, ConfigError, ConfigProblem
from cors_wsgi.core.policy import Policy

__all__ = [
    "PathKey",
    "PathPolicies",
    "PathsInput",
    "PolicyInput",
    "ScopedPolicies",
    "policies_from_options",
]

PathKey = str | re.Pattern[str]
PolicyInput = Policy | Mapping[str, Any]
# Keys are checked when the mapping is read (E027). Any, rather than PathKey, because
# Mapping is invariant in its key type: a dict[str, Policy], or a literal that mixes str
# and re.Pattern keys, would otherwise not type-check.
PathsInput = Mapping[Any, PolicyInput]


class PathPolicies:
    """Chooses the policy for a request path; a path no entry matches is out of CORS scope.

    Keys are path prefixes (``"/api/"``) or compiled regular expressions; values are
    :class:`~cors_wsgi.Policy` objects or dicts of its keywords.

    - A prefix matches whole segments: ``"/api"`` and ``"/api/"`` both match ``/api`` and
      ``/api/users``, never ``/apiary``. ``"/"`` matches every path.
    - A regex is full-matched against the path (never a prefix or substring match).
    - Which wins: regex keys first, in the order written; then the longest matching prefix,
      whatever the order (so ``"/api/public/"`` beats ``"/api/"``).
    """

    __slots__ = ("_prefixes", "_regexes", "entries")

    def __init__(self, paths: PathsInput) -> None:
        problems: list[ConfigProblem] = []
        regexes: list[tuple[re.Pattern[str], Policy]] = []
        prefixes: dict[str, Policy] = {}
        if not isinstance(paths, Mapping):
            raise ConfigError(
                [
                    ConfigProblem(
                        Code.WRONG_TYPE,
                        "paths",
                        paths,
                        "give a dict from path prefix (or compiled regex) to a Policy",
                    )
                ]
            )
        for key, value in paths.items():
            label = f"paths[{key!r}]"
            try:
                policy = Policy.from_mapping(value)
            except ConfigError as error:
                problems.extend(p.renamed(f"{label}.{p.option}") for p in error.errors)
                policy = None
            if isinstance(key, re.Pattern) and isinstance(key.pattern, str):
                if policy is not None:
                    regexes.append((key, policy))
            elif isinstance(key, str) and key.startswith("/"):
                prefix = key.rstrip("/") or "/"
                if prefix in prefixes:
                    problems.append(
                        ConfigProblem(
                            Code.BAD_PATH,
                            "paths",
                            key,
                            f"the prefix {prefix!r} is given twice (with and without a "
                            "trailing slash?); keep one",
                        )
                    )
                elif policy is not None:
                    prefixes[prefix] = policy
            else:
                problems.append(
                    ConfigProblem(
                        Code.BAD_PATH,
                        "paths",
                        key,
                        "a key is a path prefix starting with '/' such as '/api/', or a "
                        r"compiled regex such as re.compile(r'/v[0-9]+/.*')",
                    )
                )
        if problems:
            raise ConfigError(problems)
        self._regexes = tuple(regexes)
        self._prefixes = tuple(sorted(prefixes.items(), key=lambda item: -len(item[0])))
        self.entries: tuple[tuple[PathKey, Policy], ...] = (*regexes, *prefixes.items())

    def policy_for(self, path: str) -> Policy | None:
        """The policy that applies to ``path``, or ``None`` when CORS does not apply there."""
        for regex, policy in self._regexes:
            if regex.fullmatch(path):
                return policy
        for prefix, policy in self._prefixes:
            if path.startswith(prefix) and (
                len(path) == len(prefix) or path[len(prefix)] == "/" or prefix == "/"
            ):
                return policy
        return None


def policies_from_options(
    adapter: str,
    paths: PathsInput | None,
    policy: PolicyInput | None,
    options: Mapping[str, Any],
) -> tuple[Policy | None, PathPolicies | None]:
    """The one policy, or the per-path policies, that a middleware's keywords describe.

    A middleware takes exactly one of ``paths=``, ``policy=`` or the policy keywords;
    giving two is refused (E030), as is every problem of the policies themselves.
    """
    given = [name for name, value in (("paths", paths), ("policy", policy)) if value is not None]
    if options:
        given.append("the policy keywords")
    if len(given) > 1:
        raise ConfigError(
            [
                ConfigProblem(
                    Code.CONFLICTING_OPTIONS,
                    adapter,
                    given,
                    "give one of paths=, policy= or the policy keywords; to combine a "
                    "default with special paths, use paths={'/': ..., '/special/': ...}",
                )
            ]
        )
    if paths is not None:
        return None, PathPolicies(paths)
    return Policy.from_mapping(policy if policy is not None else options), None


class ScopedPolicies:
    """What a middleware configured with ``paths=`` or one policy answers about its scope.

    A mixin for the adapters' middlewares, which set ``_policy`` and ``_paths`` from
    :func:`policies_from_options` (one of them is ``None``).
    """

    __slots__ = ()

    _policy: Policy | None
    _paths: PathPolicies | None

    @property
    def policy(self) -> Policy | None:
        """The one policy for every path, or ``None`` when configured with ``paths=``."""
        return self._policy

    @property
    def paths(self) -> PathPolicies | None:
        """The per-path policies, or ``None`` when one policy applies everywhere."""
        return self._paths

    def policy_for(self, path: str) -> Policy | None:
        """The policy that applies to ``path`` (``None``: out of CORS scope)."""
        if self._policy is not None:
            return self._policy
        if self._paths is None:
            return None
        return self._paths.policy_for(path)
