"""Rule services: staff only, whole-rule validation on every save, order, preview."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.automation import services
from tuki.automation.models import Rule, RuleRun
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.tickets import services as tickets
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db

RULE: dict[str, Any] = {
    "name": "Tag",
    "events": ["created"],
    "actions": [{"type": "add_tags", "tags": ["x"]}],
}


@pytest.mark.parametrize("role", ["requester", "operator", "specialist", "lead"])
def test_only_staff_manage_rules(desk: Desk, role: str) -> None:
    user = getattr(desk, role)
    with pytest.raises(PermissionDenied):
        services.create_rule(user, **RULE)
    rule = services.create_rule(desk.admin, **RULE)
    with pytest.raises(PermissionDenied):
        services.update_rule(user, rule, name="Other")
    with pytest.raises(PermissionDenied):
        services.move_rule(user, rule, 1)
    with pytest.raises(PermissionDenied):
        services.delete_rule(user, rule)
    with pytest.raises(PermissionDenied):
        services.preview(user, conditions={}, kinds=[])
    assert Rule.objects.get().name == "Tag"


def test_an_inactive_staff_member_may_not(desk: Desk) -> None:
    desk.admin.is_active = False
    with pytest.raises(PermissionDenied):
        services.create_rule(desk.admin, **RULE)


def test_unknown_fields_and_duplicate_names_are_refused(desk: Desk) -> None:
    with pytest.raises(ServiceError) as info:
        services.create_rule(desk.admin, **RULE, colour="red")
    assert info.value.field == "colour"
    services.create_rule(desk.admin, **RULE)
    with pytest.raises(ServiceError) as info:
        services.create_rule(desk.admin, **{**RULE, "name": " TAG "})
    assert info.value.field == "name"


def test_an_update_is_validated_whole_and_writes_nothing_when_refused(desk: Desk) -> None:
    rule = services.create_rule(desk.admin, **RULE)
    with pytest.raises(ServiceError) as info:
        services.update_rule(desk.admin, rule, trigger="scheduled")  # no wait given
    assert info.value.field == "wait.minutes"
    rule.refresh_from_db()
    assert rule.trigger == "event" and rule.updated_by == desk.admin
    services.update_rule(desk.admin, rule, description="Tags new tickets", position=3)
    rule.refresh_from_db()
    assert (rule.description, rule.position) == ("Tags new tickets", 3)


def test_move_and_delete(desk: Desk) -> None:
    rule = services.create_rule(desk.admin, **RULE)
    with pytest.raises(ServiceError) as info:
        services.move_rule(desk.admin, rule, -1)
    assert info.value.field == "position"
    assert services.move_rule(desk.admin, rule, 42).position == 42
    services.delete_rule(desk.admin, rule)
    assert not Rule.objects.exists()


def test_preview_in_sql_counts_every_match_and_lists_the_first(desk: Desk) -> None:
    made = [
        tickets.create_ticket(desk.operator, title=f"VPN {i}", requester=desk.requester, impact=1)
        for i in range(4)
    ]
    tickets.create_ticket(desk.operator, title="VPN low", requester=desk.requester, impact=3)
    conditions = {
        "match": "all",
        "items": [
            {"field": "title", "op": "starts_with", "value": "vpn"},
            {"field": "impact", "op": "eq", "value": 1},
        ],
    }
    count, found = services.preview(desk.admin, conditions=conditions, kinds=["incident"], limit=2)
    assert count == 4 and len(found) == 2
    assert {t.pk for t in found} <= {t.pk for t in made}
    assert services.preview(desk.admin, conditions=conditions, kinds=["request"])[0] == 0


def test_preview_checks_in_python_what_sql_cannot_say(desk: Desk) -> None:
    old = tickets.create_ticket(desk.operator, title="Old", requester=desk.requester)
    tickets.create_ticket(desk.operator, title="New", requester=desk.requester)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    conditions = {
        "match": "all",
        "items": [
            {
                "field": "time_since.created",
                "op": "more_than",
                "value": {"minutes": 60, "business": True},
            }
        ],
    }
    result = services.preview_rule(desk.admin, conditions=conditions)
    # Business time is checked in Python over the SQL candidates (wall time > 60 min); with
    # fewer candidates than the scan limit the count is still complete.
    assert result.scanned == 1 and result.exact
    assert [t.pk for t in result.tickets] == [old.pk] and result.count == 1


def test_preview_refuses_bad_conditions_with_the_path(desk: Desk) -> None:
    with pytest.raises(ServiceError) as info:
        services.preview(desk.admin, conditions={"match": "most", "items": []}, kinds=[])
    assert info.value.field == "conditions.match"


def test_run_rules_for_event_is_one_pass(desk: Desk, incident: Ticket) -> None:
    rule = services.create_rule(desk.admin, **RULE)
    event = incident.events.get(action="created")
    runs = services.run_rules_for_event(event)
    assert [r.rule for r in runs] == [rule]
    assert RuleRun.objects.get().ok
    assert services.last_runs(desk.admin, rule) == runs
