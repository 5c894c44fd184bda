"""@mentions of agents in internal notes: `@sanna.korhonen` (an email's local part) or
`@sanna.korhonen@tuki.example` (a whole address).

An `@` glued to a word is part of an email address written in the text (`mail
sanna@acme.fi`), not a mention; a mention ends where the address characters end, and a
trailing dot is the end of the sentence, not of the name.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from tuki.accounts.mentions import (
    MENTION_RE as MENTION_RE,
    mentioned_agents as mentioned_agents,
    mentioned_names as mentioned_names,
)
from tuki.accounts.models import User


def highlight(text: str) -> SafeString:
    """The text HTML-escaped, with each mention wrapped in <mark class="mention">."""
    text = text or ""
    parts: list[str] = []
    last = 0
    for match in MENTION_RE.finditer(text):
        parts.append(conditional_escape(text[last : match.start()]))
        parts.append(format_html('<mark class="mention rounded px-1">@{}</mark>', match["name"]))
        last = match.end()
    parts.append(conditional_escape(text[last:]))
    return mark_safe("".join(parts))  # every piece escaped above


def names_of(users: Iterable[User]) -> list[str]:
    return [user.email.partition("@")[0] for user in users]
