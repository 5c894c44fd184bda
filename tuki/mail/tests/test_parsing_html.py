"""HTML bodies: sanitised for viewing in our pages, and turned into readable text."""

from __future__ import annotations

import pytest

from tuki.mail.inbound.htmltext import html_to_text, replace_cids, sanitise_html


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p onclick=x()>hi</p>", "<p>hi</p>"),
        ("<script>alert(1)</script><p>hi</p>", "<p>hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer nofollow">x</a>'),
        (
            '<a href="https://acme.example/x">x</a>',
            '<a href="https://acme.example/x" rel="noopener noreferrer nofollow">x</a>',
        ),
        ('<img src="cid:logo@acme">', '<img src="cid:logo@acme">'),
        ('<img src="data:image/png;base64,AAAA">', "<img>"),
        ('<p style="color: red; position: fixed; top: 0">x</p>', '<p style="color:red">x</p>'),
        ("<iframe src=https://evil.example></iframe><p>x</p>", "<p>x</p>"),
        ("<form action=/x><input name=a><button>go</button></form>", "go"),
        ("<html><head><title>T</title><style>p{}</style></head><body>x</body></html>", "x"),
        ("<!-- a comment --><b>x</b>", "<b>x</b>"),
        ("<svg><script>alert(1)</script></svg>x", "x"),
        ("", ""),
    ],
)
def test_html_is_sanitised_for_our_pages(markup: str, expected: str) -> None:
    assert sanitise_html(markup) == expected


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("a<br>b<br><br>c", "a\nb\n\nc"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ("<div>x &amp; y &lt;z&gt; &nbsp;</div>", "x & y <z>"),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<pre>  keep\n    spaces</pre>", "keep\n    spaces"),
        (
            "<p>Hi</p><blockquote><p>old</p><blockquote>older</blockquote></blockquote>",
            "Hi\n\n> old\n>\n>> older",
        ),
        ("<head><title>T</title><style>p {}</style></head><script>x()</script>text", "text"),
        ('<img src="cid:x" alt="logo"> text', "[logo] text"),
        ("<p>unclosed <b>tags", "unclosed tags"),
        ("not html at all", "not html at all"),
    ],
)
def test_html_becomes_readable_text(markup: str, expected: str) -> None:
    assert html_to_text(markup) == expected


def test_cid_images_point_at_their_stored_attachments() -> None:
    markup = sanitise_html('<p><img src="cid:logo@acme" alt="l"><img src="cid:gone@acme"></p>')
    urls = {"logo@acme": '/attachments/7/?x=1&y="2"'}
    assert replace_cids(markup, urls) == (
        '<p><img src="/attachments/7/?x=1&amp;y=&quot;2&quot;" alt="l"><img src=""></p>'
    )
