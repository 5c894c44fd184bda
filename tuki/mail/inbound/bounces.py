"""Bounces of Tuki's own mail: a note on the ticket, and no more mail to that address.

Only a bounce that names a message Tuki sent (the returned message's Message-ID, or the
threading headers) counts: a forged bounce cannot silence an address without knowing one
of Tuki's unguessable Message-IDs.
"""

from __future__ import annotations

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.mail import reasons
from tuki.mail.inbound.outcome import Outcome
from tuki.mail.inbound.parsing import ParsedMessage
from tuki.mail.models import BouncingAddress, InboundStatus, OutboundMessage, OutboundStatus
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Channel

DIAGNOSTIC_LENGTH = 2000


def original_of(parsed: ParsedMessage) -> OutboundMessage | None:
    ids = [parsed.bounced_message_id, *parsed.in_reply_to, *reversed(parsed.references)]
    ids = [i[:255] for i in ids if i]
    if not ids:
        return None
    found = {o.message_id: o for o in OutboundMessage.objects.filter(message_id__in=ids)}
    return next((found[i] for i in ids if i in found), None)


def handle(parsed: ParsedMessage) -> Outcome:
    original = original_of(parsed)
    if original is None:
        return Outcome(
            InboundStatus.IGNORED,
            "bounce",
            code="unknown_bounce",
            reason=reasons.UNKNOWN_BOUNCE,
        )
    sent_to = {original.to_address, *original.cc_list}
    addresses = [a.lower() for a in parsed.bounced_recipients if a.lower() in sent_to]
    addresses = addresses or [original.to_address]
    diagnostic = (parsed.new_text or parsed.text).strip()[:DIAGNOSTIC_LENGTH]
    for address in addresses:
        mark_bouncing(address, diagnostic)
    OutboundMessage.objects.filter(pk=original.pk).update(
        status=OutboundStatus.BOUNCED, last_error=diagnostic
    )
    heading = _("Mail to %(addresses)s bounced; no more mail goes there until it is reset.") % {
        "addresses": ", ".join(addresses)
    }
    note = tickets.add_comment(
        None,
        original.ticket,
        f"{heading}\n\n{diagnostic}" if diagnostic else heading,
        internal=True,
        channel=Channel.EMAIL,
        actor_kind=ActorKind.EMAIL,
    )
    return Outcome(InboundStatus.PROCESSED, "bounce", original.ticket, note)


def mark_bouncing(address: str, diagnostic: str) -> None:
    now = timezone.now()
    updated = BouncingAddress.objects.filter(address=address).update(
        bounces=F("bounces") + 1, last_bounce_at=now, diagnostic=diagnostic
    )
    if not updated:
        BouncingAddress.objects.get_or_create(
            address=address, defaults={"diagnostic": diagnostic, "first_bounce_at": now}
        )
