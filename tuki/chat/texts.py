"""System lines of a chat, stored in English and shown in the reader's language."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from tuki.lib.storedtext import StoredTexts

JOINED = gettext_noop("%(name)s joined the chat.")
TRANSFERRED_TO_AGENT = gettext_noop("%(name)s passed the chat to %(to)s.")
TRANSFERRED_TO_QUEUE = gettext_noop("%(name)s passed the chat to the queue %(to)s.")
ENDED = gettext_noop("%(name)s ended the chat.")
MISSED = gettext_noop("Nobody could answer in time.")
SAVED_AS = gettext_noop("The conversation was saved as %(number)s.")
JOINED_TICKET = gettext_noop("The conversation was added to %(number)s.")

SYSTEM = StoredTexts(
    JOINED, TRANSFERRED_TO_AGENT, TRANSFERRED_TO_QUEUE, ENDED, MISSED, SAVED_AS, JOINED_TICKET
)
