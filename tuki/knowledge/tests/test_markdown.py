"""Markdown is rendered and sanitised: nothing a writer types can run in a reader's browser."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from tuki.conftest import Desk
from tuki.knowledge import services
from tuki.knowledge.markdown import render_markdown, sanitise_html

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    "[v](vbscript:msgbox(1))",
    "![i](data:image/svg+xml;base64,PHN2Zz48c2NyaXB0PmFsZXJ0KDEpPC9zY3JpcHQ+PC9zdmc+)",
    "[d](data:text/html,<script>alert(1)</script>)",
    '<div style="position:fixed;top:0">cover</div>',
    "<iframe src=https://evil.example></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{display:none}</style>",
    '<form action="https://evil.example"><input name=p></form>',
]


class Elements(HTMLParser):
    """The tags and attributes a browser would build from the HTML (text does not count)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


SAFE_TAGS = {"p", "a", "img", "code", "em", "strong"}


@pytest.mark.parametrize("text", HOSTILE)
def test_nothing_executable_survives(text: str) -> None:
    html = render_markdown(text)
    for tag, attrs in Elements(html).found:
        assert tag in SAFE_TAGS, (text, html)
        for name, value in attrs:
            assert not name.startswith("on") and name not in ("style", "class"), (text, html)
            if name in ("href", "src"):
                scheme = (value or "").strip().split(":", 1)[0].lower()
                assert ":" not in (value or "") or scheme in ("http", "https", "mailto"), html


def test_raw_html_in_markdown_is_shown_as_text() -> None:
    assert render_markdown("Press <b>Enter</b>") == "<p>Press &lt;b&gt;Enter&lt;/b&gt;</p>\n"


def test_ordinary_markdown_renders() -> None:
    html = render_markdown(
        "# Reset\n\n1. Open **Settings**\n2. Press `Reset`\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[Help](https://help.example/x?y=1)"
    )
    assert "<h1>Reset</h1>" in html and "<ol>" in html and "<strong>Settings</strong>" in html
    assert "<code>Reset</code>" in html and "<table>" in html
    assert (
        'href="https://help.example/x?y=1"' in html and 'rel="noopener noreferrer nofollow"' in html
    )


def test_relative_and_mail_links_stay() -> None:
    html = render_markdown("[kb](/kb/3/) [mail](mailto:desk@example.com) ![s](/kb/1/files/2/)")
    assert 'href="/kb/3/"' in html and 'href="mailto:desk@example.com"' in html
    assert 'src="/kb/1/files/2/"' in html


def test_the_allow_list_also_cleans_html_from_elsewhere() -> None:
    html = sanitise_html('<p onclick="x()" class="btn" style="color:red">hi</p><script>x</script>')
    assert html == "<p>hi</p>"


def test_nul_characters_are_dropped() -> None:
    assert render_markdown("a\x00b") == "<p>ab</p>\n"


def test_stored_html_is_the_sanitised_rendering(desk: Desk) -> None:
    article = services.create_article(
        desk.operator, title="Hostile", body="<script>alert(1)</script>\n\n[x](javascript:alert(1))"
    )
    translation = article.translations.get()
    assert [tag for tag, _attrs in Elements(translation.body_html).found] == ["p", "p"]
    assert "&lt;script&gt;" in translation.body_html
    assert translation.body.startswith("<script>")  # the Markdown itself is kept as written
