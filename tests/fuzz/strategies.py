"""Hypothesis strategies: valid configurations, and hostile request values to throw at them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

EXACT_ORIGINS = (
    "https://app.example.com",
    "https://example.com",
    "http://localhost:8000",
    "http://127.0.0.1:5173",
    "http://[::1]:3000",
    "https://xn--bcher-kva.example",
    "chrome-extension://abcdefghijklmnop",
    "https://foo.com",
    "https://bar.com",
)
# Plain-http, not loopback: refused with credentials (V10), so only drawn without them.
INSECURE_ORIGINS = ("http://intranet.example.net", "http://*.intranet.example.net")
PATTERN_ORIGINS = (
    "https://*.example.com",
    "https://*.example.org:*",
    "http://localhost:*",
    "http://*.localhost",
    "https://*.foo.com",
    "http://[::1]:*",
    "https://*.a-b.example.net:8443",
)
ORIGIN_REGEXES = (
    r"https://pr-[0-9]+\.preview\.example\.com",
    r"https://[a-z]+\.tenant\.example\.net(:[0-9]+)?",
    # Groups, named groups, backreferences, conditionals and inline flags: a list of these
    # must answer as each pattern alone would, whatever their numbering (issue 10, item 1).
    r"https://(admin)\.example\.com",
    r"https://([a-z0-9.-]+)(?(1)\.example\.com|)",
    r"https://(?P<t>[a-z]+)\.(?P=t)\.example\.org",
    r"https://(?P<t>[a-z]+)-([0-9])\2\.twin\.example\.org",
    r"https://(x)?y(?(1)a|b)\.cond\.example\.net",
    r"(?i:https://upper\.example\.com)",
)
METHODS = ("GET", "PUT", "put", "DELETE", "PATCH", "patch", "purge", "OPTIONS")
REQUEST_HEADERS = ("content-type", "authorization", "x-token", "X-Requested-With")


def allow_by_func(origin: str) -> bool:
    """A run-time allow-list (a tenant table): deterministic, so the reference agrees."""
    return origin.endswith(".func.example") and origin.startswith("https://")


@st.composite
def policy_options(draw: st.DrawFn) -> dict[str, Any]:
    """Keyword arguments of a valid Policy, spanning every kind of entry and option."""
    credentials = draw(st.booleans())
    options: dict[str, Any] = {"allow_credentials": credentials}
    if not credentials and draw(st.integers(0, 5)) == 0:
        options["allow_origins"] = "*"
    else:
        pool = EXACT_ORIGINS + PATTERN_ORIGINS + (() if credentials else INSECURE_ORIGINS)
        options["allow_origins"] = draw(st.lists(st.sampled_from(pool), max_size=8))
        if draw(st.booleans()):
            options["allow_origin_regex"] = draw(
                st.lists(st.sampled_from(ORIGIN_REGEXES), min_size=1, max_size=3, unique=True)
            )
        if draw(st.booleans()):
            options["allow_origin_func"] = allow_by_func
            options["allow_origin_func_ttl"] = draw(st.sampled_from([0, 10]))
    options["allow_methods"] = draw(
        st.one_of(st.just("*"), st.lists(st.sampled_from(METHODS), max_size=5))
    )
    options["allow_headers"] = draw(
        st.one_of(
            st.just("*"),
            st.just(["*", "authorization"]),
            st.lists(st.sampled_from(REQUEST_HEADERS), max_size=4),
        )
    )
    exposed = [["x-total-count"], ["X-Total-Count", "x-request-id"], []]
    options["expose_headers"] = draw(st.sampled_from(exposed if credentials else [*exposed, "*"]))
    options["max_age"] = draw(st.sampled_from([None, 0, 600, 86400]))
    options["allow_private_network"] = draw(st.booleans())
    options["preflight_status"] = draw(st.sampled_from([200, 204]))
    options["preflight_passthrough"] = draw(st.integers(0, 4)) == 0
    options["debug"] = draw(st.booleans())
    return options


LABEL_CHARS = "abcxyz019-_.}`!*%:@/\\ \t\r\n\x00\xe9\u00fc\u0130\u212a"
_MUTATIONS = (
    "as is",
    "upper",
    "trailing dot",
    "trailing slash",
    "prefix",
    "suffix",
    "port",
    "big port",
    "scheme",
    "joined",
    "crlf",
    "non-ascii",
    "latin-1 bytes",
    "surrogate",
    "nul",
    "space",
    "long",
)


@st.composite
def hostile_origins(draw: st.DrawFn) -> str:
    """Origins near the allow-list (V4-V9, V14, V16, R41, R42) and plain garbage."""
    base = draw(
        st.sampled_from(
            EXACT_ORIGINS
            + PATTERN_ORIGINS
            + INSECURE_ORIGINS
            + (
                "https://pr-7.preview.example.com",
                "https://abc.tenant.example.net:8080",
                "https://t1.func.example",
                "https://admin.example.com",
                "https://evil.com",
                "https://ab.ab.example.org",
                "https://ab-11.twin.example.org",
                "https://xya.cond.example.net",
                "https://yb.cond.example.net",
                "https://ya.cond.example.net",
                "null",
                "",
            )
        )
    )
    label = draw(st.text(alphabet="abcxyz019-_", min_size=1, max_size=8))
    origin: str = base.replace("*", draw(st.sampled_from([label, f"{label}.{label}", "", "*"])), 1)
    if origin.endswith(":*"):
        origin = origin[:-2] + draw(st.sampled_from(["", ":1", ":8443", ":65535", ":0", ":08"]))
    mutation = draw(st.sampled_from(_MUTATIONS))
    junk = draw(st.text(alphabet=LABEL_CHARS, max_size=6))
    if mutation == "upper":
        origin = origin.upper()
    elif mutation == "trailing dot":
        origin += "."
    elif mutation == "trailing slash":
        origin += "/"
    elif mutation == "prefix":
        origin = origin.replace("://", f"://{junk}", 1)
    elif mutation == "suffix":
        origin += junk
    elif mutation == "port":
        origin += ":" + draw(st.text(alphabet="0123456789", min_size=1, max_size=6))
    elif mutation == "big port":
        origin += ":" + str(draw(st.integers(65536, 99999)))
    elif mutation == "scheme":
        origin = draw(st.sampled_from(["http", "https", "HTTPS", "wss", "file", ""])) + (
            origin[origin.find("://") :] if "://" in origin else "://" + origin
        )
    elif mutation == "joined":
        origin = f"{origin}{draw(st.sampled_from([',', ', ', ' ']))}{origin}"
    elif mutation == "crlf":
        origin += "\r\nSet-Cookie: stolen=1"
    elif mutation == "non-ascii":
        origin = origin.replace("example", draw(st.sampled_from(["exämple", "ex\u0430mple"])))
    elif mutation == "latin-1 bytes":
        # What a WSGI server hands over for raw bytes \x80-\xff: latin-1 decoded (PEP 3333).
        origin += bytes(draw(st.lists(st.integers(0x80, 0xFF), min_size=1))).decode("latin-1")
    elif mutation == "surrogate":
        origin += "\udcff\udc80"
    elif mutation == "nul":
        origin = origin.replace(".", ".\x00", 1)
    elif mutation == "space":
        origin = f" {origin} "
    elif mutation == "long":
        origin = origin.replace("://", "://" + "a." * draw(st.integers(100, 400)), 1)
    return origin


ORIGINS = st.one_of(
    st.none(),
    hostile_origins(),
    st.text(max_size=80),
    st.from_regex(r"[a-z]{1,5}://[a-z0-9_.\-\[\]:]{0,30}(:[0-9]{0,6})?", fullmatch=True),
)

REQUEST_METHODS = st.one_of(
    st.none(),
    st.sampled_from(
        ["GET", "HEAD", "POST", "PUT", "put", "PATCH", "patch", "DELETE", "purge", "OPTIONS"]
    ),
    st.sampled_from(["", " PUT", "PUT ", "P\r\nUT", "CONNECT", "*", "GET,PUT", "PÜT"]),
    st.text(max_size=12),
)


@st.composite
def header_lists(draw: st.DrawFn) -> str:
    """Access-Control-Request-Headers as browsers send it (R13) and as proxies bend it."""
    names = draw(
        st.lists(
            st.sampled_from(
                [*REQUEST_HEADERS, "x-other", "AUTHORIZATION", "x-a;x-b", "x a", "é", "*"]
            ),
            max_size=6,
        )
    )
    separator = draw(st.sampled_from([",", ", ", " ,\t", ",,", ""]))
    return separator.join(names)


REQUEST_HEADER_VALUES = st.one_of(
    st.none(),
    header_lists(),
    st.text(max_size=60),
    st.integers(17, 300_000).map(lambda n: "," * n),  # V18
    st.integers(1, 20_000).map(lambda n: "x-token," * n),
    st.integers(1, 10_000).map(lambda n: " " * n + "x-token"),
)

REQUEST_PRIVATE_NETWORK = st.sampled_from([None, "true", "false", "TRUE", ""])

# Every method a WSGI server may hand over; wsgiref.validate warns on others (see below).
WSGI_METHODS = ("GET", "HEAD", "POST", "OPTIONS", "PATCH", "PUT", "DELETE", "TRACE")
METHODS_FOR_CORE = st.one_of(st.sampled_from([*WSGI_METHODS, "options", "PURGE"]), st.text())

PATHS = st.one_of(
    st.sampled_from(
        [
            "/",
            "/api",
            "/api/",
            "/api/x",
            "/apiary",
            "/api/public/x",
            "/public",
            "/v1/x",
            "/v1",
            "//api/x",
            "/api/../x",
            "/%61pi/x",
            "/API/x",
            "/api\x00/x",
            "/\xe4pi",
        ]
    ),
    st.text(alphabet=st.characters(max_codepoint=0xFF), max_size=40).map(lambda p: "/" + p),
)
