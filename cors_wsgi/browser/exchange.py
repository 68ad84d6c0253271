"""What the testing helpers hand back: the exchange of one ``fetch()``, and the assertion
error that carries the browser's verdict. :mod:`cors_wsgi.testing` is their public home."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cors_wsgi.browser.fetch import Verdict

__all__ = ["CORSAssertionError", "CORSExchange"]


class CORSAssertionError(AssertionError):
    """A CORS assertion failed; ``verdict`` holds every step of the browser's check."""

    def __init__(self, message: str, verdict: Verdict) -> None:
        super().__init__(message)
        self.verdict = verdict


class CORSExchange:
    """The requests a browser makes for one ``fetch()`` and the responses they got.

    ``preflight`` and ``response`` are the client's own response objects (``preflight`` is
    ``None`` when none was needed, ``response`` when the preflight failed and the browser
    stopped there); ``verdict`` is the browser's judgement. ``server_log`` holds what
    cors_wsgi logged while serving them, when the application runs in this process: the
    exact reason of a refusal (empty for another server, or nothing refused).
    """

    __slots__ = ("preflight", "response", "server_log", "verdict")

    def __init__(
        self,
        verdict: Verdict,
        preflight: object | None,
        response: object | None,
        server_log: tuple[str, ...] = (),
    ):
        self.verdict = verdict
        self.preflight = preflight
        self.response = response
        self.server_log = server_log

    def _report(self) -> str:
        """The verdict, and what the server side said about these requests."""
        said = "".join(f"\n  {line}" for line in self.server_log)
        return (
            f"{self.verdict}\ncors_wsgi on the server side logged:{said}"
            if said
            else str(self.verdict)
        )

    @property
    def allowed(self) -> bool:
        """Whether the script reads the response."""
        return self.verdict.allowed

    def assert_allowed(self) -> Verdict:
        """Assert that the browser allows it; returns the verdict."""
        __tracebackhide__ = True
        if not self.verdict.allowed:
            raise CORSAssertionError(
                f"CORS refused, expected allowed:\n{self._report()}", self.verdict
            )
        return self.verdict

    def assert_refused(self, step: str | None = None) -> Verdict:
        """Assert that the browser blocks it (at ``step``, when given); returns the verdict."""
        __tracebackhide__ = True
        failed = self.verdict.failed_step
        if failed is None:
            raise CORSAssertionError(
                f"CORS allowed, expected refused:\n{self._report()}", self.verdict
            )
        if step is not None and failed.name != step:
            raise CORSAssertionError(
                f"CORS refused at {failed.name!r}, expected at {step!r}:\n{self._report()}",
                self.verdict,
            )
        return self.verdict

    def __repr__(self) -> str:
        return f"CORSExchange({self.verdict.summary!r})"
