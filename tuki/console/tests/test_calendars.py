from datetime import date

import pytest

from tuki.calendars.models import Calendar
from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import Agreement, SlaPolicy


def _form(**extra):
    data = {
        "name": "Bucharest office",
        "time_zone": "Europe/Bucharest",
        "week_mon": "08:00–12:00, 13:00–17:00",
        "week_tue": "08:00-16:00",
        "week_sat": "",
        "holiday_country": "ro",
        "extra_working_days": "2026-06-06 09:00–13:00",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, sla, role):
    client = desk.client_for(people[role])
    pk = sla.office.pk
    assert client.get("/console/calendars/").status_code == 404
    assert client.get(f"/console/calendars/{pk}/").status_code == 404
    assert client.post("/console/calendars/new/", _form()).status_code == 404
    assert client.post(f"/console/calendars/{pk}/closed/", {"day": "2026-12-24"}).status_code == 404
    assert client.post(f"/console/calendars/{pk}/closed/remove/", {"day": "x"}).status_code == 404
    assert client.post(f"/console/calendars/{pk}/delete/").status_code == 404
    assert not Calendar.objects.filter(name="Bucharest office").exists()
    assert Calendar.objects.filter(pk=pk, closed_days=[]).exists()


def test_anonymous_visitors_sign_in(client, sla):
    response = client.get("/console/calendars/")
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_the_calendars(desk, people, sla, role):
    client = desk.client_for(people[role])
    page = client.get("/console/calendars/").content.decode()
    assert "Helsinki office" in page and "08:00–16:00" in page
    edit = client.get(f"/console/calendars/{sla.office.pk}/")
    assert edit.status_code == 200
    assert edit.context["form"]["week_mon"].value() == "08:00–16:00"
    assert edit.context["form"]["week_sat"].value() == ""
    assert "SLA policy: Standard" in edit.content.decode()


def test_a_calendar_is_created_with_several_periods_a_day(desk, people):
    client = desk.client_for(people["staff"])
    response = client.post("/console/calendars/new/", _form())
    assert response.status_code == 302
    calendar = Calendar.objects.get(name="Bucharest office")
    assert calendar.week == {
        "mon": [["08:00", "12:00"], ["13:00", "17:00"]],
        "tue": [["08:00", "16:00"]],
    }
    assert calendar.time_zone == "Europe/Bucharest" and calendar.holiday_country == "RO"
    assert calendar.extra_working_days == {"2026-06-06": [["09:00", "13:00"]]}
    assert response["Location"] == f"/console/calendars/{calendar.pk}/"


def test_editing_keeps_the_closed_days(desk, people, sla):
    Calendar.objects.filter(pk=sla.office.pk).update(closed_days=["2026-12-24"])
    client = desk.client_for(people["admin"])
    response = client.post(
        f"/console/calendars/{sla.office.pk}/",
        _form(name="Helsinki office", time_zone="Europe/Helsinki", holiday_country="FI"),
    )
    assert response.status_code == 302
    sla.office.refresh_from_db()
    assert sla.office.closed_days == ["2026-12-24"]
    assert sla.office.week["mon"] == [["08:00", "12:00"], ["13:00", "17:00"]]


def test_bad_input_is_a_field_error_and_nothing_changes(desk, people, sla):
    client = desk.client_for(people["staff"])
    bad = _form(name="", week_mon="8 till 4", time_zone="Mars/Olympus", extra_working_days="x y")
    response = client.post(f"/console/calendars/{sla.office.pk}/", bad)
    assert response.status_code == 422
    assert {"name", "week_mon", "time_zone", "extra_working_days"} <= set(
        response.context["form"].errors
    )
    sla.office.refresh_from_db()
    assert sla.office.name == "Helsinki office" and sla.office.week["mon"] == [["08:00", "16:00"]]


def test_the_services_refusals_come_back_on_the_form(desk, people, sla):
    client = desk.client_for(people["staff"])
    overlapping = _form(week_mon="08:00–12:00, 11:00–13:00")
    response = client.post("/console/calendars/new/", overlapping)
    assert response.status_code == 422
    assert "overlaps" in str(response.context["form"].non_field_errors())
    taken = client.post("/console/calendars/new/", _form(name="helsinki OFFICE"))
    assert taken.status_code == 422 and taken.context["form"].errors["name"]
    country = client.post("/console/calendars/new/", _form(holiday_country="XX"))
    assert country.status_code == 422 and country.context["form"].errors["holiday_country"]
    assert not Calendar.objects.filter(name="Bucharest office").exists()


