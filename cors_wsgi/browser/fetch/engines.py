"""The browser engines the model knows, and how they differ (found by the browser suite)."""

from __future__ import annotations

# §cors-preflight-fetch: an absent or unparsable Access-Control-Max-Age means 5 seconds.
DEFAULT_PREFLIGHT_MAX_AGE = 5
# The engines the model knows (see ENGINE_DIFFERENCES); check() takes one as engine=.
CHROMIUM = "chromium"
FIREFOX = "firefox"
ENGINES = (CHROMIUM, FIREFOX)
# R24: how long each engine caches a preflight at most, whatever the server says
# (Chromium since 76: 2 hours; Firefox: 24 hours).
MAX_AGE_CAPS = {CHROMIUM: 7200, FIREFOX: 86400}
# Where today's browsers are more lenient than the Fetch standard, which cors_wsgi follows.
AUTHORIZATION_LENIENCY = (
    "today's Chromium and Firefox are more lenient than the Fetch standard here: they still "
    "let '*' cover Authorization (with a deprecation warning in the console), so the call "
    "may work in a browser today; cors_wsgi follows the standard, which the browsers are "
    "moving to, and which they already follow with Chromium's "
    "CorsNonWildcardRequestHeadersSupport feature or Firefox's "
    "network.cors_preflight.authorization_covered_by_wildcard=false"
)
# What the browser suite found differs between the engines it runs (and the cap above).
ENGINE_DIFFERENCES: dict[str, str] = {
    "console": (
        'Chromium reports a refusal as "Access to fetch at ... has been blocked by CORS '
        'policy: ..." (the text of Verdict.console_message) and the page gets "TypeError: '
        'Failed to fetch"; Firefox as "Cross-Origin Request Blocked: ... (Reason: ...)" and '
        '"TypeError: NetworkError when attempting to fetch resource."'
    ),
    "refused-preflight": (
        "for a refused preflight Chromium prints one console message; Firefox two: the "
        'preflight\'s reason, then "CORS request did not succeed" (three for a redirected '
        "preflight)"
    ),
    "check-order": (
        "Firefox checks Access-Control-Allow-Methods before it parses "
        "Access-Control-Allow-Headers: when both fail it names the method, where Chromium "
        "and this model name the unparsable header list; both block"
    ),
    "preflight-cache": (
        "Firefox misses the first cached-preflight lookup of each fresh profile or user "
        "context and sends that preflight again; Chromium does not"
    ),
    "max-age-cap": (
        f"Chromium caches a preflight for at most {MAX_AGE_CAPS[CHROMIUM]} s, Firefox for "
        f"at most {MAX_AGE_CAPS[FIREFOX]} s"
    ),
    "authorization-under-wildcard": (
        "none between the engines: stock Chromium and stock Firefox both let "
        "'Access-Control-Allow-Headers: *' cover Authorization, against the standard"
    ),
    "private-network-access": (
        "Chromium implements Private Network Access preflights (not sent loopback to "
        "loopback); Firefox implements none"
    ),
}
