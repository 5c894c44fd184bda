"""The ticket page's "From chat" section (tuki/tickets/sections.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tuki.chat import access
from tuki.tickets.models import Channel

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


def ticket_section(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """Chat-channel tickets name their conversation (one query; none for other tickets)."""
    if ticket.channel != Channel.CHAT:
        return None
    conversation = (
        access.conversations_visible_to(user).filter(ticket=ticket).order_by("pk").first()
    )
    return {"chat": conversation} if conversation is not None else None
