"""validate_rule: invalid rules are refused when saved, naming the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation.catalogue import ACTIONS, CONDITION_FIELDS, EVENTS, OPERATORS
from tuki.automation.validation import validate_rule
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError

pytestmark = pytest.mark.django_db


def rule(**extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "Urgent VPN",
        "trigger": "event",
        "events": ["created"],
        "conditions": {
            "match": "all",
            "items": [{"field": "priority", "op": "in", "value": [1, 2]}],
        },
        "actions": [{"type": "add_tags", "tags": ["urgent"]}],
    }
    data.update(extra)
    return data


def refused(data: dict[str, Any]) -> ServiceError:
    with pytest.raises(ServiceError) as info:
        validate_rule(data)
    return info.value


def test_catalogue_labels_are_translatable_text() -> None:
    assert "created" in EVENTS and "sla_breach" in EVENTS
    assert str(OPERATORS["changed_to"]) == "changed to"
    assert CONDITION_FIELDS["status"].tracked == "status"
    assert {"set_field", "assign", "webhook", "request_approval"} <= set(ACTIONS)


def test_a_valid_rule_comes_back_cleaned(desk: Desk) -> None:
    cleaned = validate_rule(rule(name="  Urgent VPN  ", kinds=["incident", "incident"]))
    assert cleaned["name"] == "Urgent VPN"
    assert cleaned["kinds"] == ["incident"]
    assert cleaned["wait"] == {}
    assert cleaned["actions"] == [{"type": "add_tags", "tags": ["urgent"]}]


def test_an_unknown_field_is_refused_with_its_path(desk: Desk) -> None:
    error = refused(
        rule(conditions={"match": "all", "items": [{"field": "colour", "op": "eq", "value": 1}]})
    )
    assert error.field == "conditions.items.0.field"
    assert error.code == "unknown_field"


def test_a_nested_wrong_value_type_is_refused_with_its_path(desk: Desk) -> None:
    conditions = {
        "match": "all",
        "items": [
            {"field": "kind", "op": "eq", "value": "incident"},
            {"match": "any", "items": [{"field": "title", "op": "contains", "value": 42}]},
        ],
    }
    error = refused(rule(conditions=conditions))
    assert error.field == "conditions.items.1.items.0.value"


def test_an_operator_the_field_lacks_is_refused(desk: Desk) -> None:
    error = refused(
        rule(conditions={"match": "all", "items": [{"field": "title", "op": "gt", "value": 3}]})
    )
    assert error.field == "conditions.items.0.op"
    assert error.code == "invalid_operator"


def test_change_tests_need_an_event_trigger(desk: Desk) -> None:
    error = refused(
        rule(
            trigger="scheduled",
            wait={"minutes": 60},
            conditions={"match": "all", "items": [{"field": "status", "op": "changed"}]},
        )
    )
    assert error.field == "conditions.items.0.op"


def test_groups_nest_at_most_three_deep(desk: Desk) -> None:
    deepest = {"match": "all", "items": [{"field": "restricted", "op": "eq", "value": True}]}
    conditions = {
        "match": "all",
        "items": [{"match": "any", "items": [{"match": "all", "items": [deepest]}]}],
    }
    error = refused(rule(conditions=conditions))
    assert error.field == "conditions.items.0.items.0.items.0"


def test_a_missing_group_id_is_refused(desk: Desk) -> None:
    error = refused(rule(actions=[{"type": "assign", "group": 999999}]))
    assert error.field == "actions.0.group"
    assert error.code == "not_found"


def test_an_unknown_user_in_a_condition_is_refused(desk: Desk) -> None:
    error = refused(
        rule(
            conditions={
                "match": "all",
                "items": [{"field": "assignee", "op": "in", "value": [desk.specialist.pk, 987654]}],
            }
        )
    )
    assert error.field == "conditions.items.0.value.1"


def test_an_agent_outside_the_group_is_refused(desk: Desk) -> None:
    error = refused(
        rule(
            actions=[
                {"type": "assign", "group": desk.network_hel.pk, "assignee": desk.other_agent.pk}
            ]
        )
    )
    assert error.field == "actions.0.assignee"


def test_a_status_the_kinds_never_reach_is_refused(desk: Desk) -> None:
    error = refused(
        rule(kinds=["incident"], actions=[{"type": "set_status", "status": "awaiting_approval"}])
    )
    assert error.field == "actions.0.status"
    assert error.code == "kind_lacks_status"
    validate_rule(
        rule(kinds=["request"], actions=[{"type": "set_status", "status": "awaiting_approval"}])
    )


def test_an_action_param_of_the_wrong_type_is_refused(desk: Desk) -> None:
    error = refused(rule(actions=[{"type": "set_field", "field": "impact", "value": "high"}]))
    assert error.field == "actions.0.value"
    error = refused(rule(actions=[{"type": "add_tags", "tags": "urgent"}]))
    assert error.field == "actions.0.tags"


def test_unknown_actions_params_and_placeholders_are_refused(desk: Desk) -> None:
    assert refused(rule(actions=[{"type": "explode"}])).field == "actions.0.type"
    assert (
        refused(rule(actions=[{"type": "add_note", "body": "x", "colour": 1}])).field
        == "actions.0.colour"
    )
    error = refused(rule(actions=[{"type": "add_note", "body": "Hi {{ticket.secret}}"}]))
    assert error.field == "actions.0.body"
    assert error.code == "unknown_placeholder"


def test_approval_needs_request_or_change_kinds(desk: Desk) -> None:
    error = refused(rule(kinds=[], actions=[{"type": "request_approval", "template": 1}]))
    assert error.field == "actions.0.type"


def test_events_wait_and_name_are_checked(desk: Desk) -> None:
    assert refused(rule(events=[])).field == "events"
    assert refused(rule(events=["exploded"])).field == "events.0"
    assert refused(rule(name=" ")).field == "name"
    assert refused(rule(trigger="scheduled", wait={"minutes": 0})).field == "wait.minutes"
    assert (
        refused(rule(trigger="scheduled", wait={"minutes": 5, "since": "x"})).field == "wait.since"
    )
    assert refused(rule(kinds=["spaceship"])).field == "kinds.0"
    assert refused(rule(actions=[])).field == "actions"


def test_durations_are_checked(desk: Desk) -> None:
    bad = {
        "match": "all",
        "items": [{"field": "time_since.created", "op": "more_than", "value": {"minutes": "ten"}}],
    }
    assert refused(rule(conditions=bad)).field == "conditions.items.0.value.minutes"
    good = {
        "match": "all",
        "items": [
            {
                "field": "time_since.created",
                "op": "more_than",
                "value": {"minutes": 10, "business": True},
            }
        ],
    }
    assert validate_rule(rule(conditions=good))["conditions"] == good


def test_send_email_to_an_address_needs_a_valid_one(desk: Desk) -> None:
    action = {"type": "send_email", "to": "address", "subject": "s", "body": "b"}
    assert refused(rule(actions=[action])).field == "actions.0.address"
    assert refused(rule(actions=[{**action, "address": "nope"}])).field == "actions.0.address"
    assert (
        validate_rule(rule(actions=[{**action, "address": "Boss@Acme.fi"}]))["actions"][0][
            "address"
        ]
        == "boss@acme.fi"
    )


def test_an_approval_template_must_fit_the_rules_kinds(desk: Desk) -> None:
    from tuki.approvals.services import create_template

    steps = [{"rule": "any", "users": [desk.lead.pk]}]
    changes_only = create_template(desk.admin, name="CAB", kinds=["change"], steps=steps)
    action = {"type": "request_approval", "template": changes_only.pk}
    error = refused(rule(kinds=["request", "change"], actions=[action]))
    assert error.field == "actions.0.template" and error.code == "kind_lacks_template"
    assert validate_rule(rule(kinds=["change"], actions=[action]))["actions"] == [action]
    assert refused(rule(kinds=[], actions=[action])).field == "actions.0.type"
