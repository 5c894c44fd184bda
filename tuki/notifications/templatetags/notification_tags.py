"""Template helpers: @mentions highlighted in notes, an icon per notification kind."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from tuki.notifications import mentions

register = template.Library()

ICONS = {
    "assigned_to_me": "bi-person-check",
    "group_ticket": "bi-people",
    "reply_on_my_ticket": "bi-reply",
    "note_on_my_ticket": "bi-lock",
    "mention": "bi-at",
    "consulted": "bi-people-fill",
    "thread_message": "bi-chat-dots",
    "sla_warning": "bi-hourglass-split",
    "sla_breach": "bi-alarm",
    "approval_requested": "bi-check2-square",
    "approval_decided": "bi-clipboard-check",
    "watched_ticket_changed": "bi-eye",
    "rule": "bi-robot",
}


@register.filter
def mentions_highlighted(text: str) -> SafeString:
    """`{{ comment.body|mentions_highlighted }}`: escaped, with <mark class="mention">."""
    return mentions.highlight(str(text or ""))


class Mentions:
    """What `{% mention_highlighter as mentions %}` hands to Python that writes a note's
    body (the timeline's comment tag in tickets/templatetags, a layer below this app)."""

    @staticmethod
    def highlight(text: str) -> SafeString:
        return mentions_highlighted(text)


@register.simple_tag
def mention_highlighter() -> Mentions:
    return Mentions()


@register.filter
def notification_icon(kind: str) -> str:
    return ICONS.get(kind, "bi-bell")
