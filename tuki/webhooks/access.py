"""Webhooks are administrators' business: everyone else gets a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tuki.lib.bounds import parse_id
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


def get_delivery_for_user(user: User, pk: int | str) -> WebhookDelivery:
    number = parse_id(pk)
    if not is_admin(user) or number is None:
        raise Http404("No such delivery")
    delivery = WebhookDelivery.objects.select_related("webhook", "ticket").filter(pk=number).first()
    if delivery is None:
        raise Http404("No such delivery")
    return delivery
