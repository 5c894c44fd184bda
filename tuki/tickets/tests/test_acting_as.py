"""Changes made inside `acting_as` (an automation rule) carry the rule on their events."""

import pytest

from tuki.tickets import services
from tuki.tickets.models import ActorKind


@pytest.mark.django_db
def test_events_inside_acting_as_name_the_rule(desk, incident):
    with services.acting_as(ActorKind.RULE, "Rule: VPN to network", rule_id=7, depth=2):
        services.update_ticket(None, incident, urgency=1)
    event = incident.events.filter(field="urgency").get()
    assert (event.actor_kind, event.reason, event.rule_id, event.depth) == (
        ActorKind.RULE,
        "Rule: VPN to network",
        7,
        2,
    )


@pytest.mark.django_db
def test_a_person_acting_inside_the_block_is_still_the_person(desk, incident):
    with services.acting_as(ActorKind.RULE, "Rule: x", rule_id=7):
        services.update_ticket(desk.operator, incident, urgency=1)
    services.update_ticket(None, incident, urgency=3)
    first, second = incident.events.filter(field="urgency").order_by("id")
    assert (first.actor_kind, first.rule_id, first.reason) == (ActorKind.USER, None, "")
    assert (second.rule_id, second.reason) == (None, "")
