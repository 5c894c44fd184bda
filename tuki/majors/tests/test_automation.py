"""A rule declares a major incident (the automation action "declare_major")."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation.models import RuleRun
from tuki.automation.tests import conftest as automation
from tuki.automation.tests.test_engine import make_rule, new_ticket
from tuki.conftest import Desk
from tuki.majors.models import DeclaredVia, MajorIncident
from tuki.tickets.models import ActorKind, TicketEvent

pytestmark = pytest.mark.django_db

# The automation tests' `committed`: the change and then the rules' pass, as a commit would.
rules_committed = pytest.fixture(automation.committed.__wrapped__, name="rules_committed")  # type: ignore[attr-defined]


def test_a_rule_declares_a_major_incident(desk: Desk, rules_committed: Any) -> None:
    rule = make_rule(
        desk,
        name="Core router down",
        kinds=["incident"],
        conditions={
            "match": "all",
            "items": [{"field": "title", "op": "contains", "value": "router"}],
        },
        actions=[{"type": "declare_major", "summary": "{{ ticket.title }}: we are on it."}],
    )
    ticket = new_ticket(desk, rules_committed, title="Core router down")
    run = RuleRun.objects.get(rule=rule)
    assert run.ok, run.error
    major = MajorIncident.objects.get(ticket=ticket)
    assert major.declared_via == DeclaredVia.RULE and major.rule_name == "Core router down"
    assert major.summary == "Core router down: we are on it."
    event = TicketEvent.objects.get(ticket=ticket, action="major_declared")
    assert event.actor_kind == ActorKind.RULE
    ticket.refresh_from_db()
    assert ticket.priority == 1


def test_the_action_is_only_for_incidents(desk: Desk) -> None:
    from tuki.automation import services
    from tuki.lib.errors import ServiceError

    with pytest.raises(ServiceError):
        services.create_rule(
            desk.admin,
            name="Bad",
            events=["created"],
            kinds=["request"],
            conditions={"match": "all", "items": []},
            actions=[{"type": "declare_major"}],
        )
