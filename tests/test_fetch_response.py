"""The response head as the browser reads it (cors_wsgi.browser.fetch.response)."""

from __future__ import annotations

from cors_wsgi.browser.fetch import ResponseHead

ACAO = "Access-Control-Allow-Origin"


def test_response_head_joins_repeated_lines_like_the_browser_r18() -> None:
    head = ResponseHead.create("200 OK", [("access-control-allow-origin", " a "), (ACAO, "b")])
    assert head.status == 200
    assert head.get(ACAO) == "a, b"
    assert head.get("Vary") is None
    assert head.names == ("access-control-allow-origin",)
    assert ResponseHead.create(204, {"X": "1"}).headers == (("X", "1"),)
