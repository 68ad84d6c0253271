"""Helpers shared by the tests of the origin patterns and of the origin matcher."""

from __future__ import annotations

import re

from cors_wsgi import Policy
from cors_wsgi.core.errors import ProblemCollector
from cors_wsgi.core.origin_matcher import OriginMatcher
from cors_wsgi.core.origin_patterns import parse_origin_pattern


def problems_for(entry: object) -> list[str]:
    """The codes of the problems ``entry`` has as an item of allow_origins."""
    collector = ProblemCollector()
    parse_origin_pattern(entry, "allow_origins", collector)
    return [problem.code for problem in collector.problems]


def matcher_for(*entries: str, regex: tuple[str, ...] = ()) -> OriginMatcher:
    """The matcher of valid ``entries`` (their patterns) and ``regex``."""
    collector = ProblemCollector()
    patterns = tuple(
        p for p in (parse_origin_pattern(e, "allow_origins", collector) for e in entries) if p
    )
    assert not collector.problems, collector.problems
    return OriginMatcher(
        tuple(p for p in patterns if not p.is_exact), tuple(map(re.compile, regex)), None, 0
    )


def allows(entries: tuple[str, ...], origin: str) -> bool:
    """Whether a policy of ``entries`` allows a GET from ``origin``."""
    return Policy(allow_origins=entries).decide("GET", origin).allowed
