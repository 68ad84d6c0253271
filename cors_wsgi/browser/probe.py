"""The engine of ``cors-wsgi probe``: send the requests a browser sends for one ``fetch()``
and follow its redirects as the browser does; :mod:`cors_wsgi.browser.cli` parses the arguments and
prints what this module returns.

Everything that can go wrong below CORS (a URL a browser would refuse, a redirect it cannot
follow, a timeout, TLS, an answer that is not HTTP) becomes a :class:`NetworkError` whose
text is one line that says what happened and, where there is one, what to do. Only http(s)
URLs are ever opened: a redirect to ``file:``, ``ftp:`` or ``data:`` is a network error in
every browser (Fetch, HTTP-redirect fetch), and the probe must never read a local file
because a server said so.
"""

from __future__ import annotations

import http.client
import io
import logging
import ssl
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote, unquote_to_bytes, urljoin, urlsplit, urlunsplit

import cors_wsgi
from cors_wsgi.browser.fetch import (
    BrowserRequest,
    ResponseHead,
    Verdict,
    check,
    parse_header_argument,
)
from cors_wsgi.core.policy import (
    logger as refusal_logger,
)  # every adapter's refusals, with reasons

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

__all__ = ["MAX_REDIRECTS", "Exchange", "NetworkError", "Probe", "ProbeSettings", "url_problem"]

# Fetch's redirect limit (§http-redirect-fetch): a 21st redirect is a network error.
MAX_REDIRECTS = 20
USER_AGENT = f"cors-wsgi-probe/{cors_wsgi.__version__}"
# Values a server sent are cut to this length in messages: a 100 KB status line or Location
# must not become a 100 KB error line.
_SHOWN_CHARACTERS = 120
# What the WHATWG URL parser percent-encodes in a path, query or fragment (C0 controls,
# space, non-ASCII) is encoded; everything already legal, and existing %XX, is kept.
_URL_SAFE = "!#$%&'()*+,-./:;=?@[]_~"


class NetworkError(Exception):
    """A fetch the browser would end with a network error; the text is one line."""


@dataclass(frozen=True)
class ProbeSettings:
    """What the page's script asks for, and how long to wait for each answer."""

    url: str
    origin: str
    method: str = "GET"
    headers: tuple[str, ...] = ()
    credentials: bool = False
    cookie: str | None = None
    data: str | None = None
    force_preflight: bool = False
    timeout: float = 10.0
    insecure: bool = False


@dataclass
class Exchange:
    """One HTTP exchange of the probe: what was sent and what came back."""

    kind: str
    method: str
    url: str
    headers: list[tuple[str, str]]
    response: ResponseHead
    reason: str
    # What the cors_wsgi logger said while an application run in process answered.
    server_log: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "method": self.method,
            "url": self.url,
            "request_headers": [list(pair) for pair in self.headers],
            "status": self.response.status,
            "reason": self.reason,
            "response_headers": [list(pair) for pair in self.response.headers],
            "server_log": list(self.server_log),
        }


def _shown(text: str) -> str:
    text = text.encode("ascii", "backslashreplace").decode("ascii")
    return text if len(text) <= _SHOWN_CHARACTERS else text[:_SHOWN_CHARACTERS] + "..."


def url_problem(url: str) -> str | None:
    """Why a browser would not fetch ``url`` (one phrase), or ``None`` when it would.

    Checked: an http(s) scheme, a host that is a valid name (IDNA), a port from 0 to
    65535, and no user name or password (``fetch()`` refuses such URLs, and a redirect to
    one is a network error in CORS mode).
    """
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        text = str(error)
        if "Port" in text:
            return "its port is not a number from 0 to 65535"
        return f"is not a URL ({text})"
    del port
    if parts.scheme not in ("http", "https"):
        return "is not an http:// or https:// URL"
    if parts.username is not None or parts.password is not None:
        return "contains a user name or password, which fetch() refuses in a URL"
    host = parts.hostname
    if not host:
        return "has no host"
    if not host.startswith("[") and ":" not in host:
        try:
            host.encode("idna")
        except UnicodeError:
            return f"its host {_shown(host)!r} is not a valid host name"
        if any(character.isspace() or ord(character) < 0x20 for character in host):
            return f"its host {_shown(host)!r} is not a valid host name"
    return None


def _as_browser_sends(url: str) -> str:
    """``url`` with its path, query and fragment percent-encoded as a browser's URL parser
    encodes them (a space in a Location becomes %20, it does not end the request line)."""
    parts = urlsplit(url.strip(" \t\n\r"))
    return urlunsplit(
        (
            parts.scheme,
            parts.netloc,
            quote(parts.path, safe=_URL_SAFE),
            quote(parts.query, safe=_URL_SAFE),
            "",  # the fragment never leaves the browser
        )
    )


