"""cors_wsgi.core.reasons: the reasons of decisions stand on their own and stay short."""

from __future__ import annotations

import re

from cors_wsgi.core import reasons
from cors_wsgi.core.reasons import QUOTED_LENGTH, shortened

_CITATION = re.compile(r"\b[RV]\d+\b|§")


def test_no_reason_template_cites_a_rule() -> None:
    """Reasons reach logs and explain(): rule numbers live in comments, never in them."""
    templates = {
        name: value
        for name, value in vars(reasons).items()
        if name.startswith("REASON_") and isinstance(value, str)
    }
    assert len(templates) >= 8
    assert {name: text for name, text in templates.items() if _CITATION.search(text)} == {}


def test_a_hostile_value_is_quoted_cut_short_V18() -> None:
    flood = "x" * 1_000_000
    assert shortened(flood) == "x" * QUOTED_LENGTH + "..."
    assert shortened("x-token") == "x-token"
