"""What each problem code means: the one description of every code, for the error reference."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from cors_wsgi.core.errors import Code

__all__ = ["CATALOGUE", "CodeEntry"]


@dataclass(frozen=True)
class CodeEntry:
    """What one code means, for the documentation's error reference.

    ``title`` names the problem in a line, ``trigger`` says what configuration produces it,
    ``fix`` says what to write instead, and ``example`` is Python source that produces
    the code, so that the reference shows the message of a real run: for a core code an
    expression (using ``Policy``, ``CORSMiddleware``, ``app``, ``Flask`` and
    ``cors_wsgi.flask.CORS``) that raises it, for a Django check the settings lines that
    make ``manage.py check`` report it.
    """

    title: str
    trigger: str
    fix: str
    example: str


#: What each code of ``Code`` means: the only place a code is described. The
#: documentation's error reference is generated from it, and a test fails if a code has none.
CATALOGUE: Final[Mapping[str, CodeEntry]] = {
    Code.ORIGIN_WITHOUT_SCHEME: CodeEntry(
        "An origin without its scheme",
        "An allowed origin written as a bare host, such as ``frontend.example.com``. "
        "Browsers always send the scheme, so it could never match.",
        "Write the origin with its scheme: ``https://frontend.example.com`` (or "
        "``http://`` for a plain-http development server).",
        "Policy(allow_origins=['frontend.example.com'])",
    ),
    Code.ORIGIN_WITH_PATH: CodeEntry(
        "An origin with a path, a trailing slash, a query or a fragment",
        "An allowed origin such as ``https://app.example.com/`` or "
        "``https://app.example.com/login``. An origin is scheme, host and port only; "
        "browsers send nothing more.",
        "Remove everything after the host and port: ``https://app.example.com``.",
        "Policy(allow_origins=['https://app.example.com/'])",
    ),
    Code.ORIGIN_WITH_USERINFO: CodeEntry(
        "An origin with a user name or password",
        "An allowed origin such as ``https://user:secret@app.example.com``. Credentials in "
        "a URL are not part of its origin.",
        "Remove the ``user:password@`` part.",
        "Policy(allow_origins=['https://user:secret@app.example.com'])",
    ),
    Code.ORIGIN_NOT_LOWERCASE: CodeEntry(
        "An origin that is not in lowercase",
        "An allowed origin such as ``https://App.example.com``. Browsers send scheme and "
        "host in lowercase and origins are compared exactly.",
        "Write the origin in lowercase.",
        "Policy(allow_origins=['https://App.example.com'])",
    ),
    Code.ORIGIN_WITH_DEFAULT_PORT: CodeEntry(
        "An origin with its scheme's default port",
        "An allowed origin such as ``https://app.example.com:443``. Browsers omit the "
        "default port, so the origin as written never matches.",
        "Remove the port: ``https://app.example.com``.",
        "Policy(allow_origins=['https://app.example.com:443'])",
    ),
    Code.ORIGIN_WITH_WHITESPACE: CodeEntry(
        "An origin with whitespace in or around it",
        "An allowed origin such as ``' https://app.example.com '``, usually a copy-paste "
        "slip or an environment variable split on commas only.",
        "Remove the whitespace.",
        "Policy(allow_origins=[' https://app.example.com '])",
    ),
    Code.ORIGIN_WITH_BAD_PORT: CodeEntry(
        "An origin with an invalid port",
        "A port of 0, above 65535, or written with leading zeros (``:08080``): not a port a "
        "browser sends.",
        "Write the port as browsers do, a number from 1 to 65535 without leading zeros.",
        "Policy(allow_origins=['http://localhost:65536'])",
    ),
    Code.ORIGINS_RUN_TOGETHER: CodeEntry(
        "Two origins run together",
        "One string holding two origins, such as ``'https://a.example.com "
        "https://b.example.com'``: a missing comma in a list.",
        "Give each origin as its own item of the list.",
        "Policy(allow_origins=['https://a.example.com https://b.example.com'])",
    ),
    Code.ORIGIN_NULL: CodeEntry(
        "The ``null`` origin",
        "``'null'`` in the allowed origins. Sandboxed iframes, ``file:`` pages and some "
        "redirects all send ``Origin: null``, so any attacker can send it too.",
        "Remove it; serve the page that needs access from a real origin and list that.",
        "Policy(allow_origins=['null'])",
    ),
    Code.ORIGIN_OPAQUE_SCHEME: CodeEntry(
        "An origin with an opaque scheme",
        "An allowed origin such as ``file://`` or ``data:``. Browsers send ``null`` for "
        "such pages, never the URL.",
        "Remove it; serve the page over http or https and list that origin.",
        "Policy(allow_origins=['file:///home/me/index.html'])",
    ),
    Code.ORIGIN_WITH_BAD_HOST: CodeEntry(
        "An origin with an invalid host",
        "A host that browsers never send in that form: Unicode instead of Punycode, a "
        "shortened IPv4 address such as ``127.1``, an uncompressed IPv6 address, "
        "characters that cannot appear in a host name, or a trailing dot "
        "(``https://*.github.io.``), which makes another origin (the name without it is "
        "checked too).",
        "Write the host in the canonical form the message shows.",
        "Policy(allow_origins=['https://bücher.example'])",
    ),
    Code.ANY_ORIGIN_WITH_CREDENTIALS: CodeEntry(
        "Any origin together with credentials",
        "``allow_origins='*'`` (or a ``'*'`` in the list, or a regular expression that "
        "matches everything) with ``allow_credentials=True``. Browsers reject ``*`` on "
        "credentialed requests, and reflecting every origin instead lets any website read "
        "your users' data.",
        "List the origins that may send credentials, or drop credentials for public data.",
        "Policy(allow_origins='*', allow_credentials=True)",
    ),
    Code.INSECURE_ORIGIN_WITH_CREDENTIALS: CodeEntry(
        "A plain-http origin with credentials",
        "An ``http://`` origin other than localhost or a loopback address, together with "
        "``allow_credentials=True``, also as a regular expression that accepts one "
        "(``https?://app\\.example\\.com``). Anyone on the network path can inject script "
        "into that page and use your users' credentials.",
        "Serve the page over https and list its ``https://`` origin.",
        "Policy(allow_origins=['http://app.example.com'], allow_credentials=True)",
    ),
    Code.WILDCARD_OVER_PUBLIC_SUFFIX: CodeEntry(
        "A wildcard over a public suffix",
        "A subdomain wildcard whose parent is a public suffix, such as ``https://*.com`` or "
        "``https://*.github.io``: anybody can register a name there.",
        "Put the wildcard under a domain you own: ``https://*.example.com``.",
        "Policy(allow_origins=['https://*.github.io'])",
    ),
    Code.BAD_WILDCARD: CodeEntry(
        "A misplaced wildcard",
        "A ``*`` anywhere but as the whole first label of the host or as the port: "
        "``https://*example.com``, ``https://a.*.example.com``, or a wildcard over an IP "
        "address.",
        "Write ``https://*.example.com`` for subdomains, ``http://localhost:*`` for any "
        "port, or use ``allow_origin_regex``.",
        "Policy(allow_origins=['https://*example.com'])",
    ),
    Code.FORBIDDEN_METHOD: CodeEntry(
        "A method browsers never send",
        "``CONNECT``, ``TRACE`` or ``TRACK`` among the allowed methods: scripts cannot send them.",
        "Remove it.",
        "Policy(allow_methods=['GET', 'TRACE'])",
    ),
    Code.BAD_METHOD: CodeEntry(
        "A method that is not an HTTP token",
        "A method name with spaces, commas or other characters a method cannot contain, "
        "or several methods in one string.",
        "Give each method as its own item: ``['PUT', 'PATCH']``.",
        "Policy(allow_methods=['PUT PATCH'])",
    ),
    Code.FORBIDDEN_REQUEST_HEADER: CodeEntry(
        "A request header scripts can never set",
        "A forbidden request header such as ``cookie``, ``host``, ``sec-*`` or "
        "``proxy-*`` among the allowed headers: the browser sets these itself and never "
        "asks a preflight for them.",
        "Remove it; cookies are sent with ``allow_credentials=True``.",
        "Policy(allow_headers=['cookie'])",
    ),
    Code.BAD_HEADER_NAME: CodeEntry(
        "A header name that is not an HTTP token",
        "A header name with spaces, colons or other characters a name cannot contain, or "
        "several names in one string.",
        "Give each header name as its own item: ``['x-token', 'x-request-id']``.",
        "Policy(allow_headers=['x-token x-request-id'])",
    ),
    Code.EXPOSE_ALL_WITH_CREDENTIALS: CodeEntry(
        "Every response header exposed, with credentials",
        "``expose_headers='*'`` together with ``allow_credentials=True``. On credentialed "
        "requests browsers read ``*`` as a header literally named ``*``.",
        "List the response headers scripts may read.",
        "Policy(allow_origins=['https://app.example.com'], allow_credentials=True, "
        "expose_headers='*')",
    ),
    Code.MAX_AGE_OUT_OF_RANGE: CodeEntry(
        "A preflight cache time out of range",
        "``max_age`` negative, above 86400 seconds (a day), or not a whole number.",
        "Give a number of seconds from 0 to 86400, or ``None`` to send no Access-Control-Max-Age.",
        "Policy(max_age=-1)",
    ),
    Code.BAD_REGEX: CodeEntry(
        "A regular expression that does not compile",
        "An origin regular expression (or a Django ``CORS_URLS_REGEX``) that Python's "
        "``re`` module refuses, or a pattern compiled from bytes.",
        "Correct the pattern; the message quotes the compiler's complaint.",
        "Policy(allow_origin_regex=r'https://(a|b\\.example\\.com')",
    ),
    Code.WRONG_TYPE: CodeEntry(
        "A value of the wrong type",
        "A value whose type the option does not take: a string where a list belongs, a "
        "string for a flag, a dict for a list, a callable that is not callable.",
        "Give the type the message names.",
        "Policy(allow_credentials='yes')",
    ),
    Code.UNKNOWN_OPTION: CodeEntry(
        "An unknown option",
        "A key of an options dict (a ``paths=`` entry, ``Policy.from_mapping``, a Flask or "
        "Django per-path entry) that is not an option, usually a typo.",
        "Use the option's name; the message suggests the nearest one.",
        "Policy.from_mapping({'allow_origin': ['https://app.example.com']})",
    ),
    Code.HEADER_IN_WRONG_LIST: CodeEntry(
        "A header in the wrong list",
        "A response header among the allowed request headers (``access-control-allow-"
        "origin``), or a header browsers never expose among the exposed ones "
        "(``set-cookie``).",
        "Remove it from that list; the message says where it belongs, if anywhere.",
        "Policy(expose_headers=['set-cookie'])",
    ),
    Code.BAD_PREFLIGHT_STATUS: CodeEntry(
        "A preflight status other than 204 or 200",
        "``preflight_status`` set to any other value, ``200.0`` and ``True`` included: "
        "a status that is not an int would break every preflight at run time.",
        "Use 204 (the default) or 200 for old clients that refuse 204.",
        "Policy(preflight_status=201)",
    ),
    Code.BAD_PATH: CodeEntry(
        "An invalid per-path key",
        "A ``paths=`` key that is neither a ``/prefix`` string nor a compiled regular "
        "expression, or the same prefix given twice.",
        "Start prefixes with ``/``, or give ``re.compile(...)`` for a pattern.",
        "CORSMiddleware(app, paths={'api/': {'allow_origins': '*'}})",
    ),
    Code.EMPTY_ORIGIN: CodeEntry(
        "An empty origin",
        "An empty string among the allowed origins, often from splitting an empty "
        "environment variable.",
        "Remove it.",
        "Policy(allow_origins=[''])",
    ),
    Code.REGEX_MATCHES_ANY_ORIGIN: CodeEntry(
        "A regular expression that matches any origin",
        "An origin regular expression that accepts ``https://attacker.invalid``, "
        "``http://attacker.invalid`` or ``null``, such as ``.*``: it trusts every site. "
        "With credentials also one that accepts an origin an attacker can get: their own "
        "site (``https://.*\\.com``), your domain with a prefix glued on "
        "(``https://.*example\\.com`` accepts ``https://attackerexample.com``) or a name "
        "under their domain (``https://example\\.com.*``).",
        "Anchor every part of the host to your domain, or use ``allow_origins='*'`` for "
        "public data.",
        "Policy(allow_origin_regex=r'https://.*')",
    ),
    Code.CONFLICTING_OPTIONS: CodeEntry(
        "Two options that cannot both apply",
        "Two of ``paths=``, ``policy=`` and the policy keywords given to one middleware "
        "(Django: ``CORS_PATHS`` together with ``CORS_URLS_REGEX``).",
        "Give one of them; to combine a default with special paths use "
        "``paths={'/': ..., '/special/': ...}``.",
        "CORSMiddleware(app, policy=Policy(), allow_origins='*')",
    ),
    Code.UNSAFE_OPTION: CodeEntry(
        "An option that would only turn a guarantee off",
        "A flask-cors option set to the value that disables a guarantee cors_wsgi always "
        "keeps: ``vary_header=False`` or ``intercept_exceptions=False``.",
        "Remove the option: Vary and CORS headers on error responses are not optional.",
        "CORS(Flask('example'), vary_header=False)",
    ),
    Code.DEBUG_OUTSIDE_DEVELOPMENT: CodeEntry(
        "Debug mode outside development",
        "CORS debug mode in Django or Flask while the framework's own debug mode is off. "
        "Debug mode tells anyone who sends a preflight what the allow-lists hold.",
        "Turn it off in production, or set it to ``'force'`` to run it anyway.",
        "CORS(Flask('example'), debug=True)",
    ),
    Code.STAR_WITHOUT_AUTHORIZATION: CodeEntry(
        "A star in the allowed headers that does not cover Authorization",
        "A warning, not an error: ``'*'`` among the allowed request headers without "
        "``authorization``. Browsers never let ``'*'`` cover Authorization, so preflights of "
        "requests that send a bearer token are refused (flask-cors's and Starlette's ``'*'`` "
        "covered it). The first such refusal in a process is also logged at WARNING.",
        "If clients send Authorization, list it beside the star: "
        "``allow_headers=['*', 'authorization']``.",
        "Policy(allow_origins=['https://app.example.com'], allow_headers='*')",
    ),
}
