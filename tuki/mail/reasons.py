"""Why an inbound mail was not taken in as usual, and why an outbound one was not sent:
stored in English, shown in the reader's language (tuki/lib/storedtext.py).

The mail work runs in a worker or the ingest command, in whatever language is active there;
the row is read later by an agent or an administrator in theirs.
"""

from __future__ import annotations

from django.utils.translation import gettext_noop

from tuki.lib.storedtext import StoredTexts

# Inbound (InboundMessage.reason).
OWN_MESSAGE = gettext_noop("Tuki sent this message itself.")
OWN_ADDRESS = gettext_noop("The message comes from the service desk's own address.")
NOT_ALLOWED = gettext_noop("The sender may not see %(number)s; a new ticket was opened.")
FOLLOW_UP = gettext_noop("%(old)s is closed; this follow-up is linked to it.")
UNKNOWN_BOUNCE = gettext_noop("A bounce of a message Tuki did not send.")
NOT_STORED = gettext_noop("Tuki could not store this message: %(error)s")
NOT_PROCESSED = gettext_noop("Tuki could not process this message: %(error)s")
TOO_LARGE = gettext_noop(
    "The message is larger than the limit of %(limit)d MB; only its headers were kept."
)
NO_SENDER = gettext_noop("The message has no sender address.")
INACTIVE_SENDER = gettext_noop("The sender's account is inactive.")
UNKNOWN_SENDER = gettext_noop(
    "%(address)s is not a known user and this mailbox refuses unknown senders."
)
UNPROVEN = gettext_noop(
    "Nothing proves that this reply comes from %(address)s: it waits for an agent to accept "
    "or reject it."
)
UNPROVEN_STAFF = gettext_noop(
    "The message claims to come from %(address)s, who works at the desk, without proof: "
    "nothing was done as them. It waits for an agent to accept or reject it."
)
NO_DESK = gettext_noop(
    "No service desk group is set up yet: the message waits and is taken in once there is one."
)
REJECTED = gettext_noop("Rejected by %(name)s.")
# Outbound (OutboundMessage.reason).
AUTO_REPLY = gettext_noop("It would answer an automatic message.")
TO_THE_DESK = gettext_noop("The recipient is the service desk itself.")
BOUNCES = gettext_noop("Mail to %(address)s bounces.")
ACK_LIMIT = gettext_noop("Too many acknowledgements to this address in the last hour.")
NOT_COPIED = gettext_noop("Not copied to %(addresses)s: they may not see this ticket.")
DEMO = gettext_noop("Demo data: never sent.")  # the demo's replies (core/demo.py)
# The "resolved" notice, when the satisfaction survey mail says it (tuki/surveys/services.py).
IN_SURVEY = gettext_noop("The satisfaction survey mail tells the resolution instead.")

REASONS = StoredTexts(
    OWN_MESSAGE,
    OWN_ADDRESS,
    NOT_ALLOWED,
    FOLLOW_UP,
    UNKNOWN_BOUNCE,
    NOT_STORED,
    NOT_PROCESSED,
    TOO_LARGE,
    NO_SENDER,
    INACTIVE_SENDER,
    UNKNOWN_SENDER,
    UNPROVEN,
    UNPROVEN_STAFF,
    NO_DESK,
    REJECTED,
    AUTO_REPLY,
    TO_THE_DESK,
    BOUNCES,
    ACK_LIMIT,
    NOT_COPIED,
    DEMO,
    IN_SURVEY,
)
english = REASONS.english
shown = REASONS.shown
