"""/api/v1/sla/calendars: roles, creation, bad input by field, the deadline calculator."""

from __future__ import annotations

from typing import Any

import pytest

from tuki.calendars.models import Calendar
from tuki.calendars.services import CalendarInput, create_calendar
from tuki.tickets.tests.test_api_support import API, ROLES, client_as, error_fields, get, post

OFFICE = [["08:00", "16:00"]]
HELSINKI_BODY = {
    "name": "Helsinki office",
    "time_zone": "Europe/Helsinki",
    "week": {day: OFFICE for day in ("mon", "tue", "wed", "thu", "fri")},
    "holidays": ["2026-12-31", "2026-12-24"],
    "holiday_country": "FI",
}
READ = {"anonymous": 401, "bad_token": 401, "requester": 403, "colleague": 403, "outsider": 403}
READ |= {"operator": 200, "specialist": 200, "other_agent": 200, "admin": 200}
WRITE = READ | {"operator": 403, "specialist": 403, "other_agent": 403, "admin": 201}


@pytest.fixture
def helsinki(desk: Any) -> Calendar:
    data = CalendarInput(**{k: v for k, v in HELSINKI_BODY.items()})
    return create_calendar(desk.admin, data)


@pytest.mark.parametrize("role", ROLES)
def test_listing_per_role(desk, helsinki, role) -> None:
    response = get(client_as(desk, role), "/sla/calendars")
    assert response.status_code == READ[role]
    if response.status_code == 200:
        assert [c["name"] for c in response.json()] == ["Helsinki office"]


@pytest.mark.parametrize("role", ROLES)
def test_reading_one_per_role(desk, helsinki, role) -> None:
    response = get(client_as(desk, role), f"/sla/calendars/{helsinki.pk}")
    assert response.status_code == READ[role]


@pytest.mark.parametrize("role", ROLES)
def test_calculator_per_role(desk, helsinki, role) -> None:
    client = client_as(desk, role)
    path = f"/sla/calendars/{helsinki.pk}"
    deadline = get(client, path + "/deadline", start="2026-03-06T15:00:00+02:00", minutes=120)
    elapsed = get(client, path + "/elapsed", start="2026-03-06T15:00:00Z", end="2026-03-09T12:00Z")
    assert deadline.status_code == elapsed.status_code == READ[role]


@pytest.mark.parametrize("role", ROLES)
def test_creating_per_role(desk, role) -> None:
    response = post(client_as(desk, role), "/sla/calendars", HELSINKI_BODY)
    assert response.status_code == WRITE[role]
    assert Calendar.objects.exists() == (WRITE[role] == 201)


@pytest.mark.parametrize("role", ROLES)
def test_replacing_per_role(desk, helsinki, role) -> None:
    client = client_as(desk, role)
    body = HELSINKI_BODY | {"name": "Helsinki HQ"}
    response = client.put(
        f"{API}/sla/calendars/{helsinki.pk}", data=body, content_type="application/json"
    )
    assert response.status_code == {**WRITE, "admin": 200}[role]
    helsinki.refresh_from_db()
    assert (helsinki.name == "Helsinki HQ") == (role == "admin")


def test_created_calendar_is_returned_whole(desk) -> None:
    response = post(client_as(desk, "admin"), "/sla/calendars", HELSINKI_BODY)
    body = response.json()
    assert response.status_code == 201
    assert body["time_zone"] == "Europe/Helsinki"
    assert body["week"]["mon"] == OFFICE and "sat" not in body["week"]
    assert body["holidays"] == ["2026-12-24", "2026-12-31"]
    assert body["holiday_country"] == "FI"
    assert body["always_open"] is False
    assert get(client_as(desk, "operator"), f"/sla/calendars/{body['id']}").json() == body


