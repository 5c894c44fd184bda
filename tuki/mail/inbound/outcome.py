"""What taking in one message did: the InboundMessage row's status and action, the ticket and
comment it touched, and the reason when it was ignored or quarantined."""

from __future__ import annotations

from dataclasses import dataclass

from tuki.tickets.models import Comment, Ticket


@dataclass
class Outcome:
    status: str
    action: str = ""
    ticket: Ticket | None = None
    comment: Comment | None = None
    code: str = ""
    reason: str = ""
    proof: str = ""  # what proved the sender (a Proof value), "" when nothing did
    proof_detail: str = ""
