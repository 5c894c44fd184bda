"""Which ticket a message belongs to: the ids it answers, then the number in its subject.

A reply names the messages it answers (In-Reply-To, References). Those ids join a ticket only
when Tuki sent or received a message with that id for that ticket; an id Tuki never saw
matches nothing. Failing that, `[INC-1042]` in the subject names the ticket. Whether the
sender may post into the ticket found is the caller's check (services.py).
"""

from __future__ import annotations

import re

from tuki.mail.models import InboundMessage, InboundStatus, OutboundMessage
from tuki.tickets.models import Ticket

SUBJECT_NUMBER = re.compile(r"\[\s*([A-Za-z]{3}-\d{1,12})\s*\]")
ID_LENGTH = 255  # the stored column's length; longer ids are stored cut


def known_ids(ids: list[str]) -> dict[str, int]:
    """Message-ID → ticket id, for the ids Tuki sent or received with a ticket."""
    ids = [i[:ID_LENGTH] for i in ids if i]
    if not ids:
        return {}
    found = dict(
        OutboundMessage.objects.filter(message_id__in=ids).values_list("message_id", "ticket_id")
    )
    # Only messages taken in: a held one's id must not become an anchor of the thread.
    received = InboundMessage.objects.filter(
        message_id__in=ids, ticket__isnull=False, status=InboundStatus.PROCESSED
    )
    for message_id, ticket_id in received.values_list("message_id", "ticket_id"):
        found.setdefault(message_id, ticket_id)
    return found


def ticket_by_headers(in_reply_to: list[str], references: list[str]) -> Ticket | None:
    """The direct parent first, then References from the newest to the oldest."""
    order = [*in_reply_to, *reversed(references)]
    known = known_ids(order)
    for message_id in order:
        ticket_id = known.get(message_id[:ID_LENGTH])
        if ticket_id is not None:
            return follow_merges(ticket_id)
    return None


def subject_numbers(subject: str) -> list[str]:
    return [m.upper() for m in SUBJECT_NUMBER.findall(subject or "")]


def ticket_by_subject(subject: str) -> Ticket | None:
    for number in subject_numbers(subject):
        parsed = Ticket.parse_number(number)
        if parsed is None:
            continue
        ticket = Ticket.objects.filter(Ticket.number_q(*parsed)).only("pk").first()
        if ticket is not None:
            return follow_merges(ticket.pk)
    return None


def find_ticket(subject: str, in_reply_to: list[str], references: list[str]) -> Ticket | None:
    return ticket_by_headers(in_reply_to, references) or ticket_by_subject(subject)


def strip_numbers(subject: str) -> str:
    """The subject without `[INC-12]` tags: a new ticket must not look like an old one."""
    return re.sub(r"\s{2,}", " ", SUBJECT_NUMBER.sub("", subject or "")).strip()


def follow_merges(ticket_id: int) -> Ticket | None:
    """A merged ticket's conversation continues in the ticket it was merged into."""
    seen: set[int] = set()
    ticket = Ticket.objects.with_related().filter(pk=ticket_id).first()
    while ticket is not None and ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.with_related().filter(pk=ticket.merged_into_id).first()
    return ticket
