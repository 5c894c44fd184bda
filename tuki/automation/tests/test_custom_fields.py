"""Custom fields in rules: conditions on "custom.<key>" per type, the "set a custom field"
action through the ticket service, validation with the field's own checks, the editor, and
configuration bundles."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import translation

from tuki.automation import forms as f
from tuki.automation.catalogue import condition_field
from tuki.automation.conditions import Context, condition_met
from tuki.automation.models import Rule, RuleRun
from tuki.automation.tests.test_engine import make_rule, new_ticket
from tuki.automation.validation import validate_rule
from tuki.bundles import services as bundles
from tuki.conftest import Desk
from tuki.lib.errors import ServiceError
from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, CustomField, Ticket, TicketEvent
from tuki.tickets.tests.test_api_support import client_as, error_fields, post

pytestmark = pytest.mark.django_db

DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy", "ro": "Disc SSD"}},
    {"value": "hdd", "label": "Hard disk", "labels": {"fi": "Kiintolevy", "ro": "Hard disc"}},
]


@pytest.fixture
def fields(desk: Desk) -> dict[str, CustomField]:
    made = [
        CustomField(
            key="disk",
            label="Disk",
            labels={"fi": "Levy", "ro": "Disc"},
            type="choice",
            choices=DISK,
        ),
        CustomField(key="ports", label="Ports", type="multi_choice", choices=DISK),
        CustomField(key="vip", label="VIP", labels={"fi": "VIP-asiakas"}, type="checkbox"),
        CustomField(key="room", label="Room", type="text"),
        CustomField(key="seats", label="Seats", type="number", validation={"min": 0}),
        CustomField(key="due", label="Due", type="date"),
        CustomField(key="buddy", label="Buddy", type="user"),
        CustomField(key="customer", label="Customer", type="organisation"),
    ]
    for field in made:
        field.save()
    return {field.key: field for field in made}


def ticket_with(desk: Desk, **custom: Any) -> Ticket:
    ticket = tickets.create_ticket(
        desk.operator, title="Laptop", requester=desk.requester, custom=custom
    )
    return Ticket.objects.with_related().get(pk=ticket.pk)


def met(ticket: Ticket, name: str, op: str, value: Any = None) -> bool:
    cond = {"field": f"custom.{name}", "op": op}
    if value is not None:
        cond["value"] = value
    return condition_met(cond, Context(ticket))


RULE: dict[str, Any] = {
    "name": "Custom",
    "events": ["created"],
    "conditions": {"match": "all", "items": []},
    "actions": [{"type": "add_tags", "tags": ["x"]}],
}


def with_condition(field: str, op: str, value: Any = None) -> dict[str, Any]:
    cond: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        cond["value"] = value
    return {**RULE, "conditions": {"match": "all", "items": [cond]}}


class TestConditions:
    def test_choice(self, desk, fields):
        ticket = ticket_with(desk, disk="ssd")
        assert met(ticket, "disk", "eq", "ssd") and not met(ticket, "disk", "ne", "ssd")
        assert met(ticket, "disk", "in", ["hdd", "ssd"]) and not met(ticket, "disk", "in", ["hdd"])
        assert met(ticket, "disk", "not_in", ["hdd"]) and met(ticket, "disk", "is_set")
        empty = ticket_with(desk)
        assert met(empty, "disk", "is_not_set") and not met(empty, "disk", "eq", "ssd")
        assert met(empty, "disk", "ne", "ssd")

    def test_multi_choice_contains(self, desk, fields):
        ticket = ticket_with(desk, ports=["ssd", "hdd"])
        assert met(ticket, "ports", "contains", "hdd")
        assert not met(ticket, "ports", "not_contains", "ssd")
        assert met(ticket_with(desk), "ports", "not_contains", "ssd")
        assert met(ticket_with(desk), "ports", "is_not_set")

    def test_checkbox_is_true_or_false(self, desk, fields):
        assert met(ticket_with(desk, vip=True), "vip", "eq", True)
        assert met(ticket_with(desk, vip=False), "vip", "eq", False)
        assert met(ticket_with(desk), "vip", "eq", False)  # never ticked: false
        assert not met(ticket_with(desk), "vip", "eq", True)

    def test_text(self, desk, fields):
        ticket = ticket_with(desk, room="B 204")
        assert met(ticket, "room", "contains", "b 2") and met(ticket, "room", "eq", "B 204")
        assert met(ticket, "room", "starts_with", "B") and not met(ticket, "room", "is_not_set")
        assert met(ticket_with(desk), "room", "is_not_set")

    def test_number(self, desk, fields):
        ticket = ticket_with(desk, seats=12)
        assert met(ticket, "seats", "gt", 10) and met(ticket, "seats", "lte", 12)
        assert not met(ticket, "seats", "lt", 12) and met(ticket, "seats", "eq", 12)
        assert met(ticket, "seats", "gte", 11.5)
        assert not met(ticket_with(desk), "seats", "gt", 0)  # no value: never compared

    def test_date_before_and_after(self, desk, fields):
        ticket = ticket_with(desk, due="2026-03-01")
        assert met(ticket, "due", "before", "2026-03-02") and not met(
            ticket, "due", "after", "2026-03-01"
        )
        assert met(ticket, "due", "after", "2026-02-28") and met(ticket, "due", "eq", "2026-03-01")
        assert not met(ticket_with(desk), "due", "before", "2030-01-01")

    def test_user_and_organisation_are_ids(self, desk, fields):
        ticket = ticket_with(desk, buddy=desk.specialist.pk, customer=desk.acme.pk)
        assert met(ticket, "buddy", "eq", desk.specialist.pk)
        assert met(ticket, "customer", "ne", desk.globex.pk)

    def test_a_deactivated_field_is_never_met(self, desk, fields):
        ticket = ticket_with(desk, disk="ssd")
        CustomField.objects.filter(key="disk").update(is_active=False)
        assert not met(ticket, "disk", "eq", "ssd")
        assert condition_field("custom.disk") is None

    def test_changed_to_watches_the_custom_event(self, desk, fields, committed):
        make_rule(
            desk,
            name="Fast disks",
            events=["updated"],
            conditions={
                "match": "all",
                "items": [{"field": "custom.disk", "op": "changed_to", "value": "ssd"}],
            },
            actions=[{"type": "add_tags", "tags": ["ssd"]}],
        )
        ticket = new_ticket(desk, committed)
        with committed():
            tickets.update_ticket(desk.operator, ticket, custom={"room": "A1"})
        assert not RuleRun.objects.exists()
        with committed():
            tickets.update_ticket(desk.operator, ticket, custom={"disk": "ssd"})
        assert RuleRun.objects.get().ok
        assert {t.name for t in ticket.tags.all()} == {"ssd"}


class TestAction:
    def test_set_custom_field_writes_through_the_service_as_the_rule(self, desk, fields, committed):
        make_rule(
            desk,
            name="Mark VIP",
            actions=[
                {"type": "set_custom_field", "field": "vip", "value": True},
                {"type": "set_custom_field", "field": "disk", "value": "hdd"},
            ],
        )
        made = new_ticket(desk, committed)
        run = RuleRun.objects.get()
        assert run.ok, run.error
        made.refresh_from_db()
        assert made.custom == {"vip": True, "disk": "hdd"}
        event = TicketEvent.objects.get(ticket=made, field="custom.disk")
        assert event.actor_kind == ActorKind.RULE and event.reason == "Mark VIP"
        assert event.new_value == "Hard disk"

    def test_a_field_deactivated_later_fails_the_run_not_the_request(self, desk, fields, committed):
        make_rule(
            desk,
            name="Mark VIP",
            actions=[
                {"type": "add_tags", "tags": ["seen"]},
                {"type": "set_custom_field", "field": "vip", "value": True},
            ],
        )
        CustomField.objects.filter(key="vip").update(is_active=False)
        made = new_ticket(desk, committed)
        run = RuleRun.objects.get()
        assert not run.ok and "vip" in run.error
        assert not made.tags.exists() and made.custom == {}  # all of the rule's actions or none

    def test_a_choice_removed_later_is_refused_by_the_service(self, desk, fields, committed):
        make_rule(desk, actions=[{"type": "set_custom_field", "field": "disk", "value": "hdd"}])
        field = fields["disk"]
        field.choices = DISK[:1]
        field.save()
        made = new_ticket(desk, committed)
        run = RuleRun.objects.get()
        assert not run.ok and run.error
        made.refresh_from_db()
        assert made.custom == {}


class TestValidation:
    @pytest.mark.parametrize(
        ("cond", "where", "code"),
        [
            ({"field": "custom.nope", "op": "eq", "value": "x"}, "field", "unknown_field"),
            ({"field": "custom.disk", "op": "eq", "value": "floppy"}, "value", "invalid_choice"),
            ({"field": "custom.disk", "op": "contains", "value": "ssd"}, "op", "invalid_operator"),
            (
                {"field": "custom.ports", "op": "contains", "value": "floppy"},
                "value",
                "invalid_choice",
            ),
            ({"field": "custom.vip", "op": "eq", "value": "yes"}, "value", "wrong_type"),
            ({"field": "custom.seats", "op": "gt", "value": "many"}, "value", "invalid"),
            ({"field": "custom.seats", "op": "gt", "value": -1}, "value", "min"),
            ({"field": "custom.due", "op": "before", "value": "soon"}, "value", "invalid"),
            ({"field": "custom.room", "op": "contains", "value": " "}, "value", "required"),
            ({"field": "custom.buddy", "op": "eq", "value": 99999999}, "value", "not_found"),
            ({"field": "custom.customer", "op": "eq", "value": "acme"}, "value", "wrong_type"),
        ],
    )
    def test_bad_conditions_name_the_value(self, desk, fields, cond, where, code):
        with pytest.raises(ServiceError) as caught:
            validate_rule(with_condition(cond["field"], cond["op"], cond.get("value")))
        assert caught.value.field == f"conditions.items.0.{where}"
        assert caught.value.code == code

    def test_good_conditions_are_kept_as_the_field_stores_them(self, desk, fields):
        cleaned = validate_rule(with_condition("custom.seats", "gte", "2,5"))
        assert cleaned["conditions"]["items"][0] == {
            "field": "custom.seats",
            "op": "gte",
            "value": 2.5,
        }
        assert validate_rule(with_condition("custom.vip", "eq", False))["conditions"]

    def test_the_action_value_is_checked_by_the_field(self, desk, fields):
        def refused(action: dict[str, Any]) -> tuple[str | None, str]:
            with pytest.raises(ServiceError) as caught:
                validate_rule({**RULE, "actions": [action]})
            return caught.value.field, caught.value.code

        assert refused({"type": "set_custom_field", "field": "nope", "value": "x"}) == (
            "actions.0.field",
            "unknown_field",
        )
        assert refused({"type": "set_custom_field", "field": "disk", "value": "floppy"}) == (
            "actions.0.value",
            "invalid_choice",
        )
        assert refused({"type": "set_custom_field", "field": "seats", "value": -2}) == (
            "actions.0.value",
            "min",
        )
        kept = validate_rule(
            {
                **RULE,
                "actions": [
                    {"type": "set_custom_field", "field": "ports", "value": ["hdd", "ssd"]}
                ],
            }
        )
        assert kept["actions"][0]["value"] == ["ssd", "hdd"]  # in the offered order

    def test_a_field_for_other_kinds_needs_the_rules_kinds_limited(self, desk, fields):
        CustomField.objects.create(key="rollback", label="Rollback", type="text", kinds=["change"])
        action = {"type": "set_custom_field", "field": "rollback", "value": "Restore"}
        with pytest.raises(ServiceError) as caught:
            validate_rule({**RULE, "actions": [action]})
        assert caught.value.code == "kind_lacks_field"
        assert validate_rule({**RULE, "kinds": ["change"], "actions": [action]})

    def test_the_api_answers_422_naming_the_field(self, desk, fields):
        body = with_condition("custom.disk", "eq", "floppy")
        response = post(client_as(desk, "admin"), "/automation/rules", body)
        assert response.status_code == 422
        assert error_fields(response) == ["conditions.items.0.value"]
        assert not Rule.objects.exists()


class TestEditor:
    def post_rule(self, desk: Desk, **extra: Any) -> Any:
        data = {
            "name": "Fast disks",
            "is_active": "on",
            "trigger": "event",
            "events": ["created"],
            "match": "all",
            "node": ["0"],
            "node-0-kind": "condition",
            "node-0-field": "custom.disk",
            "node-0-was": "custom.disk",
            "node-0-op": "in",
            "node-0-value": ["ssd", "hdd"],
            "action": ["0", "1"],
            "action-0-type": "set_custom_field",
            "action-0-field": "seats",
            "action-0-value": "4",
            "action-1-type": "set_custom_field",
            "action-1-field": "ports",
            "action-1-value": ["hdd"],
        }
        data.update(extra)
        return desk.client_for(desk.admin).post("/automation/new/", data)

    def test_a_rule_with_custom_fields_is_saved_from_the_editor(self, desk, fields):
        response = self.post_rule(desk)
        assert response.status_code == 302, response.content.decode()[:2000]
        rule = Rule.objects.get()
        assert rule.conditions["items"] == [
            {"field": "custom.disk", "op": "in", "value": ["ssd", "hdd"]}
        ]
        assert rule.actions == [
            {"type": "set_custom_field", "field": "seats", "value": 4},
            {"type": "set_custom_field", "field": "ports", "value": ["hdd"]},
        ]

    def test_a_bad_value_is_shown_next_to_its_row(self, desk, fields):
        response = self.post_rule(desk, **{"action-0-value": "-3"})
        assert response.status_code == 422
        assert "Enter at least 0." in response.content.decode()
        assert not Rule.objects.exists()

    def test_the_editor_offers_custom_fields_in_the_readers_language(self, desk, fields):
        rule = make_rule(
            desk,
            conditions={
                "match": "all",
                "items": [{"field": "custom.disk", "op": "eq", "value": "hdd"}],
            },
            actions=[{"type": "set_custom_field", "field": "disk", "value": "ssd"}],
        )
        desk.admin.language = "fi"
        desk.admin.save()
        with translation.override("fi"):
            page = desk.client_for(desk.admin).get(f"/automation/{rule.pk}/").content.decode()
        assert 'value="custom.disk"' in page and ">Levy<" in page
        assert ">VIP-asiakas<" in page and ">Kiintolevy<" in page and ">SSD-levy<" in page

    def test_field_options_have_a_custom_section(self, desk, fields):
        sections = dict(f.field_options([]))
        keys = [key for key, _label, _fits in sections["Custom fields"]]
        assert keys == sorted(f"custom.{k}" for k in fields)  # position, then key

    def test_query_budget_does_not_grow_with_custom_fields(self, desk, fields):
        rule = make_rule(
            desk,
            conditions={
                "match": "all",
                "items": [{"field": "custom.disk", "op": "eq", "value": "hdd"}],
            },
            actions=[{"type": "set_custom_field", "field": "customer", "value": desk.acme.pk}],
        )
        client = desk.client_for(desk.admin)

        def count(n: int) -> Queries:
            for i in range(CustomField.objects.count(), n):
                CustomField.objects.create(
                    key=f"extra_{i}", label=f"Extra {i}", type="choice", choices=DISK
                )
            client.get(f"/automation/{rule.pk}/")  # the definitions are read once per change
            with query_budget() as queries:
                assert client.get(f"/automation/{rule.pk}/").status_code == 200
            return queries

        assert_same_count(count(10), count(40))


def test_a_rule_with_custom_fields_round_trips_through_a_bundle(desk, fields):
    Rule.objects.create(
        name="VIP buddies",
        events=["created"],
        conditions={
            "match": "all",
            "items": [
                {"field": "custom.disk", "op": "in", "value": ["ssd"]},
                {"field": "custom.buddy", "op": "eq", "value": desk.specialist.pk},
            ],
        },
        actions=[
            {"type": "set_custom_field", "field": "customer", "value": desk.acme.pk},
            {"type": "set_custom_field", "field": "vip", "value": True},
        ],
    )
    bundle = bundles.export_bundle()
    row = next(r for r in bundle["sections"]["automation.Rule"] if r["name"] == "VIP buddies")
    assert row["conditions"]["items"][1]["value"] == desk.specialist.email  # a key, not an id
    assert row["actions"][0]["value"] == desk.acme.name
    Rule.objects.all().delete()
    report = bundles.import_bundle(bundle, apply=True)
    assert not getattr(report, "errors", None)
    rule = Rule.objects.get(name="VIP buddies")
    assert rule.conditions["items"][1]["value"] == desk.specialist.pk
    assert rule.actions == [
        {"type": "set_custom_field", "field": "customer", "value": desk.acme.pk},
        {"type": "set_custom_field", "field": "vip", "value": True},
    ]
