"""How each adapter names the core's options, so that messages speak the user's language."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from cors_wsgi.core.errors import ConfigProblem

__all__ = ["WSGI_VOCABULARY", "Vocabulary"]

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


# The core's own words: those of Policy, CORSMiddleware and cross_origin's keywords.
WSGI_VOCABULARY: Vocabulary = Vocabulary("cors_wsgi")
