"""Each condition field and operator, evaluated on a ticket (and the same through SQL)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from tuki.automation.catalogue import CONDITION_FIELDS, OPERATORS
from tuki.automation.conditions import Context, matches, to_q
from tuki.automation.validation import validate_conditions
from tuki.calendars.models import Calendar
from tuki.conftest import Desk
from tuki.tickets import services as tickets
from tuki.tickets.models import Comment, Ticket

pytestmark = pytest.mark.django_db


def cond(field: str, op: str, value: Any = None) -> dict[str, Any]:
    item: dict[str, Any] = {"field": field, "op": op}
    if value is not None:
        item["value"] = value
    return {"match": "all", "items": [item]}


def check(ticket: Ticket, tree: dict[str, Any], **ctx: Any) -> bool:
    """Evaluate in Python, and check the SQL translation agrees where it says it is exact."""
    cleaned, _kinds = validate_conditions(tree)
    fresh = Ticket.objects.with_related().get(pk=ticket.pk)
    result = matches(cleaned, Context(fresh, **ctx))
    if not ctx:
        q, exact = to_q(cleaned, timezone.now())
        from tuki.automation.conditions import annotate_anchors

        in_sql = annotate_anchors(Ticket.objects.filter(pk=ticket.pk)).filter(q).exists()
        if exact:
            assert in_sql == result, tree
        elif result:
            assert in_sql, tree  # a looser filter never drops a match
    return result


@pytest.fixture
def ticket(desk: Desk, incident: Ticket) -> Ticket:
    tickets.update_ticket(desk.operator, incident, tags=["vpn", "Remote"])
    tickets.add_comment(desk.operator, incident, "Please restart the router")
    return Ticket.objects.with_related().get(pk=incident.pk)


def cases(desk: Desk) -> list[tuple[dict[str, Any], bool]]:
    d = desk
    return [
        (cond("kind", "eq", "incident"), True),
        (cond("kind", "ne", "incident"), False),
        (cond("kind", "in", ["request", "incident"]), True),
        (cond("kind", "not_in", ["request", "incident"]), False),
        (cond("status", "eq", "new"), True),
        (cond("status_category", "in", ["new", "open"]), True),
        (cond("priority", "eq", 3), True),
        (cond("priority", "gt", 2), True),
        (cond("priority", "gte", 4), False),
        (cond("priority", "lt", 4), True),
        (cond("priority", "lte", 2), False),
        (cond("impact", "eq", 2), True),
        (cond("urgency", "ne", 2), False),
        (cond("category", "eq", d.vpn.pk), True),
        (cond("category", "eq", d.vpn.parent_id), True),  # a category holds what is below it
        (cond("category", "not_in", [d.vpn.parent_id]), False),
        (cond("category", "is_set"), True),
        (cond("group", "eq", d.service_desk.pk), True),
        (cond("group", "not_in", [d.network_hel.pk]), True),
        (cond("assignee", "is_not_set"), True),
        (cond("assignee", "is_set"), False),
        (cond("assignee", "eq", d.operator.pk), False),
        (cond("owner_group", "eq", d.service_desk.pk), True),
        (cond("channel", "eq", "phone"), True),
        (cond("title", "contains", "vpn"), True),
        (cond("title", "not_contains", "vpn"), False),
        (cond("title", "starts_with", "VPN drops"), True),
        (cond("title", "eq", "VPN drops every few minutes"), True),
        (cond("description", "is_set"), True),
        (cond("description", "is_not_set"), False),
        (cond("tags", "contains", "remote"), True),
        (cond("tags", "not_contains", "vpn"), False),
        (cond("tags", "is_set"), True),
        (cond("restricted", "eq", False), True),
        (cond("text", "contains", "ROUTER"), True),
        (cond("text", "not_contains", "router"), False),
        (cond("organisation", "eq", d.acme.pk), True),
        (cond("organisation", "is_not_set"), False),
        (cond("organisation.name", "starts_with", "acme"), True),
        (cond("location", "eq", d.bucharest.pk), False),
        (cond("requester.email", "contains", "@acme.fi"), True),
        (cond("requester.organisation", "ne", d.globex.pk), True),
        (cond("requester.location", "in", [d.helsinki.pk]), True),
        (cond("requester.language", "eq", "fi"), False),
        (cond("requester.is_agent", "eq", False), True),
        (cond("time_since.created", "less_than", {"minutes": 60, "business": False}), True),
        (cond("time_since.created", "more_than", {"minutes": 60, "business": False}), False),
        (cond("time_since.updated", "less_than", {"minutes": 5}), True),
        (cond("time_since.status_changed", "more_than", {"minutes": 5}), False),
        (cond("time_since.last_reply", "less_than", {"minutes": 5}), True),
        # Never resolved, never asked (tuki/surveys/tests/test_rules.py answers one).
        (cond("survey.score", "is_not_set"), True),
        (cond("survey.score", "lte", 2), False),
    ]


def test_every_operator_and_field_case(desk: Desk, ticket: Ticket) -> None:
    for tree, expected in cases(desk):
        assert check(ticket, tree) is expected, tree


def test_the_cases_cover_every_field_and_operator(desk: Desk) -> None:
    fields = {tree["items"][0]["field"] for tree, _e in cases(desk)}
    ops = {tree["items"][0]["op"] for tree, _e in cases(desk)}
    assert set(CONDITION_FIELDS) - fields == {"business_hours"}  # tested below with a calendar
    # Changes: test_engine.py; before/after (dates of custom fields): test_custom_fields.py.
    assert set(OPERATORS) - ops == {"changed", "changed_from", "changed_to", "before", "after"}


def test_all_and_any_groups_nest(desk: Desk, ticket: Ticket) -> None:
    tree = {
        "match": "all",
        "items": [
            {"field": "kind", "op": "eq", "value": "incident"},
            {
                "match": "any",
                "items": [
                    {"field": "priority", "op": "eq", "value": 1},
                    {
                        "match": "all",
                        "items": [{"field": "tags", "op": "contains", "value": "vpn"}],
                    },
                ],
            },
        ],
    }
    assert check(ticket, tree)
    tree["items"][1]["items"][1]["items"][0]["value"] = "printer"
    assert not check(ticket, tree)
    assert check(ticket, {"match": "all", "items": []})


def office_calendar() -> Calendar:
    """Mon-Fri 08:00-16:00 Helsinki time, the default calendar."""
    Calendar.objects.update(is_default=False)
    return Calendar.objects.create(
        name="Helsinki office",
        time_zone="Europe/Helsinki",
        week={day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
        is_default=True,
    )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def test_business_hours_follow_the_tickets_calendar(desk: Desk, ticket: Ticket) -> None:
    office_calendar()
    tuesday_noon = at("2026-11-24T12:00:00+02:00")
    sunday_noon = at("2026-11-22T12:00:00+02:00")
    assert check(ticket, cond("business_hours", "eq", True), now=tuesday_noon)
    assert not check(ticket, cond("business_hours", "eq", True), now=sunday_noon)
    assert check(ticket, cond("business_hours", "eq", False), now=sunday_noon)


def test_time_since_in_business_minutes(desk: Desk, ticket: Ticket) -> None:
    office_calendar()
    friday_15 = at("2026-11-20T15:00:00+02:00")
    Ticket.objects.filter(pk=ticket.pk).update(created_at=friday_15)
    Comment.objects.filter(ticket=ticket).update(created_at=friday_15)
    monday_9 = friday_15 + timedelta(days=2, hours=18)  # 66 wall hours, 2 business hours
    business = cond("time_since.created", "more_than", {"minutes": 119, "business": True})
    assert check(ticket, business, now=monday_9)
    business["items"][0]["value"]["minutes"] = 121
    assert not check(ticket, business, now=monday_9)
    wall = cond("time_since.created", "more_than", {"minutes": 60 * 65, "business": False})
    assert check(ticket, wall, now=monday_9)


def test_text_tests_fold_case_beyond_ascii(desk: Desk) -> None:
    ticket = tickets.create_ticket(
        desk.operator, title="ÄÄNIKORTTI RIKKI", requester=desk.requester
    )
    assert check(ticket, cond("title", "contains", "äänikortti"))
    assert check(ticket, cond("title", "starts_with", "ääni"))
    assert not check(ticket, cond("title", "not_contains", "rikki"))
    assert check(ticket, cond("text", "contains", "Äänikortti"))