def test_closed_days_are_added_and_removed(desk, people, sla):
    client = desk.client_for(people["staff"])
    url = f"/console/calendars/{sla.office.pk}/closed/"
    assert client.post(url, {"day": "2026-12-24"}).status_code == 302
    assert client.post(url, {"day": "2026-12-31"}).status_code == 302
    sla.office.refresh_from_db()
    assert sla.office.closed_days == ["2026-12-24", "2026-12-31"]
    bad = client.post(url, {"day": "tomorrow"})
    assert bad.status_code == 422 and bad.context["day_form"].errors["day"]
    page = client.get(f"/console/calendars/{sla.office.pk}/").content.decode()
    assert 'value="2026-12-24"' in page
    removed = client.post(
        f"/console/calendars/{sla.office.pk}/closed/remove/", {"day": "2026-12-24"}
    )
    assert removed.status_code == 302
    sla.office.refresh_from_db()
    assert sla.office.closed_days == ["2026-12-31"]


def test_the_public_holidays_are_listed_with_their_names(desk, people, sla, frozen):
    Calendar.objects.filter(pk=sla.office.pk).update(holiday_country="FI")
    client = desk.client_for(people["staff"])
    page = client.get(f"/console/calendars/{sla.office.pk}/")
    holidays = dict(page.context["public_holidays"])
    assert date(2025, 12, 6) in holidays and date(2025, 1, 1) in holidays


def test_the_preview_counts_business_hours_on_the_calendar(desk, people, sla, frozen):
    # Monday 3 March 2025, 09:00 in Helsinki; office hours 08-16.
    client = desk.client_for(people["staff"])
    page = client.get(f"/console/calendars/{sla.office.pk}/")
    preview = page.context["preview"]
    assert preview["minutes"] == 240
    assert preview["end"].isoformat() == "2025-03-03T13:00:00+02:00"
    # Friday 14:30 + 4 h 15 min: 1 h 30 min on Friday, 2 h 45 min on Monday -> 10:45.
    chosen = client.get(
        f"/console/calendars/{sla.office.pk}/",
        {"start": "2025-03-07T14:30", "hours": "4", "minutes": "15"},
    )
    assert chosen.context["preview"]["end"].isoformat() == "2025-03-10T10:45:00+02:00"
    assert 'id="preview-result"' in chosen.content.decode()
    # A bad moment is a field error on the preview form, never a 500.
    bad = client.get(f"/console/calendars/{sla.office.pk}/", {"start": "soon", "hours": "x"})
    assert bad.status_code == 200 and bad.context["preview_form"].errors


def test_a_calendar_in_use_is_not_deleted_and_its_users_are_named(desk, people, sla):
    Agreement.objects.create(
        name="Acme SLA", organisation=desk.acme, calendar=sla.office, valid_from=date(2025, 1, 1)
    )
    client = desk.client_for(people["staff"])
    response = client.post(f"/console/calendars/{sla.office.pk}/delete/", follow=True)
    text = response.content.decode()
    assert "Still used by" in text and "SLA policy: Standard" in text and "Acme SLA" in text
    assert Calendar.objects.filter(pk=sla.office.pk).exists()


def test_an_unused_calendar_is_deleted_but_never_the_default(desk, people, sla):
    spare = Calendar.objects.create(name="Spare", week={"mon": [["08:00", "16:00"]]})
    client = desk.client_for(people["staff"])
    assert client.post(f"/console/calendars/{spare.pk}/delete/").status_code == 302
    assert not Calendar.objects.filter(pk=spare.pk).exists()
    default = Calendar.default()
    response = client.post(f"/console/calendars/{default.pk}/delete/", follow=True)
    assert "default calendar cannot be deleted" in response.content.decode()
    assert Calendar.objects.filter(pk=default.pk).exists()
    assert SlaPolicy.objects.filter(calendar=sla.office).exists()


def test_the_pages_have_query_budgets(desk, people, sla):
    client = desk.client_for(people["staff"])
    client.get("/console/calendars/")
    with query_budget(6) as few:
        client.get("/console/calendars/")
    for n in range(10):
        Calendar.objects.create(name=f"C{n}", week={"mon": [["08:00", "16:00"]]}, closed_days=[])
    with query_budget(6) as many:
        client.get("/console/calendars/")
    assert_same_count(few, many)
    with query_budget(15):
        client.get(f"/console/calendars/{sla.office.pk}/")
