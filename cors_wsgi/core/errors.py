"""Configuration errors: every problem found, reported together, each with a stable code."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Code", "ConfigError", "ConfigProblem", "ProblemCollector"]


@dataclass(frozen=True)
class ConfigProblem:
    """One thing wrong with a CORS configuration.

    ``code`` is stable across releases (``"E001"`` ...; each is described in
    :data:`cors_wsgi.core.catalogue.CATALOGUE`), ``option`` names the keyword (or setting) that
    holds the problem, ``value`` is the offending value as given, and ``message`` says
    what is wrong and how to fix it.
    """

    code: str
    option: str
    value: object
    message: str

    def __str__(self) -> str:
        return f"[{self.code}] {self.option}={self.value!r}: {self.message}"

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


class ProblemCollector:
    """Gathers problems while a configuration is validated, so all are reported together."""

    __slots__ = ("problems",)

    def __init__(self) -> None:
        self.problems: list[ConfigProblem] = []

    def add(self, code: str, option: str, value: object, message: str) -> None:
        self.problems.append(ConfigProblem(code, option, value, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise ConfigError(self.problems)


class Code:
    """The stable problem codes, each described in :data:`cors_wsgi.core.catalogue.CATALOGUE`.

    Django check ids are ``cors_wsgi.`` followed by the code."""

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
