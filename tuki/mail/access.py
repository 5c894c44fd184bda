"""Who may read stored messages: the only way the mail views fetch them.

- administrators with the mail app's view permission: every message (the quarantine);
- agents: messages of tickets they can see (tickets/access.py decides);
- anyone else, and anything not visible: 404, so ids leak nothing.

Held messages (replies without proof of their sender, mail before the desk was set up) are
reviewed by the same people: agents those of tickets they see, administrators with the
change permission every one, those that name no ticket included.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404

from tuki.mail.models import InboundMessage, InboundStatus, OutboundMessage
from tuki.tickets.access import ticket_visible

if TYPE_CHECKING:
    from tuki.accounts.models import User

M = TypeVar("M", bound=Model)


def _visible(user: User, qs: QuerySet[M], permission: str) -> QuerySet[M]:
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.is_superuser or (user.is_staff and user.has_perm(permission)):
        return qs
    if user.is_agent:
        return qs.filter(ticket_visible(user))
    return qs.none()


def get_inbound_for_user(user: User, pk: int) -> InboundMessage:
    qs = _visible(user, InboundMessage.objects.all(), "mail.view_inboundmessage")
    message = qs.filter(pk=pk).first()
    if message is None:
        raise Http404("No such message")
    return message


def get_outbound_for_user(user: User, pk: int) -> OutboundMessage:
    qs = _visible(user, OutboundMessage.objects.all(), "mail.view_outboundmessage")
    message = qs.filter(pk=pk).first()
    if message is None:
        raise Http404("No such message")
    return message


def held_for_user(user: User) -> QuerySet[InboundMessage]:
    """The held messages this user may read, accept and reject."""
    held = InboundMessage.objects.filter(status=InboundStatus.HELD)
    return _visible(user, held, "mail.change_inboundmessage")


def get_held_for_user(user: User, pk: int) -> InboundMessage:
    message = held_for_user(user).filter(pk=pk).select_related("ticket", "mailbox").first()
    if message is None:
        raise Http404("No such message")
    return message
