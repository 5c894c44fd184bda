"""The calendar admin: who gets in, and the service's checks shown next to the fields."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.calendars.models import Calendar

ADD = "/admin/calendars/calendar/add/"


def form(**change: object) -> dict[str, object]:
    values: dict[str, object] = {
        "name": "Bucharest office",
        "time_zone": "Europe/Bucharest",
        "week": json.dumps({"mon": [["09:00", "17:00"]]}),
        "holiday_country": "RO",
        "holiday_subdivision": "",
        "closed_days": "[]",
        "extra_working_days": "{}",
    }
    return values | change


@pytest.mark.parametrize(
    ("role", "status"),
    [("anonymous", 302), ("requester", 302), ("operator", 302), ("admin", 200)],
)
def test_add_page_per_role(desk, role, status) -> None:
    client = Client() if role == "anonymous" else desk.client_for(getattr(desk, role))
    assert client.get(ADD).status_code == status


def test_admin_creates_a_calendar_through_the_service(desk) -> None:
    response = desk.client_for(desk.admin).post(ADD, form(name=" Bucharest office "))
    assert response.status_code == 302
    calendar = Calendar.objects.get()
    assert calendar.name == "Bucharest office"
    assert calendar.week == {"mon": [["09:00", "17:00"]]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (
            {"week": json.dumps({"mon": [["09:00", "12:00"], ["11:00", "17:00"]]})},
            "week",
            "overlaps",
        ),
        ({"time_zone": "Europe/Nowhere"}, "time_zone", "Unknown time zone"),
        ({"holiday_country": "QQ"}, "holiday_country", "QQ"),
        ({"closed_days": json.dumps(["31.12.2026"])}, "closed_days", "not a date"),
        ({"week": "{}"}, "week", "24×7"),
        ({"week": "{not json"}, "week", "JSON"),
    ],
)
def test_bad_input_is_shown_by_field(desk, change, field, words) -> None:
    response = desk.client_for(desk.admin).post(ADD, form(**change))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert words in " ".join(errors[field])
    assert not Calendar.objects.exists()
