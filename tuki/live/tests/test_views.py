"""The live doors, per role: polling (SQLite), the stream's refusals, the browser's signals."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from tuki.conftest import Desk
from tuki.live import bus
from tuki.live.models import LiveEvent
from tuki.tickets import services
from tuki.tickets.models import Ticket


def test_anonymous_gets_403_everywhere(db: None) -> None:
    client = Client()
    assert client.get("/live/events/?topics=tickets").status_code == 403
    assert client.get("/live/poll/?topics=tickets").status_code == 403
    assert client.post("/live/signal/", {"topic": "tickets", "kind": "typing"}).status_code == 403


def test_topics_are_required_and_bounded(desk: Desk) -> None:
    client = desk.client_for(desk.operator)
    assert client.get("/live/poll/").status_code == 400
    many = ",".join(f"user.{i}" for i in range(30))
    assert client.get(f"/live/poll/?topics={many}").status_code == 400


@pytest.mark.skipif(connection.vendor != "sqlite", reason="polling is SQLite's transport")
def test_polling_gives_the_new_messages_of_allowed_topics_only(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    operator, other = desk.client_for(desk.operator), desk.client_for(desk.other_agent)
    topic = f"ticket.{incident.pk}"
    start = operator.get(f"/live/poll/?topics={topic},tickets").json()
    assert start["messages"] == [] and start["refused"] == []
    denied = other.get(f"/live/poll/?topics={topic},tickets").json()
    assert denied["refused"] == [topic]  # Applications may not see the service desk's ticket

    with django_capture_on_commit_callbacks(execute=True):
        services.add_comment(desk.operator, incident, "Checking the VPN logs", internal=True)

    got = operator.get(f"/live/poll/?topics={topic},tickets&after={start['last']}").json()
    assert {(m["topic"], m["kind"]) for m in got["messages"]} == {
        (topic, "changed"),
        ("tickets", "changed"),
    }
    assert "audience" not in got["messages"][0] and "a" not in got["messages"][0]
    # The other group's agent follows "tickets" but may not see this one: nothing for them.
    theirs = other.get(f"/live/poll/?topics=tickets&after={start['last']}").json()
    assert theirs["messages"] == []
    again = operator.get(f"/live/poll/?topics={topic}&after={got['last']}").json()
    assert again["messages"] == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite has no stream")
def test_the_stream_says_to_poll_on_sqlite(desk: Desk) -> None:
    response = desk.client_for(desk.operator).get("/live/events/?topics=tickets")
    assert response.status_code == 409


def test_signals_reach_the_topic_and_are_checked(
    desk: Desk, incident: Ticket, django_capture_on_commit_callbacks
) -> None:
    topic = f"ticket.{incident.pk}"
    with bus.capture() as seen, django_capture_on_commit_callbacks(execute=True):
        ok = desk.client_for(desk.operator).post(
            "/live/signal/", {"topic": topic, "kind": "writing"}
        )
        assert ok.status_code == 204
        # An agent who may not see the ticket, a requester on the agents' page, a bad kind.
        assert (
            desk.client_for(desk.other_agent)
            .post("/live/signal/", {"topic": topic, "kind": "viewing"})
            .status_code
            == 404
        )
        assert (
            desk.client_for(desk.requester)
            .post("/live/signal/", {"topic": topic, "kind": "viewing"})
            .status_code
            == 404
        )
        assert (
            desk.client_for(desk.operator)
            .post("/live/signal/", {"topic": topic, "kind": "changed"})
            .status_code
            == 400
        )
    assert [(m.topic, m.kind, m.data["name"]) for m in seen] == [
        (topic, "writing", "Olli Operator")
    ]


def test_signals_are_rate_limited(desk: Desk, incident: Ticket) -> None:
    client = desk.client_for(desk.operator)
    codes = [
        client.post(
            "/live/signal/", {"topic": f"user.{desk.operator.pk}", "kind": "typing"}
        ).status_code
        for _ in range(65)
    ]
    assert codes.count(204) <= 60 and codes[-1] == 429


def test_the_old_polled_messages_are_forgotten(desk: Desk) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tuki.live import services as live_services

    LiveEvent.objects.create(
        topic="tickets", kind="changed", created_at=timezone.now() - timedelta(hours=1)
    )
    fresh = LiveEvent.objects.create(topic="tickets", kind="changed")
    assert live_services.forget_old() == 1
    assert list(LiveEvent.objects.values_list("id", flat=True)) == [fresh.pk]


def test_pages_say_how_they_receive_updates(desk: Desk) -> None:
    html = desk.client_for(desk.operator).get("/desk/").content.decode()
    mode = "sse" if connection.vendor == "postgresql" else "poll"
    assert f'data-live="{mode}"' in html
    assert 'data-live-topics="tickets"' in html
    anonymous = Client().get("/accounts/login/" if False else "/").content.decode()
    assert "data-live=" not in anonymous
