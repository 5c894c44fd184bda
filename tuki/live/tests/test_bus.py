"""The bus: messages leave after the commit, never after a rollback, and reach only readers
who may see the ticket they are about."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction

from tuki.conftest import Desk
from tuki.live import bus
from tuki.live.models import LiveEvent
from tuki.tickets import services
from tuki.tickets.models import Ticket


def _topics(messages: list[bus.Message]) -> list[tuple[str, str]]:
    return [(m.topic, m.kind) for m in messages]


def test_a_message_published_in_a_transaction_leaves_when_it_commits(
    desk: Desk, django_capture_on_commit_callbacks
) -> None:
    with bus.capture() as seen:
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                bus.publish("user.1", "ping", {"n": 1})
                assert seen == []  # not before the commit
        assert _topics(seen) == [("user.1", "ping")]


def test_a_rolled_back_change_tells_nobody(desk: Desk, django_capture_on_commit_callbacks) -> None:
    with bus.capture() as seen:
        with django_capture_on_commit_callbacks(execute=True):
            with pytest.raises(RuntimeError), transaction.atomic():
                bus.publish("user.1", "ping")
                raise RuntimeError
        with django_capture_on_commit_callbacks(execute=True):
            with transaction.atomic():
                bus.publish("user.1", "pong")
    assert _topics(seen) == [("user.1", "pong")]


def test_a_ticket_change_is_one_message_per_topic_with_its_audience(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    with bus.capture() as seen, django_capture_on_commit_callbacks(execute=True):
        # An assignment records two events (assigned, status): still one refresh per topic.
        services.assign_ticket(desk.operator, incident, assignee=desk.operator)
    assert sorted(_topics(seen)) == [
        (f"request.{incident.pk}", "changed"),  # the status moved on: the portal shows it
        (f"ticket.{incident.pk}", "changed"),
        ("tickets", "changed"),
    ]
    queue = next(m for m in seen if m.topic == "tickets")
    assert queue.data["id"] == incident.pk
    assert queue.data["number"] == incident.number
    assert queue.audience is not None
    assert desk.service_desk.pk in queue.audience.groups
    assert desk.requester.pk in queue.audience.users


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite keeps rows for polling")
def test_on_sqlite_each_message_is_a_row_the_pages_poll(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    before = LiveEvent.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(desk.operator, incident, "On it", internal=True)
    rows = list(LiveEvent.objects.order_by("id")[before:])
    assert {r.topic for r in rows} == {f"ticket.{incident.pk}", "tickets"}


def test_large_batches_are_packed_under_postgresqls_payload_limit() -> None:
    messages = [bus.Message("tickets", "changed", {"id": i, "pad": "x" * 300}) for i in range(100)]
    payloads = list(bus.packed(messages))
    assert len(payloads) > 1
    assert all(len(p) < 8000 for p in payloads)
    assert sum(len(json.loads(p)) for p in payloads) == 100


def test_a_message_too_large_for_one_payload_is_dropped_not_sent_broken() -> None:
    assert list(bus.packed([bus.Message("tickets", "x", {"pad": "y" * 9000})])) == []


# --- who receives what -----------------------------------------------------------------------


def _reader(user) -> bus.Reader:  # type: ignore[no-untyped-def]
    return bus.Reader.of(user)


def test_queue_messages_reach_the_agents_who_may_see_the_ticket(
    desk: Desk, incident: Ticket
) -> None:
    from tuki.live.receivers import audience_of

    message = bus.Message("tickets", "changed", {"id": incident.pk}, audience=audience_of(incident))
    assert _reader(desk.operator).may_receive(message)  # the service desk owns it
    assert _reader(desk.admin).may_receive(message)
    assert not _reader(desk.other_agent).may_receive(message)  # Applications: another group
    desk.other_agent.sees_all_tickets = True
    assert _reader(desk.other_agent).may_receive(message)
    incident.restricted = True
    restricted = bus.Message("tickets", "changed", {}, audience=audience_of(incident))
    assert not _reader(desk.other_agent).may_receive(restricted)  # restricted to its groups
    assert not _reader(desk.colleague).may_receive(message)


def test_topics_are_only_for_those_the_rules_let_in(desk: Desk, incident: Ticket) -> None:
    ticket_topic = f"ticket.{incident.pk}"
    assert bus.may_subscribe(desk.operator, ticket_topic)
    assert not bus.may_subscribe(desk.requester, ticket_topic)  # the agents' side
    assert bus.may_subscribe(desk.requester, f"request.{incident.pk}")
    assert not bus.may_subscribe(desk.outsider, f"request.{incident.pk}")
    assert not bus.may_subscribe(desk.other_agent, ticket_topic)
    assert not bus.may_subscribe(desk.outsider, ticket_topic)
    assert bus.may_subscribe(desk.operator, "tickets")
    assert not bus.may_subscribe(desk.requester, "tickets")
    assert bus.may_subscribe(desk.requester, f"user.{desk.requester.pk}")
    assert not bus.may_subscribe(desk.requester, f"user.{desk.colleague.pk}")
    for bad in ("nosuch.1", "ticket.x", "ticket.", "ticket.1;drop", "", "tickets.1" * 20):
        assert not bus.may_subscribe(desk.admin, bad), bad


def test_the_requesters_side_hears_of_replies_and_status_but_not_of_internal_work(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    topic = f"request.{incident.pk}"
    with bus.capture() as seen, django_capture_on_commit_callbacks(execute=True):
        services.add_comment(desk.operator, incident, "Checked the logs", internal=True)
    assert topic not in {m.topic for m in seen}
    assert f"ticket.{incident.pk}" in {m.topic for m in seen}
    with bus.capture() as seen, django_capture_on_commit_callbacks(execute=True):
        services.add_comment(desk.operator, incident, "We are on it")
    assert [m.data for m in seen if m.topic == topic] == [{"id": incident.pk}]
