"""Webhooks subscribed to ticket events get them; a failing endpoint never breaks ticket work."""

from __future__ import annotations

import json

import pytest

from tuki.conftest import Desk
from tuki.tickets import services as ticket_services
from tuki.tickets.models import Channel, EventAction, Ticket, TicketEvent
from tuki.webhooks import services
from tuki.webhooks.models import DeliveryState, WebhookDelivery
from tuki.webhooks.tests.receiver import Receiver, closed_port_url


def test_subscribed_events_are_delivered_with_the_events_fields(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    hook = services.create_webhook(
        desk.admin, name="Chat", url=receiver.url, events=["status_changed", "note"]
    )
    receiver.secret = hook.secret
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.take_ticket(desk.operator, incident)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.add_comment(desk.operator, incident, "Checked logs", internal=True)
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.update_ticket(desk.operator, incident, title="Not subscribed")
    events = [r.headers["X-Tuki-Event"] for r in receiver.requests]
    assert events == ["status_changed", "status_changed", "note"]  # new → assigned → in progress
    assert all(receiver.verified(r) for r in receiver.requests)
    last = json.loads(receiver.requests[-1].body)
    assert last["data"]["comment"]["body"] == "Checked logs"
    assert last["data"]["comment"]["internal"] is True
    assert last["data"]["actor"] == "operator@tuki.test"
    status = json.loads(receiver.requests[1].body)["data"]
    assert (status["field"], status["new"]) == ("status", "In progress")


def test_created_and_email_received(
    desk: Desk, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    services.create_webhook(
        desk.admin, name="All", url=receiver.url, events=["created", "email_received"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.create_ticket(
            None, title="Printer", requester=desk.requester, channel=Channel.EMAIL
        )
    assert [r.headers["X-Tuki-Event"] for r in receiver.requests] == ["created", "email_received"]


def test_inactive_and_unsubscribed_webhooks_get_nothing(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    services.create_webhook(
        desk.admin, name="Off", url=receiver.url, events=["updated"], is_active=False
    )
    services.create_webhook(desk.admin, name="Other", url=receiver.url, events=["sla_breach"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.update_ticket(desk.operator, incident, title="Changed")
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_a_failing_endpoint_does_not_break_ticket_changes(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    services.create_webhook(desk.admin, name="Down", url=closed_port_url(), events=["updated"])
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.update_ticket(desk.operator, incident, title="Still saved")
    assert Ticket.objects.get(pk=ticket.pk).title == "Still saved"
    delivery = WebhookDelivery.objects.get()
    assert delivery.state == DeliveryState.PENDING and delivery.error


def test_a_rolled_back_change_sends_nothing(
    desk: Desk, incident: Ticket, receiver: Receiver, django_capture_on_commit_callbacks
) -> None:
    from django.db import transaction

    services.create_webhook(desk.admin, name="Hook", url=receiver.url, events=["updated"])
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                ticket_services.update_ticket(desk.operator, incident, title="Rolled back")
                raise RuntimeError("later step failed")
        except RuntimeError:
            pass
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    ("action", "names"),
    [
        (EventAction.SLA_WARNING, ["sla_warning"]),
        (EventAction.SLA_BREACHED, ["sla_breach"]),
        (EventAction.FIELD, ["updated"]),
    ],
)
def test_sla_events_reach_the_webhooks_subscribed_to_them(
    incident: Ticket, action: str, names: list[str]
) -> None:
    # A breach is recorded as "sla_breached"; it was sent as "updated", and a webhook
    # subscribed to "sla_breach" never heard of one.
    assert services.event_names(TicketEvent(ticket=incident, action=action)) == names