def _explain(error: BaseException, timeout: float, url: str) -> str:
    """One phrase for an exception raised while sending a request or reading the answer."""
    if isinstance(error, urllib.error.URLError) and isinstance(error.reason, BaseException):
        error = error.reason
    if isinstance(error, TimeoutError):
        return (
            f"no answer within {timeout:g} s; wait longer with --timeout SECONDS "
            f"(e.g. --timeout {max(30, timeout * 3):g})"
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return (
            f"TLS certificate not trusted ({error.verify_message}); for a development "
            "server with a self-signed certificate add --insecure"
        )
    if isinstance(error, ssl.SSLError):
        return (
            f"TLS handshake failed ({error.reason or error}): is this an https server? "
            f"For a plain-http server write {url.replace('https://', 'http://', 1)}"
        )
    if isinstance(error, http.client.RemoteDisconnected):
        return "the server closed the connection without answering"
    if isinstance(error, ConnectionResetError):
        return "the server reset the connection"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused: is the server running on that host and port?"
    if isinstance(error, http.client.BadStatusLine):
        first_line = str(error.args[0] if error.args else error).strip()
        return f"the answer is not HTTP (it starts with {first_line[:_SHOWN_CHARACTERS]!r})"
    if isinstance(error, http.client.LineTooLong):
        return "the answer has a header line longer than the 64 KiB a client accepts"
    if isinstance(error, http.client.HTTPException):
        return f"the answer is not usable HTTP ({_shown(str(error))})"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return _shown(str(error) or type(error).__name__)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Hands every 3xx back unfollowed (as an HTTPError): the probe follows redirects as a
    browser does, after checking the Location itself (urllib's own handler would parse it
    first, and raise on a bad one)."""

    def _unfollowed(self, *args: Any, **kwargs: Any) -> None:
        return None

    http_error_301 = http_error_302 = http_error_303 = _unfollowed
    http_error_307 = http_error_308 = _unfollowed


def _opener(insecure: bool) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = [_NoRedirects()]
    if insecure:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def _send(
    opener: urllib.request.OpenerDirector,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    body: bytes | None,
    timeout: float,
) -> tuple[ResponseHead, str]:
    # Every URL that gets here passed url_problem(): no other scheme's handler can run.
    merged: dict[str, str] = {}
    for name, value in headers:
        merged[name] = f"{merged[name]}, {value}" if name in merged else value
    merged.setdefault("User-Agent", USER_AGENT)
    request = urllib.request.Request(url, data=body, headers=merged, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return ResponseHead.create(response.status, response.headers.items()), response.reason
    except urllib.error.HTTPError as error:  # 3xx (unfollowed), 4xx, 5xx: still answers
        with error:
            return ResponseHead.create(error.code, error.headers.items()), str(error.reason)
    except (OSError, ValueError, http.client.HTTPException) as error:
        # URLError and ssl.SSLError are OSErrors; a bad IDNA host is a ValueError.
        raise NetworkError(f"{method} {url}: {_explain(error, timeout, url)}") from error


class _Sender(Protocol):
    def __call__(
        self, method: str, url: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[ResponseHead, str, tuple[str, ...]]: ...


def _network_sender(insecure: bool, timeout: float) -> _Sender:
    opener = _opener(insecure)

    def send(
        method: str, url: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[ResponseHead, str, tuple[str, ...]]:
        return (*_send(opener, method, url, headers, body, timeout), ())

    return send


class _LogCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def _in_process_sender(app: WSGIApplication) -> _Sender:
    """Calls ``app`` itself, as a WSGI server would, and collects what the ``cors_wsgi``
    logger says meanwhile: a refusal's exact reason, which a remote server keeps to itself."""

    def send(
        method: str, url: str, headers: list[tuple[str, str]], body: bytes | None
    ) -> tuple[ResponseHead, str, tuple[str, ...]]:
        environ = _environ(method, url, headers, body)
        started: list[tuple[str, list[tuple[str, str]]]] = []

        def start_response(status: str, response_headers: Any, exc_info: Any = None) -> Any:
            started[:] = [(status, list(response_headers))]
            return lambda data: None

        collector = _LogCollector()
        logger = refusal_logger
        level, propagate = logger.level, logger.propagate
        logger.addHandler(collector)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # the log is printed with the verdict, not on stderr
        try:
            result = app(environ, start_response)
            try:
                for _chunk in result:
                    pass
            finally:
                close = getattr(result, "close", None)
                if close is not None:
                    close()
        except Exception as error:
            raise NetworkError(
                f"{method} {url}: the application raised {type(error).__name__}: "
                f"{_shown(str(error))}"
            ) from error
        finally:
            logger.removeHandler(collector)
            logger.setLevel(level)
            logger.propagate = propagate
        if not started:
            raise NetworkError(f"{method} {url}: the application never called start_response")
        status_line, response_headers = started[0]
        code, _, reason = status_line.partition(" ")
        if not (code.isdigit() and len(code) == 3):
            raise NetworkError(f"{method} {url}: the application's status {status_line!r}")
        return ResponseHead.create(int(code), response_headers), reason, tuple(collector.lines)

    return send


def _environ(
    method: str, url: str, headers: list[tuple[str, str]], body: bytes | None
) -> dict[str, Any]:
    """The WSGI environ a server builds for this request (PEP 3333)."""
    parts = urlsplit(url)
    default_port = "443" if parts.scheme == "https" else "80"
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        # PEP 3333: the path is percent-decoded, its bytes carried as latin-1 characters.
        "PATH_INFO": unquote_to_bytes(parts.path or "/").decode("latin-1"),
        "QUERY_STRING": parts.query,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port) if parts.port else default_port,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": parts.netloc,
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": parts.scheme,
        "wsgi.input": io.BytesIO(body or b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    if body is not None:
        environ["CONTENT_LENGTH"] = str(len(body))
    for name, value in headers:
        key = name.upper().replace("-", "_")
        if key == "CONTENT_TYPE":
            environ[key] = value
        else:
            key = f"HTTP_{key}"
            environ[key] = f"{environ[key]},{value}" if key in environ else value
    environ.setdefault("HTTP_USER_AGENT", USER_AGENT)
    return environ


def same_origin(a: str, b: str) -> bool:
    """Whether two URLs (already checked by :func:`url_problem`) share an origin."""
    first, second = urlsplit(a), urlsplit(b)
    default = {"http": 80, "https": 443}
    return (first.scheme, first.hostname, first.port or default.get(first.scheme)) == (
        second.scheme,
        second.hostname,
        second.port or default.get(second.scheme),
    )


def _redirect_target(url: str, status: int | None, location: str) -> str:
    """The URL a browser goes to for ``Location: location``, or a :class:`NetworkError`."""
    shown = f"the {status} redirect to {_shown(location)!r}"
    try:
        target = _as_browser_sends(urljoin(url, location))
    except ValueError as error:
        raise NetworkError(f"{shown}: is not a URL ({error}); browsers stop there") from error
    problem = url_problem(target)
    if problem is not None:
        raise NetworkError(f"{shown}: {problem}; browsers stop there with a network error")
    return target


@dataclass
class Probe:
    """The chain of requests a browser makes for one ``fetch()``; :meth:`run` sends them."""

    settings: ProbeSettings
    # A WSGI application to call in process instead of sending requests over the network.
    app: WSGIApplication | None = None
    exchanges: list[Exchange] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)

    def run(self) -> Verdict:
        """Send the requests and return the final verdict; raises :class:`NetworkError`."""
        settings = self.settings
        send = (
            _network_sender(settings.insecure, settings.timeout)
            if self.app is None
            else _in_process_sender(self.app)
        )
        headers = [parse_header_argument(text) for text in settings.headers]
        body = settings.data.encode() if settings.data is not None else None
        if body is not None and not any(name.lower() == "content-type" for name, _ in headers):
            # What fetch() adds for a string body (a safelisted value: no preflight for it).
            headers.append(("Content-Type", "text/plain;charset=UTF-8"))
        url = _as_browser_sends(settings.url)
        method, origin = settings.method, settings.origin
        url_list = [url]
        for _hop in range(MAX_REDIRECTS + 1):
            request = BrowserRequest.create(
                origin=origin,
                url=url,
                method=method,
                request_headers=headers,
                credentials=settings.credentials,
                force_preflight=settings.force_preflight,
            )
            verdict = self._fetch_once(send, request, body)
            self.verdicts.append(verdict)
            if not verdict.allowed or verdict.redirect_to is None:
                return verdict
            status = verdict.status
            next_url = _redirect_target(url, status, verdict.redirect_to)
            if self.app is not None and not same_origin(next_url, settings.url):
                raise NetworkError(
                    f"the {status} redirect to {_shown(next_url)!r} leaves the application "
                    "run in process; probe that URL over the network"
                )
            if (status == 303 and method not in ("GET", "HEAD")) or (
                status in (301, 302) and method == "POST"
            ):
                # §http-redirect-fetch step 12: the method becomes GET and the body goes.
                method, body = "GET", None
                headers = [(n, v) for n, v in headers if n.lower() != "content-type"]
            # R35: a hop to another origin, from an origin other than the page's, taints it.
            if not same_origin(url, next_url) and not same_origin(origin, url):
                origin = "null"
            url = next_url
            url_list.append(url)
        raise NetworkError(f"more than {MAX_REDIRECTS} redirects: {' -> '.join(url_list[:4])} ...")

    def _fetch_once(self, send: _Sender, request: BrowserRequest, body: bytes | None) -> Verdict:
        preflight = None
        if request.preflight_needed:
            sent = request.preflight_headers()
            preflight, reason, log = send("OPTIONS", request.url, sent, None)
            self.exchanges.append(
                Exchange("preflight", "OPTIONS", request.url, sent, preflight, reason, log)
            )
            verdict = check(request, preflight=preflight)
            if not verdict.allowed:
                return verdict
        sent = request.actual_headers()
        if request.credentials and self.settings.cookie:
            sent.append(("Cookie", self.settings.cookie))
        actual, reason, log = send(request.method, request.url, sent, body)
        self.exchanges.append(
            Exchange("actual", request.method, request.url, sent, actual, reason, log)
        )
        return check(request, preflight=preflight, actual=actual)
