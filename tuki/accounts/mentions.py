"""Who an @mention names: `@sanna.korhonen` (an email's local part) or
`@sanna.korhonen@tuki.example` (a whole address). Here, below tickets, because the ticket
services read mentions too (a thread message invites whom it mentions: tickets/services/
thread.py); notifications (mentions.py) tells them and highlights mentions.

An `@` glued to a word is part of an email address written in the text (`mail
sanna@acme.fi`), not a mention; a mention ends where the address characters end, and a
trailing dot is the end of the sentence, not of the name.
"""

from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from tuki.accounts.models import User

_LOCAL = r"[A-Za-z0-9_](?:[A-Za-z0-9._%+-]*[A-Za-z0-9_])?"
_DOMAIN = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
# Not after a word character, a dot or another @: that is an address, not a mention. The
# local part starts and ends with a letter, digit or underscore ("@sanna.korhonen's" and
# "@sanna.korhonen." mention sanna.korhonen).
MENTION_RE = re.compile(rf"(?<![\w.@+-])@(?P<name>{_LOCAL}(?:@{_DOMAIN})?)(?![\w@])")


def mentioned_names(text: str) -> list[str]:
    """The names mentioned, lower-cased, in order, each once."""
    names = (match["name"].lower() for match in MENTION_RE.finditer(text or ""))
    return list(dict.fromkeys(names))


def mentioned_agents(text: str) -> QuerySet[User]:
    """Active agents (and administrators) the text mentions. A local part shared by agents
    of two domains mentions both: each of them can see the ticket or is skipped later."""
    match = Q(pk__in=[])
    for name in mentioned_names(text):
        if "@" in name:
            match |= Q(email__iexact=name)
        else:
            match |= Q(email__istartswith=f"{name}@")
    return User.objects.filter(match, Q(is_agent=True) | Q(is_superuser=True), is_active=True)
