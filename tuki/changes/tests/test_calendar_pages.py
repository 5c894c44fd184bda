"""The change calendar, the window section and the blackout pages: per role, with query
budgets."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.changes import scheduling
from tuki.changes.models import BlackoutPeriod, Change
from tuki.changes.tests.calendar_fixtures import *  # noqa: F403
from tuki.changes.tests.calendar_fixtures import at, make_change
from tuki.cmdb import services as cmdb_services
from tuki.lib.testing import query_budget

AGENTS = ["operator", "specialist", "other_agent", "admin"]
NOT_AGENTS = ["requester", "outsider"]
MARCH = "/changes/calendar/?date=2030-03-04"


def test_the_month_shows_changes_blackouts_and_links_to_the_change(desk, plant):
    change = make_change(desk, "Patch db", [plant.db], at(10), at(12))
    scheduling.create_blackout(desk.admin, name="Quarter end", starts_at=at(0, 3), ends_at=at(0, 5))
    page = desk.client_for(desk.operator).get(MARCH)
    assert page.status_code == 200
    text = page.content.decode()
    assert f"CHG-{change.pk} Patch db" in text
    assert change.ticket.get_absolute_url() in text
    assert "Quarter end" in text and "chg-blackout" in text
    assert 'id="calendar-prev" href="?view=month&amp;date=2030-02-01"' in text


def test_the_week_view_and_the_item_filter(desk, plant):
    make_change(desk, "Patch db", [plant.db], at(10), at(12))
    make_change(desk, "Mail", [plant.other], at(10), at(12))
    cmdb_services.plan_maintenance(desk.admin, plant.db, starts_at=at(20), ends_at=at(22))
    client = desk.client_for(desk.operator)
    text = client.get(f"/changes/calendar/?view=week&date=2030-03-05&item={plant.db.pk}").content
    text = text.decode()
    assert "Patch db" in text and "Mail" not in text
    assert "Maintenance: db-01" in text
    assert 'id="calendar-next" href="?view=week&amp;date=2030-03-12&amp;item=' in text
    service = client.get(f"/changes/calendar/?date=2030-03-04&service={plant.app.pk}").content
    assert b"Patch db" in service and b"Mail" not in service


def test_the_calendar_shows_no_restricted_change_to_another_group(desk, plant):
    make_change(desk, "Secret", [plant.db], at(10), at(12), restricted=True, group=desk.network_hel)
    assert b"Secret" not in desk.client_for(desk.other_agent).get(MARCH).content
    assert b"Secret" in desk.client_for(desk.admin).get(MARCH).content


@pytest.mark.parametrize("role", NOT_AGENTS)
def test_requesters_get_no_calendar(desk, role):
    assert desk.client_for(getattr(desk, role)).get("/changes/calendar/").status_code == 404
    assert desk.client_for(getattr(desk, role)).get("/changes/blackouts/").status_code == 404


def test_anonymous_visitors_sign_in_first(desk):
    for url in ("/changes/calendar/", "/changes/blackouts/", "/changes/1/window/"):
        assert Client().get(url).status_code == 302


@pytest.mark.parametrize("role", AGENTS)
def test_agents_read_the_calendar_and_blackouts(desk, role):
    client = desk.client_for(getattr(desk, role))
    assert client.get("/changes/calendar/?view=week").status_code == 200
    assert client.get("/changes/blackouts/").status_code == 200


def test_the_calendar_has_a_query_budget(desk, plant):
    client = desk.client_for(desk.operator)
    client.get(MARCH)
    with query_budget(20) as few:
        client.get(MARCH)
    for hour in range(8):
        make_change(desk, f"C{hour}", [plant.db, plant.app], at(hour), at(hour + 30))
        scheduling.create_blackout(desk.admin, name=f"B{hour}", starts_at=at(hour), ends_at=at(30))
    with query_budget(len(few)) as many:
        page = client.get(MARCH)
    assert page.content.count(b"C7") >= 2 and len(many) == len(few)


class TestWindow:
    def url(self, change):
        return f"/changes/{change.pk}/window/"

    def test_the_section_shows_the_conflict_and_suggests_slots(self, desk, plant):
        other = make_change(desk, "Patch db", [plant.db], at(10), at(12))
        mine = make_change(desk, "Tune db", [plant.db], at(11), at(12))
        client = desk.client_for(desk.operator)
        with query_budget(28):
            page = client.get(self.url(mine))
        text = page.content.decode()
        assert page.status_code == 200
        assert f"CHG-{other.pk} is scheduled" in text
        assert "Use this slot" in text

    def test_posting_a_window_saves_it_and_shows_no_conflict(self, desk, plant):
        mine = make_change(desk, "Tune db", [plant.db])
        page = desk.client_for(desk.operator).post(
            self.url(mine),
            {"start": "2030-03-04T10:00", "end": "2030-03-04T11:00", "implementer": desk.lead.pk},
        )
        assert page.status_code == 200 and b"change-no-conflicts" in page.content
        mine.refresh_from_db()
        assert mine.planned_start == at(10) and mine.implementer == desk.lead

    def test_a_window_ending_before_it_starts_is_a_422_by_the_field(self, desk, plant):
        mine = make_change(desk, "Tune db", [plant.db])
        page = desk.client_for(desk.operator).post(
            self.url(mine), {"start": "2030-03-04T10:00", "end": "2030-03-04T09:00"}
        )
        assert page.status_code == 422
        assert b"The end must be after the start." in page.content
        assert Change.objects.get(pk=mine.pk).planned_start is None

    def test_another_group_cannot_see_a_restricted_changes_window(self, desk, plant):
        mine = make_change(desk, "Secret", [plant.db], restricted=True, group=desk.network_hel)
        client = desk.client_for(desk.other_agent)
        assert client.get(self.url(mine)).status_code == 404
        assert client.post(self.url(mine), {}).status_code == 404
        assert desk.client_for(desk.specialist).get(self.url(mine)).status_code == 200
        assert desk.client_for(desk.admin).get(self.url(mine)).status_code == 200

    def test_requesters_get_no_window(self, desk, plant):
        mine = make_change(desk, "Db", [plant.db])
        assert desk.client_for(desk.requester).get(self.url(mine)).status_code == 404

    def test_an_incident_has_no_window(self, desk, incident):
        assert desk.client_for(desk.admin).get(f"/changes/{incident.pk}/window/").status_code == 404


class TestBlackoutPages:
    def test_staff_create_edit_and_delete(self, desk, plant):
        client = desk.client_for(desk.admin)
        assert client.get("/changes/blackouts/new/").status_code == 200
        made = client.post(
            "/changes/blackouts/new/",
            {
                "name": "Sale",
                "kind": "freeze",
                "starts_at": "2030-03-04T00:00",
                "ends_at": "2030-03-05T00:00",
                "items": f"db-01, {plant.other.pk}",
                "allow_emergency": "on",
            },
        )
        assert made.status_code == 302
        blackout = BlackoutPeriod.objects.get()
        assert set(blackout.items.all()) == {plant.db, plant.other}
        assert client.get(f"/changes/blackouts/{blackout.pk}/").status_code == 200
        bad = client.post(
            f"/changes/blackouts/{blackout.pk}/",
            {
                "name": "Sale",
                "kind": "blackout",
                "starts_at": "2030-03-04T00:00",
                "ends_at": "2030-03-03T00:00",
                "items": "nowhere",
            },
        )
        assert bad.status_code == 422 and b"No such item: nowhere." in bad.content
        with query_budget(15):
            listing = client.get("/changes/blackouts/")
        assert b"Sale" in listing.content
        assert client.post(f"/changes/blackouts/{blackout.pk}/delete/").status_code == 302
        assert not BlackoutPeriod.objects.exists()

    @pytest.mark.parametrize("role", ["operator", "other_agent"])
    def test_agents_may_not_write_blackouts(self, desk, role):
        blackout = scheduling.create_blackout(
            desk.admin, name="Sale", starts_at=at(0), ends_at=at(1)
        )
        client = desk.client_for(getattr(desk, role))
        assert client.get("/changes/blackouts/new/").status_code == 403
        assert client.post(f"/changes/blackouts/{blackout.pk}/delete/").status_code == 403
        assert b"Sale" in client.get("/changes/blackouts/").content
