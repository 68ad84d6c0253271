"""Configuration errors: every problem found, reported together, each with a stable code."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["WSGI_VOCABULARY", "ConfigError", "ConfigProblem", "Vocabulary"]

# A citation of the project's internal rule list (R1-R55, V1-V23) or of a Fetch section:
# useful in code comments, meaningless to a user who never saw that list, so messages lose
# them when rendered. One citation token, then a parenthesis of nothing else, then one
# trailing inside a parenthesis that says more ("(a public suffix, V11)").
_CITATION = r"(?:§[\w-]+|[RV]\d+(?:-[RV]?\d+)?)"
_CITATIONS = re.compile(
    rf" ?\({_CITATION}(?:[,;] ?{_CITATION})*\)|(?:[,;] ?{_CITATION})+(?=\))|\({_CITATION}[,;] ?"
)


@dataclass(frozen=True)
class Vocabulary:
    """How one adapter names the core's options, so messages speak the user's language.

    Messages and reasons are written once, in the core, with the core's option names
    (``allow_origins``) and fixes (``allow_origins='*'``); each adapter renders them with its
    own table: ``names`` maps a core option to the name the user writes
    (``CORS_ALLOWED_ORIGINS``), ``phrases`` maps a whole core phrase to the adapter's way of
    saying it (``allow_origins='*'`` -> ``CORS_ALLOW_ALL_ORIGINS = True``). Rendering also
    drops citations of the project's internal rule list, which users never see.
    """

    adapter: str
    names: Mapping[str, str] = field(default_factory=dict)
    phrases: Mapping[str, str] = field(default_factory=dict)
    # How an option is set to a value in a fix: "name=value" (keywords) or "NAME = value".
    equals: str = "="

    def __post_init__(self) -> None:
        # Read-only copies: policies share their vocabulary across threads.
        object.__setattr__(self, "names", MappingProxyType(dict(self.names)))
        object.__setattr__(self, "phrases", MappingProxyType(dict(self.phrases)))
        table = {**self.names, **self.phrases}
        # Longest first, so that a phrase wins over the option name it starts with.
        keys = sorted(table, key=len, reverse=True)
        pattern = "|".join(re.escape(key) for key in keys) if keys else r"(?!)"
        object.__setattr__(self, "_table", table)
        object.__setattr__(
            self, "_words", re.compile(rf"(?<![\w.\[])(?:{pattern})(?![\w\]])(=(?!=))?")
        )

    def name(self, option: str) -> str:
        """The name the user writes for the core option ``option``."""
        return self.names.get(option, option)

    def render(self, text: str) -> str:
        """``text`` (a message or reason in the core's words) in this adapter's words."""
        table: Mapping[str, str] = self._table  # type: ignore[attr-defined]
        words: re.Pattern[str] = self._words  # type: ignore[attr-defined]
        equals = self.equals

        def replace(found: re.Match[str]) -> str:
            word = found[0].removesuffix("=") if found[1] else found[0]
            return table[word] + (equals if found[1] else "")

        return _CITATIONS.sub("", words.sub(replace, text))

    def with_names(self, names: Mapping[str, str]) -> Vocabulary:
        """This vocabulary, with some options named as the user wrote them."""
        return Vocabulary(self.adapter, {**self.names, **names}, self.phrases, self.equals)

    def problem(self, problem: ConfigProblem) -> ConfigProblem:
        """``problem`` with its message in this adapter's words (its option is kept)."""
        return ConfigProblem(
            problem.code, self.name(problem.option), problem.value, self.render(problem.message)
        )


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a CORS configuration.

    ``code`` is stable across releases (``"E001"`` ...; the README lists them all),
    ``option`` names the keyword (or setting) that holds the problem, ``value`` is the
    offending value as given, and ``message`` says what is wrong and how to fix it.
    """

    code: str
    option: str
    value: object
    message: str

    def __str__(self) -> str:
        return (
            f"[{self.code}] {self.option}={self.value!r}: {WSGI_VOCABULARY.render(self.message)}"
        )

    def renamed(self, option: str) -> ConfigProblem:
        """The same problem, reported under the name the user actually wrote."""
        return ConfigProblem(self.code, option, self.value, self.message)


class ConfigError(ValueError):
    """Raised when a CORS configuration is invalid; ``errors`` lists every problem at once."""

    def __init__(self, errors: tuple[ConfigProblem, ...] | list[ConfigProblem]) -> None:
        self.errors: tuple[ConfigProblem, ...] = tuple(errors)
        count = len(self.errors)
        heading = f"invalid CORS configuration ({count} problem{'s' if count != 1 else ''}):"
        super().__init__("\n  ".join([heading, *map(str, self.errors)]))


# The core's own words: those of Policy, CORSMiddleware and cross_origin's keywords.
WSGI_VOCABULARY: Vocabulary = Vocabulary("cors_wsgi")


class ProblemCollector:
    """Gathers problems while a configuration is validated, so all are reported together."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, code: str, option: str, value: object, message: str) -> None:
        # Worded at once (citations dropped), so that ``message`` reads well on its own.
        self.problems.append(ConfigProblem(code, option, value, WSGI_VOCABULARY.render(message)))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


class Code:
    """The stable problem codes (documented in the README, mapped to Django check ids)."""

    ORIGIN_WITHOUT_SCHEME = "E001"
    ORIGIN_WITH_PATH = "E002"
    ORIGIN_WITH_USERINFO = "E003"
    ORIGIN_NOT_LOWERCASE = "E004"
    ORIGIN_WITH_DEFAULT_PORT = "E005"
    ORIGIN_WITH_WHITESPACE = "E006"
    ORIGIN_WITH_BAD_PORT = "E007"
    ORIGINS_RUN_TOGETHER = "E008"
    ORIGIN_NULL = "E009"
    ORIGIN_OPAQUE_SCHEME = "E010"
    ORIGIN_WITH_BAD_HOST = "E011"
    ANY_ORIGIN_WITH_CREDENTIALS = "E012"
    INSECURE_ORIGIN_WITH_CREDENTIALS = "E013"
    WILDCARD_OVER_PUBLIC_SUFFIX = "E014"
    BAD_WILDCARD = "E015"
    FORBIDDEN_METHOD = "E016"
    BAD_METHOD = "E017"
    FORBIDDEN_REQUEST_HEADER = "E018"
    BAD_HEADER_NAME = "E019"
    EXPOSE_ALL_WITH_CREDENTIALS = "E020"
    MAX_AGE_OUT_OF_RANGE = "E021"
    BAD_REGEX = "E022"
    WRONG_TYPE = "E023"
    UNKNOWN_OPTION = "E024"
    HEADER_IN_WRONG_LIST = "E025"
    BAD_PREFLIGHT_STATUS = "E026"
    BAD_PATH = "E027"
    EMPTY_ORIGIN = "E028"
    REGEX_MATCHES_ANY_ORIGIN = "E029"
    CONFLICTING_OPTIONS = "E030"
    UNSAFE_OPTION = "E031"
    DEBUG_OUTSIDE_DEVELOPMENT = "E032"
    # Warnings: valid, but most likely not what was meant (Policy.warnings).
    STAR_WITHOUT_AUTHORIZATION = "W100"
