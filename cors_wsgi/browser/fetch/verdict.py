"""What the check answers: the steps it took, by stable name, and the verdict."""

from __future__ import annotations

from dataclasses import dataclass

from cors_wsgi.browser.fetch.request import BrowserRequest

# Step names: stable identifiers for machines (JSON output, assertions in tests).
REQUEST = "request"
PREFLIGHT_NEEDED = "preflight-needed"
PREFLIGHT_REDIRECT = "preflight-redirect"
PREFLIGHT_ALLOW_ORIGIN = "preflight-allow-origin"
PREFLIGHT_ALLOW_CREDENTIALS = "preflight-allow-credentials"
PREFLIGHT_STATUS = "preflight-status"
PREFLIGHT_ALLOW_METHODS = "preflight-allow-methods"
PREFLIGHT_ALLOW_HEADERS = "preflight-allow-headers"
PREFLIGHT_MAX_AGE = "preflight-max-age"
ALLOW_ORIGIN = "allow-origin"
ALLOW_CREDENTIALS = "allow-credentials"
REDIRECT = "redirect"
EXPOSE_HEADERS = "expose-headers"


@dataclass(frozen=True)
class Step:
    """One step of the browser's check.

    ``name`` is a stable identifier (``"preflight-allow-origin"``...), ``passed`` says
    whether the browser carries on, ``message`` is one plain sentence (with the fix when
    it failed), ``console`` is the text Chromium prints after "has been blocked by CORS
    policy:" when this step fails (empty otherwise). ``rule`` is the id of the rule of the
    project's specification the step follows (``"R17"``), for tests and tools: it is data,
    never part of a message, and not in :meth:`as_dict`.
    """

    name: str
    passed: bool
    message: str
    rule: str = ""
    console: str = ""

    def as_dict(self) -> dict[str, object]:
        """The step as plain data (for JSON). Without ``rule``: JSON is printed output, and a
        rule id means nothing without the specification, which is not shipped."""
        data: dict[str, object] = {
            "name": self.name,
            "passed": self.passed,
            "message": self.message,
        }
        if self.console:
            data["console"] = self.console
        return data


@dataclass(frozen=True)
class Verdict:
    """What the browser decides about one request, and why, step by step.

    - ``allowed``: the script gets the response (for ``checked_actual=False``, only that the
      preflight passed);
    - ``preflight_needed``: the browser sends a preflight first;
    - ``steps``: every step taken, in order; the last one failed when ``allowed`` is false;
    - ``readable_headers``: lowercased names of the actual response's headers the script
      can read with ``response.headers.get()`` (empty when blocked or not checked);
    - ``redirect_to``: the Location of an actual response that is a redirect, which the
      browser follows (and checks again) before the script sees anything.
    """

    request: BrowserRequest
    allowed: bool
    preflight_needed: bool
    steps: tuple[Step, ...]
    readable_headers: tuple[str, ...] = ()
    checked_actual: bool = True
    redirect_to: str | None = None
    status: int | None = None

    @property
    def failed_step(self) -> Step | None:
        """The step that blocked the request, or ``None``."""
        return next((step for step in self.steps if not step.passed), None)

    @property
    def console_message(self) -> str | None:
        """Chromium's console line for this refusal ("... has been blocked by CORS
        policy: ..."), or ``None`` when the request is allowed."""
        failed = self.failed_step
        if failed is None or not failed.console:
            return None
        return (
            f"Access to fetch at '{self.request.url}' from origin '{self.request.origin}' "
            f"has been blocked by CORS policy: {failed.console}"
        )

    @property
    def summary(self) -> str:
        """One line: the outcome."""
        method = self.request.method
        target = f" {self.request.url}" if self.request.url else ""
        who = f"from {self.request.origin}" + (
            " with credentials" if self.request.credentials else ""
        )
        if not self.allowed:
            return f"BLOCKED: the browser refuses {method}{target} {who}"
        if not self.checked_actual:
            return f"PREFLIGHT PASSED: the browser would send {method}{target} {who}"
        return f"ALLOWED: the script can read the response to {method}{target} {who}"

    def __str__(self) -> str:
        lines = [self.summary]
        lines.extend(f"  {'ok ' if step.passed else 'FAIL'} {step.message}" for step in self.steps)
        console = self.console_message
        if console is not None:
            lines.append(f"  Chromium says: {console}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        """The verdict as plain data (for JSON)."""
        failed = self.failed_step
        return {
            "allowed": self.allowed,
            "summary": self.summary,
            "request": {
                "url": self.request.url,
                "origin": self.request.origin,
                "method": self.request.method,
                "headers": [list(pair) for pair in self.request.headers],
                "dropped_headers": list(self.request.dropped_headers),
                "credentials": self.request.credentials,
                "credentials_mode": self.request.credentials_mode,
            },
            "preflight_needed": self.preflight_needed,
            "checked_actual": self.checked_actual,
            "status": self.status,
            "failed_step": failed.name if failed is not None else None,
            "console_message": self.console_message,
            "readable_headers": list(self.readable_headers),
            "redirect_to": self.redirect_to,
            "steps": [step.as_dict() for step in self.steps],
        }
