"""A reply or note of the ticket page's timeline, written by one tag (ticket_tags.py):
every value escaped, files linked, the channel and author shown as the template did."""

from datetime import UTC, datetime
from types import SimpleNamespace as NS

from django.template import Context
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe

from tuki.tickets.templatetags.ticket_tags import timeline_comment

AT = datetime(2026, 12, 6, 12, 5, tzinfo=UTC)


class Marks:
    @staticmethod
    def highlight(text):
        return mark_safe(f"<mark>{text}</mark>")  # as notifications' highlight: escaped HTML


def comment(**kw):
    values = {"pk": 7, "author": None, "body": "<b>hi</b>", "channel": "web", "thread": False}
    values |= kw
    return NS(**values, get_channel_display=lambda: "Email")


def test_a_reply_by_email_with_files_and_nobody_signed():
    e = NS(
        kind="reply",
        comment=comment(channel="email"),
        event=None,
        files=[NS(pk=3, filename="a<b>.txt", size=2048)],
        at=AT,
    )
    with translation.override("en"):
        html = timeline_comment(Context(), e, None, Marks())
    assert '<li class="reply" id="comment-7">' in html
    assert '<span class="ws-avatar">?</span>' in html
    assert "<strong>Unknown</strong>" in html
    assert '<span class="text-secondary">via Email</span>' in html
    assert '<div class="comment-body">&lt;b&gt;hi&lt;/b&gt;</div>' in html
    assert f'href="{reverse("tickets:attachment", args=[3])}"' in html
    assert "a&lt;b&gt;.txt" in html and "2.0\xa0KB" in html


def test_a_note_is_highlighted_and_a_rule_is_named():
    e = NS(
        kind="note",
        comment=comment(body="see @ana"),
        event=NS(actor_kind="rule", reason="Escalate <P1>"),
        files=[],
        at=AT,
    )
    with translation.override("fi"):
        html = timeline_comment(Context(), e, None, Marks())
    assert "Sääntö: Escalate &lt;P1&gt;" in html
    assert '<div class="comment-body"><mark>see @ana</mark></div>' in html
    assert "via" not in html and "mt-2 d-flex" not in html


def test_a_thread_message_is_marked_as_in_the_consultation_thread():
    e = NS(kind="note", comment=comment(thread=True), event=None, files=[], at=AT)
    with translation.override("en"):
        html = timeline_comment(Context(), e, None, Marks())
    assert "In the consultation thread" in html and 'href="#consultation"' in html
    assert "<mark>" in html  # highlighted as a note
