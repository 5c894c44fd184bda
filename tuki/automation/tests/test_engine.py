"""The rules engine: triggers, conditions, actions, order, stop, loops and depth."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tuki.automation import services
from tuki.automation.models import Rule, RuleRun
from tuki.conftest import Desk
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Ticket, TicketEvent

Commit = Callable[[], Any]


@pytest.fixture
def committed(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """Run what a service call left for after commit (the rules' pass), as a real commit would."""

    @contextmanager
    def run() -> Iterator[None]:
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return run


def make_rule(desk: Desk, **data: Any) -> Rule:
    data.setdefault("name", "Rule")
    data.setdefault("trigger", "event")
    if data["trigger"] == "event":
        data.setdefault("events", ["created"])
    data.setdefault("conditions", {"match": "all", "items": []})
    return services.create_rule(desk.admin, **data)


def new_ticket(desk: Desk, committed: Any, **extra: Any) -> Ticket:
    extra.setdefault("title", "Printer on fire")
    extra.setdefault("requester", desk.requester)
    with committed():
        ticket = tickets.create_ticket(desk.operator, **extra)
    return Ticket.objects.with_related().get(pk=ticket.pk)


def tags_of(ticket: Ticket) -> set[str]:
    return {t.name for t in ticket.tags.all()}


def test_a_rule_acts_on_a_new_ticket_in_the_rules_name(desk: Desk, committed: Any) -> None:
    rule = make_rule(
        desk,
        name="Tag urgent VPN",
        conditions={"match": "all", "items": [{"field": "priority", "op": "lte", "value": 2}]},
        actions=[{"type": "add_tags", "tags": ["urgent"]}, {"type": "add_note", "body": "Hurry {{ticket.number}}"}],
    )
    ticket = new_ticket(desk, committed, impact=1, urgency=1)
    assert tags_of(ticket) == {"urgent"}
    assert ticket.comments.get().body == f"Hurry {ticket.number}"
    events = TicketEvent.objects.filter(ticket=ticket, actor_kind=ActorKind.RULE)
    assert {e.action for e in events} == {"field", "note"}
    assert {e.reason for e in events} == {"Tag urgent VPN"}
    assert {e.rule_id for e in events} == {rule.pk}
    run = RuleRun.objects.get()
    assert run.ok and run.rule == rule and run.event.action == "created"
    assert len(run.changes) == 2
