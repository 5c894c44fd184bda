"""Pages run only code served from static/, so the strict Content-Security-Policy holds.

The browser test (tuki/tickets/tests/test_browser_csp.py) fails on the console errors a
violation causes; this scan finds the inline code before a browser does.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from django.test import override_settings

from tuki.lib.csp import DIRECTIVES, parse

ROOT = Path(settings.BASE_DIR)
# Not pages of the app: HTML mail needs inline styles (mail programs ignore style sheets), and
# a stored message is shown as its sender formatted it under a sandbox policy of its own
# (tuki/mail/views.py).
NOT_PAGES = {
    "templates/emails/ticket.html",
    "templates/emails/survey.html",
    "templates/emails/report.html",  # mail: styles inline, as mail clients need
    "templates/mail/message.html",
}

INLINE = {
    "inline <script>": re.compile(
        r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/json[\"'])[^>]*>", re.I
    ),
    "<style> block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event-handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on attribute": re.compile(r"\bhx-on", re.I),
}


def templates() -> list[Path]:
    found = sorted((ROOT / "templates").rglob("*.html"))
    found += sorted((ROOT / "tuki").glob("*/templates/**/*.html"))
    return [path for path in found if str(path.relative_to(ROOT)) not in NOT_PAGES]


def inline_code(text: str) -> list[str]:
    return [
        f"{what} on line {text.count(chr(10), 0, match.start()) + 1}"
        for what, pattern in INLINE.items()
        for match in pattern.finditer(text)
    ]


def test_the_scan_finds_each_kind_of_inline_code():
    page = """<script>x()</script><script src="/static/a.js"></script>
    <script type="application/json" id="data">{}</script><style>p {}</style>
    <p style="color: red" onclick="x()" hx-on:click="x()">"""
    assert [found.split(" on line")[0] for found in inline_code(page)] == [
        "inline <script>",
        "<style> block",
        "style attribute",
        "event-handler attribute",
        "hx-on attribute",
    ]


def test_no_template_carries_inline_code():
    paths = templates()
    assert len(paths) > 50
    found = {
        str(path.relative_to(ROOT)): inline_code(path.read_text(encoding="utf-8")) for path in paths
    }
    assert {name: where for name, where in found.items() if where} == {}


def test_every_page_is_sent_with_the_policy(client, desk):
    response = client.get("/login/")
    assert parse(response["Content-Security-Policy"]) == DIRECTIVES
    assert DIRECTIVES["script-src"] == ["'self'"] and DIRECTIVES["style-src"] == ["'self'"]
    assert DIRECTIVES["frame-ancestors"] == ["'none'"]
    client.force_login(desk.operator)
    assert parse(client.get("/desk/")["Content-Security-Policy"]) == DIRECTIVES
    # Every page type, walked from the URL patterns: tuki/lib/tests/test_headers.py.
    # A view that sets a policy of its own keeps it: a stored mail's sandbox, an attachment
    # shown inline (tuki/mail/tests/test_views.py, tuki/knowledge/tests/test_views_flows.py).


@override_settings(DEBUG=True)
def test_django_debug_pages_go_out_without_it(client, db):
    assert "Content-Security-Policy" not in client.get("/no-such-page/")
