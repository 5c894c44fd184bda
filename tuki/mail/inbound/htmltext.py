"""HTML from email bodies: sanitise it for viewing, or turn it into plain text.

Pure functions over nh3 and the standard library's html.parser; no Django.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from html.parser import HTMLParser

import nh3

# Email HTML leans on inline styles; keep the harmless presentational ones and nothing
# that could position or overlay content on our pages.
_STYLE_PROPERTIES = frozenset(
    {
        "color",
        "background-color",
        "font-weight",
        "font-style",
        "font-size",
        "font-family",
        "text-decoration",
        "text-align",
        "vertical-align",
        "white-space",
        "border",
        "border-collapse",
        "padding",
        "margin",
        "width",
        "height",
    }
)
_ATTRIBUTES: dict[str, set[str]] = {
    tag: set(attrs) | {"style"} for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()
}
_ATTRIBUTES["*"] = {"style", "dir", "lang", "title"}
_ATTRIBUTES.setdefault("img", set()).update({"src", "alt", "width", "height"})
_ATTRIBUTES.setdefault("td", set()).update({"colspan", "rowspan", "align", "valign"})
_ATTRIBUTES.setdefault("th", set()).update({"colspan", "rowspan", "align", "valign"})
_ATTRIBUTES.setdefault("font", set()).update({"color", "size", "face"})
_TAGS = set(nh3.ALLOWED_TAGS) | {"font"}
# cid: keeps inline images addressable; the viewer maps them to the stored attachments.
_URL_SCHEMES = {"http", "https", "mailto", "tel", "cid"}
_CLEAN_CONTENT = {"script", "style", "title", "head", "template", "noscript", "iframe"}


def sanitise_html(markup: str) -> str:
    """Markup safe to show inside our pages (no scripts, handlers, forms or frames)."""
    if not markup.strip():
        return ""
    return nh3.clean(
        markup,
        tags=_TAGS,
        clean_content_tags=_CLEAN_CONTENT,
        attributes=_ATTRIBUTES,
        url_schemes=_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        filter_style_properties=_STYLE_PROPERTIES,
        strip_comments=True,
    ).strip()


_BLOCKS = frozenset(
    "address article aside dd div dl dt fieldset figcaption figure footer form header li "
    "main nav section tbody thead tfoot tr".split()
)
_PARAGRAPHS = frozenset("blockquote h1 h2 h3 h4 h5 h6 hr ol p pre table ul".split())
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript"})


class _TextExtractor(HTMLParser):
    """Collects readable text: blocks on their own lines, blockquotes as "> " lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0
        self.quote_depth = 0
        self.pre_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip_depth += 1
        elif tag == "br":
            self._line(keep_empty=True)
        elif tag in _PARAGRAPHS or tag in _BLOCKS:
            self._paragraph() if tag in _PARAGRAPHS else self._line()
            self.quote_depth += tag == "blockquote"
            self.pre_depth += tag == "pre"
            if tag == "li":
                self.current.append("- ")
        elif tag in {"td", "th"}:
            self.current.append(" ")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.current.append(f"[{alt}]")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _PARAGRAPHS:
            self._line()
            if tag == "blockquote":
                self.quote_depth = max(0, self.quote_depth - 1)
            elif tag == "pre":
                self.pre_depth = max(0, self.pre_depth - 1)
            self._paragraph()
        elif tag in _BLOCKS:
            self._line()

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if not self.pre_depth:
            self.current.append(re.sub(r"\s+", " ", data))
            return
        chunks = data.split("\n")
        for chunk in chunks[:-1]:
            self.current.append(chunk)
            self._line(keep_empty=True)
        self.current.append(chunks[-1])

    def _line(self, keep_empty: bool = False) -> None:
        line = "".join(self.current)
        if not self.pre_depth:
            line = re.sub(r"[ \t\u00a0]+", " ", line).strip()
        self.current = []
        if line or keep_empty:
            self._append(line)

    def _paragraph(self) -> None:
        self._line()
        if self.lines and self.lines[-1].strip("> "):
            self._append("")

    def _append(self, line: str) -> None:
        prefix = ">" * self.quote_depth
        self.lines.append(f"{prefix} {line}" if prefix and line else prefix + line)

    def text(self) -> str:
        self._line()
        lines = [line.rstrip() for line in self.lines]
        while lines and not lines[-1].strip("> "):  # an empty quote level at the end
            lines.pop()
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(markup: str) -> str:
    """Readable plain text of an HTML body (for messages that have no text part)."""
    extractor = _TextExtractor()
    try:
        extractor.feed(markup)
        extractor.close()
    except Exception:  # html.parser is lenient; this is a last resort for odd input
        return html.unescape(re.sub(r"<[^>]*>", " ", markup)).strip()
    return extractor.text()


_CID_SRC = re.compile(r'\bsrc="cid:([^"]*)"', re.IGNORECASE)


def replace_cids(markup: str, urls: Mapping[str, str]) -> str:
    """Point the cid: images of sanitised HTML at their stored attachments.

    `urls` maps a content id (without <>) to a URL; an image whose part we do not have
    loses its source rather than keep a cid: link the browser cannot follow.
    """

    def swap(match: re.Match[str]) -> str:
        url = urls.get(html.unescape(match.group(1)).strip("<>"))
        return f'src="{html.escape(url, quote=True)}"' if url else 'src=""'

    return _CID_SRC.sub(swap, markup)
