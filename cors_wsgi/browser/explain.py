"""explain(): why a browser would allow or block a request, step by step, in plain sentences.

It runs the same core a server runs (the policy's decision for the preflight and for the
actual request), then the browser's own check (:mod:`cors_wsgi.browser.fetch`) on the headers that
decision produces, and says which allow-list entry matched, or the nearest that did not.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cors_wsgi.browser import fetch
from cors_wsgi.core import headers as h
from cors_wsgi.core.errors import ProblemCollector
from cors_wsgi.core.headers import ANY
from cors_wsgi.core.origin_patterns import (
    ANY_ORIGIN,
    ANY_PORT,
    OriginPattern,
    parse_origin_pattern,
)
from cors_wsgi.core.paths import PathPolicies
from cors_wsgi.core.policy import Policy
from cors_wsgi.wsgi import CORSMiddleware

if TYPE_CHECKING:
    from cors_wsgi.asgi import CORSMiddleware as ASGIMiddleware

__all__ = ["Explanation", "explain"]

_LOOSE_ORIGIN = re.compile(
    r"(?P<scheme>[^:/]*)://(?P<host>\[[^\]]*\]|[^:/?#]*)(?::(?P<port>[^/?#]*))?(?P<rest>.*)", re.S
)
# What an application's response is assumed to carry when explain() builds it.
_APP_HEADERS = (("Content-Type", "application/json"),)


@dataclass(frozen=True)
class Explanation:
    """What a browser would do with one request to a CORS-enabled application.

    - ``allowed``: the script can read the response;
    - ``headers``: the CORS headers of the actual response (Vary included);
    - ``preflight_headers``: those of the preflight answer, or ``None`` when the browser
      sends no preflight;
    - ``steps``: one plain sentence per step, server side then browser side;
    - ``verdict``: the browser's check in full (:class:`cors_wsgi.browser.fetch.Verdict`).

    ``str()`` gives the text to print.
    """

    allowed: bool
    headers: tuple[tuple[str, str], ...]
    preflight_headers: tuple[tuple[str, str], ...] | None
    steps: tuple[str, ...]
    verdict: fetch.Verdict | None

    def __str__(self) -> str:
        outcome = "ALLOWED" if self.allowed else "BLOCKED"
        lines = [outcome, *(f"  {number}. {step}" for number, step in enumerate(self.steps, 1))]
        return "\n".join(lines)


def explain(
    policy: Policy | CORSMiddleware | ASGIMiddleware | PathPolicies,
    *,
    origin: str,
    method: str = "GET",
    request_headers: Iterable[str] | Mapping[str, str] = (),
    credentials: bool = False,
    path: str = "/",
) -> Explanation:
    """Explain what a browser at ``origin`` gets when its script requests ``path``.

    ``request_headers`` are the headers the script sets: names (``["X-Token"]``), lines
    (``["Content-Type: application/json"]``) or a mapping. ``credentials`` stands for
    ``fetch(..., {credentials: "include"})``.
    """
    steps: list[str] = []
    chosen = _policy_for(policy, path, steps)
    lines, bare_names = _as_header_lines(request_headers)
    request = fetch.BrowserRequest.create(
        origin=origin,
        url=path,
        method=method,
        request_headers=lines,
        credentials=credentials,
        listed_header_names=bare_names,
    )
    if chosen is None:
        return Explanation(False, (), None, tuple(steps), None)
    steps.append(describe_origin(chosen, origin))

    preflight_headers, preflight_head = _preflight(chosen, request, steps)

    actual_decision = chosen.decide(request.method, origin)
    steps.append(f"actual request (server side): {actual_decision.reason}")
    actual_headers = tuple(actual_decision.decorate(list(_APP_HEADERS)))
    verdict = fetch.check(
        request,
        preflight=preflight_head,
        actual=fetch.ResponseHead.create(200, actual_headers),
    )
    steps.extend(f"browser: {step.message}" for step in verdict.steps)
    if verdict.console_message:
        steps.append(f"Chromium's console would say: {verdict.console_message}")
    cors_headers = tuple(
        (name, value) for name, value in actual_headers if (name, value) not in _APP_HEADERS
    )
    # In the words of the adapter the policy was configured through (CORS_ALLOWED_ORIGINS...).
    worded = tuple(map(chosen.vocabulary.render, steps))
    return Explanation(verdict.allowed, cors_headers, preflight_headers, worded, verdict)


def _preflight(
    policy: Policy, request: fetch.BrowserRequest, steps: list[str]
) -> tuple[tuple[tuple[str, str], ...] | None, fetch.ResponseHead | None]:
    """The preflight the policy answers for ``request`` (its headers, and the head the
    browser checks), or ``(None, None)`` when the browser sends none; notes go to ``steps``."""
    if not request.preflight_needed:
        return None, None
    names = request.unsafe_header_names
    origin = request.origin
    decision = policy.decide("OPTIONS", origin, request.method, ",".join(names) or None)
    steps.append(f"preflight (server side): {decision.reason}")
    if _authorization_left_to_wildcard(policy, names):
        steps.append(f"note: {fetch.AUTHORIZATION_LENIENCY}")
    if policy.preflight_passthrough:
        steps.append(
            "preflight_passthrough is on: your application answers the preflight; "
            "explain() assumes it answers 204 with the headers cors_wsgi adds"
        )
        status, header_list = 204, decision.decorate([])
    else:
        status, header_list = decision.preflight_response()
    return tuple(header_list), fetch.ResponseHead.create(status, header_list)


def _authorization_left_to_wildcard(policy: Policy, names: tuple[str, ...]) -> bool:
    """Whether the request sends Authorization that only ``allow_headers="*"`` would cover:
    the one place where stock browsers today are more lenient than cors_wsgi (R22)."""
    allowed = {name.lower() for name in policy.allow_headers}
    return h.AUTHORIZATION in names and ANY in allowed and h.AUTHORIZATION not in allowed


def describe_origin(policy: Policy, origin: str) -> str:
    """One sentence: which allow-list entry lets ``origin`` in, or why none does.

    The policy itself says which entry matched (the matcher that decides requests), so
    this sentence never contradicts the decision.
    """
    entry = policy.matching_entry(origin)
    if entry is None:
        return f"{origin!r} is not allowed: {_why_not(policy, origin)}"
    option, text = entry
    if text == ANY_ORIGIN:
        return "allow_origins is '*': any origin may read anonymous responses"
    if option == "allow_origin_func":
        return f"allow_origin_func allows {origin!r}"
    if option == "allow_origin_regex":
        return f"{origin!r} matches {option} {text!r}"
    if text == origin:
        return f"{origin!r} is listed in {option}"
    return f"{origin!r} matches the {option} entry {text!r}"


def _why_not(policy: Policy, origin: str) -> str:
    shape = _origin_shape_problem(origin)
    if shape is not None:
        return shape
    if not policy.origin_patterns:
        extra = " or allow_origin_regex" if policy.allow_origin_regex else ""
        return f"allow_origins is empty; add {origin!r} to it{extra}"
    reasons = [reason for p in policy.origin_patterns if (reason := _mismatch(p, origin))]
    if reasons:
        return reasons[0]
    nearest = difflib.get_close_matches(origin, [p.text for p in policy.origin_patterns], n=1)
    if nearest:
        return f"the nearest entry, {nearest[0]!r}, is a different origin; add {origin!r}"
    return f"no entry is close; add {origin!r} to allow_origins"


def _origin_shape_problem(origin: str) -> str | None:
    """Why ``origin`` is not an Origin a browser sends (R36-R41), or ``None``."""
    if origin == "null":
        return (
            "'null' is sent by sandboxed iframes, file: and data: pages and after "
            "cross-origin redirects, and is never trusted: serve the page from a real origin"
        )
    collector = ProblemCollector()
    parse_origin_pattern(origin, "Origin", collector)
    if collector.problems:
        first = collector.problems[0].message.split(";")[0]
        return f"it is not an origin a browser sends ({first})"
    return None


def _mismatch(pattern: OriginPattern, origin: str) -> str | None:
    """How ``origin`` differs from one entry it nearly matches, or ``None``."""
    parts = _LOOSE_ORIGIN.fullmatch(origin)
    if parts is None:
        return None
    scheme, host, port = parts["scheme"], parts["host"], parts["port"] or ""
    base = pattern.host.lstrip(".")
    same_host = host == pattern.host or (pattern.subdomains and host.endswith(pattern.host))
    if pattern.subdomains and host == base:
        return (
            f"{pattern.text!r} covers the subdomains of {base} only, not {base} itself; "
            f"add {origin!r} as well"
        )
    if not same_host:
        return None
    if scheme != pattern.scheme:
        return f"{scheme} is not {pattern.scheme}: the entry {pattern.text!r} has another scheme"
    if pattern.port != ANY_PORT and port != pattern.port:
        wanted = f"port {pattern.port}" if pattern.port else "the default port"
        shown = f"port {port}" if port else "the default port"
        return f"{shown} is not allowed: the entry {pattern.text!r} allows {wanted} only"
    return None


def _policy_for(
    policy: Policy | CORSMiddleware | ASGIMiddleware | PathPolicies, path: str, steps: list[str]
) -> Policy | None:
    if isinstance(policy, Policy):
        return policy
    chosen = policy.policy_for(path)
    if chosen is None:
        steps.append(
            f"no entry of paths= matches {path!r}: cors_wsgi adds no CORS headers there, "
            "so every cross-origin read is blocked"
        )
    else:
        steps.append(f"the policy for {path!r} applies")
    return chosen


def _as_header_lines(
    request_headers: Iterable[str] | Mapping[str, str],
) -> tuple[list[str], list[str]]:
    """The ``Name: value`` lines, and the bare names whose values are not known.

    A bare name is never given a made-up value (an empty or dummy value would make
    ``accept`` look safelisted): it is checked as the unsafe header a browser would list.
    """
    if isinstance(request_headers, Mapping):
        return [f"{name}: {value}" for name, value in request_headers.items()], []
    lines = [line for line in request_headers if ":" in line]
    return lines, [line.strip() for line in request_headers if ":" not in line]
