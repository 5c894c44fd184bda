"""Who may read which notifications: each person their own, nobody else's (404, not 403)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tuki.notifications.models import Notification
from tuki.tickets.access import ticket_visible

if TYPE_CHECKING:
    from tuki.accounts.models import User


def is_notified(user: User) -> bool:
    """Agents and administrators; requesters hear from Tuki by email (the requester flow)."""
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def notifications_of(user: User) -> QuerySet[Notification]:
    """The user's own notifications about tickets they may still see (a ticket restricted
    or moved away since keeps its notifications out of sight: their text names it)."""
    if not is_notified(user):
        return Notification.objects.none()
    return Notification.objects.filter(
        Q(ticket__isnull=True) | ticket_visible(user), recipient=user
    )


def get_notification_for_user(user: User, pk: int) -> Notification:
    notification = notifications_of(user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification")
    return notification
