"""An item's service level: the policy its orders run under and the delivery it promises."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tuki.calendars.models import Calendar
from tuki.catalogue import delivery
from tuki.sla.models import Agreement, SlaPolicy, SlaTarget

pytestmark = pytest.mark.django_db

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")


def office() -> Calendar:
    return Calendar.objects.create(
        name="Office", time_zone="UTC", week={d: [["08:00", "16:00"]] for d in WEEKDAYS}
    )


def policy(name: str, minutes: int, calendar: Calendar, **conditions) -> SlaPolicy:
    made = SlaPolicy.objects.create(name=name, calendar=calendar, **conditions)
    for priority in range(1, 6):
        SlaTarget.objects.create(policy=made, priority=priority, resolution_minutes=minutes)
    return made


def test_no_policy_promises_nothing(desk, laptop):
    assert delivery.promise(laptop.item, desk.requester) is None
    page = desk.client_for(desk.admin).get(reverse("catalogue:console_item", args=[laptop.item.pk]))
    assert "No SLA policy sets a delivery target" in page.content.decode()
    order = desk.client_for(desk.requester).get(reverse("catalogue:order", args=[laptop.item.pk]))
    assert 'id="delivery-promise"' not in order.content.decode()


def test_a_request_policy_promises_its_target_in_working_time(desk, laptop):
    calendar = office()
    policy("Requests", 16 * 60, calendar, kinds=["request"])
    friday_noon = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    promised = delivery.promise(laptop.item, desk.requester, at=friday_noon)
    assert promised is not None
    assert promised.policy.name == "Requests" and promised.minutes == 960
    # Friday 12-16 (4 h), Monday 8-16 (8 h), Tuesday 8-12 (4 h).
    assert promised.due == datetime(2026, 12, 8, 12, 0, tzinfo=UTC)

    admin_page = desk.client_for(desk.admin).get(
        reverse("catalogue:console_item", args=[laptop.item.pk])
    )
    assert "“Requests”" in admin_page.content.decode()
    order = desk.client_for(desk.requester).get(reverse("catalogue:order", args=[laptop.item.pk]))
    html = order.content.decode()
    assert 'id="delivery-promise"' in html and "16 h" in html


def test_an_incident_policy_does_not_promise_a_request_item(desk, laptop):
    policy("Incidents", 240, office(), kinds=["incident"])
    assert delivery.promise(laptop.item, desk.requester) is None


def test_the_requesters_agreement_chooses_the_policy(desk, laptop):
    calendar = office()
    policy("Standard", 16 * 60, calendar, order=100)
    gold = policy("Gold", 4 * 60, calendar, order=200)
    Agreement.objects.create(name="Acme gold", organisation=desk.acme, policy=gold)
    assert delivery.promise(laptop.item, desk.requester).policy == gold
    assert delivery.promise(laptop.item, desk.outsider).policy.name == "Standard"
