"""The rules API: administrators only, refused rules are a 422 naming the field path."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.automation.models import Rule
from tuki.conftest import Desk
from tuki.tickets.models import Ticket
from tuki.tickets.tests.test_api_support import (
    API,
    ROLES,
    client_as,
    error_fields,
    get,
    patch,
    post,
)

pytestmark = pytest.mark.django_db

ALLOWED = {"anonymous": 401, "bad_token": 401, "admin": None}  # everyone else: 403

RULE: dict[str, Any] = {
    "name": "Tag VPN",
    "events": ["created"],
    "conditions": {"match": "all", "items": [{"field": "title", "op": "contains", "value": "vpn"}]},
    "actions": [{"type": "add_tags", "tags": ["vpn"]}],
}


def expected(role: str, ok: int) -> int:
    return ALLOWED.get(role, 403) or ok


@pytest.fixture
def rule(desk: Desk) -> Rule:
    from tuki.automation import services

    return services.create_rule(desk.admin, **RULE)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_list_and_read_rules(desk: Desk, rule: Rule, role: str) -> None:
    client = client_as(desk, role)
    assert get(client, "/automation/rules").status_code == expected(role, 200)
    assert get(client, f"/automation/rules/{rule.pk}").status_code == expected(role, 200)
    assert get(client, f"/automation/rules/{rule.pk}/runs").status_code == expected(role, 200)
    assert get(client, "/automation/schema").status_code == expected(role, 200)


@pytest.mark.parametrize("role", ROLES)
def test_who_may_write_rules(desk: Desk, rule: Rule, role: str) -> None:
    client = client_as(desk, role)
    created = post(client, "/automation/rules", {**RULE, "name": "Another"})
    assert created.status_code == expected(role, 201)
    changed = patch(client, f"/automation/rules/{rule.pk}", {"position": 7})
    assert changed.status_code == expected(role, 200)
    preview = post(client, "/automation/rules/preview", {"conditions": RULE["conditions"]})
    assert preview.status_code == expected(role, 200)
    deleted = client.delete(f"{API}/automation/rules/{rule.pk}")
    assert deleted.status_code == expected(role, 204)
    assert Rule.objects.filter(pk=rule.pk).exists() == (role != "admin")


def test_staff_who_are_not_superusers_manage_rules(desk: Desk) -> None:
    desk.lead.is_staff = True
    desk.lead.save()
    response = post(client_as(desk, "lead"), "/automation/rules", RULE)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Tag VPN" and body["trigger"] == "event" and body["kinds"] == []
    assert Rule.objects.get().created_by == desk.lead


def test_create_read_update_and_order(desk: Desk) -> None:
    admin = client_as(desk, "admin")
    first = post(admin, "/automation/rules", {**RULE, "position": 20}).json()
    second = post(admin, "/automation/rules", {**RULE, "name": "B", "position": 10}).json()
    names = [r["name"] for r in get(admin, "/automation/rules").json()]
    assert names == ["B", "Tag VPN"]
    changed = patch(
        admin, f"/automation/rules/{first['id']}", {"position": 5, "stop_processing": True}
    )
    assert changed.status_code == 200 and changed.json()["stop_processing"] is True
    assert [r["id"] for r in get(admin, "/automation/rules").json()] == [first["id"], second["id"]]
    assert get(admin, f"/automation/rules/{first['id']}").json()["conditions"] == RULE["conditions"]
    assert get(admin, "/automation/rules/999999").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**RULE, "name": ""}, "name"),
        ({**RULE, "events": ["exploded"]}, "events.0"),
        (
            {
                **RULE,
                "conditions": {
                    "match": "all",
                    "items": [{"field": "colour", "op": "eq", "value": 1}],
                },
            },
            "conditions.items.0.field",
        ),
        (
            {
                **RULE,
                "conditions": {
                    "match": "all",
                    "items": [{"field": "priority", "op": "eq", "value": "high"}],
                },
            },
            "conditions.items.0.value",
        ),
        (
            {
                **RULE,
                "conditions": {
                    "match": "all",
                    "items": [{"field": "title", "op": "gt", "value": 1}],
                },
            },
            "conditions.items.0.op",
        ),
        ({**RULE, "actions": [{"type": "assign", "group": 999999}]}, "actions.0.group"),
        (
            {**RULE, "actions": [{"type": "set_field", "field": "impact", "value": 9}]},
            "actions.0.value",
        ),
        ({**RULE, "actions": [{"type": "webhook", "webhook": 999999}]}, "actions.0.webhook"),
        ({**RULE, "actions": [{"type": "run_macro", "macro": 999999}]}, "actions.0.macro"),
        ({**RULE, "trigger": "scheduled", "wait": {"minutes": -1}}, "wait.minutes"),
        ({**RULE, "trigger": "sometimes"}, "trigger"),
        ({**RULE, "conditions": "everything"}, "conditions"),
        ({**RULE, "position": -3}, "position"),
    ],
)
def test_bad_rules_are_a_422_naming_the_field(desk: Desk, body: dict[str, Any], field: str) -> None:
    response = post(client_as(desk, "admin"), "/automation/rules", body)
    assert error_fields(response) == [field]
    detail = response.json()["detail"][0]
    assert detail["msg"] and detail["type"]
    assert not Rule.objects.exists()


def test_a_duplicate_name_is_refused(desk: Desk, rule: Rule) -> None:
    response = post(client_as(desk, "admin"), "/automation/rules", {**RULE, "name": "tag vpn"})
    assert error_fields(response) == ["name"]


def test_a_bad_change_leaves_the_rule_as_it_was(desk: Desk, rule: Rule) -> None:
    body = {"name": "Renamed", "actions": [{"type": "add_tags"}]}
    response = patch(client_as(desk, "admin"), f"/automation/rules/{rule.pk}", body)
    assert error_fields(response) == ["actions.0.tags"]
    rule.refresh_from_db()
    assert rule.name == "Tag VPN" and rule.actions == RULE["actions"]


def test_preview_counts_the_open_tickets_that_match(desk: Desk, incident: Ticket) -> None:
    from tuki.tickets import services as tickets

    tickets.create_ticket(desk.operator, title="Printer jam", requester=desk.requester)
    done = tickets.create_ticket(desk.operator, title="VPN again", requester=desk.requester)
    tickets.resolve_ticket(desk.operator, done, code="solved")
    response = post(
        client_as(desk, "admin"), "/automation/rules/preview", {"conditions": RULE["conditions"]}
    )
    body = response.json()
    assert body["count"] == 1 and body["exact"] is True
    assert [t["number"] for t in body["tickets"]] == [incident.number]
    bad = post(
        client_as(desk, "admin"),
        "/automation/rules/preview",
        {"conditions": {"items": [{"field": "x"}]}},
    )
    assert error_fields(bad) == ["conditions.items.0.field"]


def test_the_schema_lists_what_rules_are_built_from(desk: Desk) -> None:
    body = get(client_as(desk, "admin"), "/automation/schema").json()
    assert {"created", "sla_breach"} <= {e["key"] for e in body["events"]}
    status = next(f for f in body["fields"] if f["key"] == "status")
    assert (
        "changed_to" in status["operators"]
        and {"value": "new", "label": "New"} in status["choices"]
    )
    assign = next(a for a in body["actions"] if a["key"] == "assign")
    assert [p["key"] for p in assign["params"]] == ["group", "assignee"]


def test_a_rules_runs(desk: Desk, rule: Rule, django_capture_on_commit_callbacks: Any) -> None:
    from tuki.tickets import services as tickets

    with django_capture_on_commit_callbacks(execute=True):
        ticket = tickets.create_ticket(desk.operator, title="VPN down", requester=desk.requester)
    runs = get(client_as(desk, "admin"), f"/automation/rules/{rule.pk}/runs").json()
    assert [(r["ticket"], r["ok"], r["changes"]) for r in runs] == [(ticket.number, True, ["+vpn"])]
