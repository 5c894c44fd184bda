"""Webhooks are administrators' business: everyone else gets a 404. A delivery about a
ticket the administrator may not see is listed, but "hidden: restricted ticket": its ticket,
payload and answer are not shown (docs/security/visibility.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.lib.bounds import parse_id
from tuki.tickets.access import ticket_visible
from tuki.webhooks.models import Webhook, WebhookDelivery

if TYPE_CHECKING:
    from tuki.accounts.models import User


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def get_webhook_for_user(user: User, pk: int | str) -> Webhook:
    number = parse_id(pk)
    if not is_admin(user) or number is None:
        raise Http404("No such webhook")
    webhook = Webhook.objects.filter(pk=number).first()
    if webhook is None:
        raise Http404("No such webhook")
    return webhook


def deliveries_seen_by(
    user: User, deliveries: QuerySet[WebhookDelivery]
) -> QuerySet[WebhookDelivery]:
    """The deliveries, each knowing whether `user` may see its ticket (`hidden`)."""
    return deliveries.annotate(ticket_seen=ticket_visible(user))


def get_delivery_for_user(user: User, pk: int | str) -> WebhookDelivery:
    number = parse_id(pk)
    if not is_admin(user) or number is None:
        raise Http404("No such delivery")
    delivery = (
        deliveries_seen_by(user, WebhookDelivery.objects.select_related("webhook", "ticket"))
        .filter(pk=number)
        .first()
    )
    if delivery is None:
        raise Http404("No such delivery")
    return delivery
