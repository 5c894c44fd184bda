"""Markdown → safe HTML for knowledge articles.

Two layers, because an article is written by one person and read by thousands:
1. markdown-it-py with the CommonMark preset and raw HTML switched *off*, so `<script>` in
   the Markdown is shown as text, never passed through; its link validator already refuses
   `javascript:`, `vbscript:` and `file:` URLs.
2. nh3 (ammonia) with a short allow-list of tags and attributes: no `style`, no `class`, no
   event handlers, and only http(s), mailto and tel URLs (relative links stay). Whatever
   the first layer lets through by a bug, the second removes.
"""

from __future__ import annotations

import html
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup",
    "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "breaks": False}).enable(
        ["table", "strikethrough"]
    )


def sanitise_html(html: str) -> str:
    """The allow-list alone: for HTML that did not come from our Markdown parser."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Render an article body; NUL characters (which some databases refuse) are dropped."""
    text = (text or "").replace("\x00", "")
    return sanitise_html(_parser().render(text))


def plain_text(text: str) -> str:
    """The words of a Markdown body without markup: for search indexing and snippets."""
    return html.unescape(nh3.clean(render_markdown(text), tags=set())).strip()