def test_missing_calendar_is_404(desk) -> None:
    assert get(client_as(desk, "operator"), "/sla/calendars/999").status_code == 404


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"week": {"mon": [["08:00", "12:00"], ["11:00", "16:00"]]}}, "week"),
            ({"week": {"sun": [["22:00", "06:00"]], "mon": [["05:00", "09:00"]]}}, "week"),
            ({"week": {"mon": [["8", "16:00"]]}}, "week"),
            ({"week": {"mon": [["08:00", "25:00"]]}}, "week"),
            ({"week": {"mon": [["24:00", "08:00"]]}}, "week"),
            ({"week": {"mon": [["08:00"]]}}, "week"),
            ({"week": {"monday": OFFICE}}, "week"),
            ({"week": {}}, "week"),
            ({"time_zone": "Europe/Atlantis"}, "time_zone"),
            ({"holiday_country": "XX"}, "holiday_country"),
            ({"holiday_subdivision": "99"}, "holiday_subdivision"),
            ({"holidays": ["2026-02-30"]}, "holidays"),
            (
                {"extra_working_days": {"2026-06-06": [["09:00", "13:00"], ["12:00", "14:00"]]}},
                "extra_working_days",
            ),
            ({"name": "  "}, "name"),
        ],
    )
    def test_is_refused_by_field(self, desk, change, field) -> None:
        response = post(client_as(desk, "admin"), "/sla/calendars", HELSINKI_BODY | change)
        assert error_fields(response) == [field]
        assert not Calendar.objects.exists()

    def test_overlap_message_names_both_periods(self, desk) -> None:
        week = {"sun": [["22:00", "06:00"]], "mon": [["05:00", "09:00"]]}
        response = post(client_as(desk, "admin"), "/sla/calendars", HELSINKI_BODY | {"week": week})
        assert (
            response.json()["detail"][0]["msg"] == "Monday 05:00–09:00 overlaps Sunday 22:00–06:00."
        )

    def test_malformed_body_is_422_not_500(self, desk) -> None:
        response = post(client_as(desk, "admin"), "/sla/calendars", {"name": "x", "week": "always"})
        assert error_fields(response) == ["week"]

    def test_duplicate_name(self, desk, helsinki) -> None:
        response = post(client_as(desk, "admin"), "/sla/calendars", HELSINKI_BODY)
        assert error_fields(response) == ["name"]

    def test_empty_week_is_fine_for_24x7(self, desk) -> None:
        body = {"name": "Always", "week": {}, "always_open": True}
        assert post(client_as(desk, "admin"), "/sla/calendars", body).status_code == 201

    def test_night_shift_and_24_00_are_fine(self, desk) -> None:
        week = {"mon": [["00:00", "06:00"], ["22:00", "24:00"]], "tue": [["22:00", "06:00"]]}
        body = HELSINKI_BODY | {"week": week}
        assert post(client_as(desk, "admin"), "/sla/calendars", body).status_code == 201


class TestCalculator:
    def test_deadline_skips_the_weekend(self, desk, helsinki) -> None:
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{helsinki.pk}/deadline",
            start="2026-03-06T15:00:00+02:00",
            minutes=120,
        )
        assert response.json() == {"deadline": "2026-03-09T07:00:00Z"}

    def test_deadline_skips_a_custom_holiday_and_christmas(self, desk, helsinki) -> None:
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{helsinki.pk}/deadline",
            start="2026-12-23T15:00:00+02:00",
            minutes=120,
        )
        # 24-26 Dec are Finnish holidays, the 31st a custom one: Monday 28th 09:00.
        assert response.json() == {"deadline": "2026-12-28T07:00:00Z"}

    def test_naive_start_is_in_the_calendars_zone_and_lost_plus_is_repaired(
        self, desk, helsinki
    ) -> None:
        client = client_as(desk, "operator")
        path = f"/sla/calendars/{helsinki.pk}/deadline"
        naive = get(client, path, start="2026-03-06T15:00", minutes=120).json()
        spaced = get(client, path, start="2026-03-06T15:00 02:00", minutes=120).json()
        assert naive == spaced == {"deadline": "2026-03-09T07:00:00Z"}

    def test_elapsed_over_a_weekend(self, desk, helsinki) -> None:
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{helsinki.pk}/elapsed",
            start="2026-03-06T13:00:00Z",
            end="2026-03-09T08:30:00Z",
        )
        assert response.json() == {"minutes": 210.0}  # Fri 15-16 and Mon 08-10:30 local

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start": "yesterday", "minutes": 10}, "start"),
            ({"start": "2026-03-06T15:00Z", "minutes": -5}, "minutes"),
            ({"start": "2026-03-06T15:00Z", "minutes": 10**9}, "minutes"),
            ({"start": "2026-03-06T15:00Z", "minutes": "many"}, "minutes"),
            ({"minutes": 10}, "start"),
        ],
    )
    def test_bad_deadline_query(self, desk, helsinki, params, field) -> None:
        response = get(
            client_as(desk, "operator"), f"/sla/calendars/{helsinki.pk}/deadline", **params
        )
        assert error_fields(response) == [field]

    def test_end_before_start_is_refused(self, desk, helsinki) -> None:
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{helsinki.pk}/elapsed",
            start="2026-03-09T08:00Z",
            end="2026-03-06T08:00Z",
        )
        assert error_fields(response) == ["end"]

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"start": "2026-01-01T00:00Z", "end": "2046-01-01T00:00Z"}, "end"),
            ({"start": "0001-01-01T00:00Z", "end": "0001-01-02T00:00Z"}, "start"),
            ({"start": "2026-01-01T00:00Z", "end": "soon"}, "end"),
        ],
    )
    def test_bad_elapsed_query(self, desk, helsinki, params, field) -> None:
        response = get(
            client_as(desk, "operator"), f"/sla/calendars/{helsinki.pk}/elapsed", **params
        )
        assert error_fields(response) == [field]

    def test_deadline_beyond_the_calendar_is_refused(self, desk, helsinki) -> None:
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{helsinki.pk}/deadline",
            start="9999-12-30T00:00Z",
            minutes=10_000,
        )
        assert error_fields(response) == ["start"]

    def test_deadline_on_a_calendar_without_time_is_refused(self, desk) -> None:
        # A row written around the service (by hand, say) with no working time at all.
        calendar = Calendar.objects.create(name="Never", week={}, always_open=False)
        response = get(
            client_as(desk, "operator"),
            f"/sla/calendars/{calendar.pk}/deadline",
            start="2026-01-01T00:00Z",
            minutes=10,
        )
        assert error_fields(response) == ["minutes"]
