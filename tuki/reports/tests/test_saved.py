"""Saved reports: saved from the page through the service, listed, opened, deleted; private
unless shared."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from tuki.lib.errors import ServiceError
from tuki.reports import saving
from tuki.reports.models import SavedReport, Schedule
from tuki.reports.tests.pages import MARCH, World


def _save(client, name="Channels", indicator="volume", query=f"{MARCH}&by=channel&kind=incident"):
    return client.post(
        "/reports/saved/new/",
        {"indicator": indicator, "query": query, "name": name, "schedule": ""},
    )


def test_saving_keeps_filters_breakdown_and_period(world: World):
    client = world.client(world.manager)
    response = _save(client)
    report = SavedReport.objects.get()
    assert response.status_code == 302
    assert report.owner == world.manager and report.indicator == "volume"
    assert report.by == "channel" and report.filters["kind"] == "incident"
    assert report.period == "custom" and report.filters["start"] == "2026-03-01"
    opened = client.get(f"/reports/saved/{report.pk}/")
    assert opened.status_code == 302 and opened["Location"].startswith("/reports/volume/?")
    assert "by=channel" in opened["Location"] and "kind=incident" in opened["Location"]
    assert client.get(opened["Location"]).status_code == 200


def test_a_relative_period_stays_relative(world: World):
    _save(world.client(world.manager), query="period=last_month")
    assert SavedReport.objects.get().period == "last_month"


def test_a_duplicate_name_is_a_field_error(world: World):
    client = world.client(world.manager)
    _save(client)
    response = _save(client)
    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert SavedReport.objects.count() == 1


def test_private_reports_are_their_owners_and_shared_ones_everyones(world: World):
    mine = saving.save_report(world.manager, name="Mine", indicator="volume")
    shared = saving.save_report(world.manager, name="Ours", indicator="volume", shared=True)
    other = world.client(world.analyst)
    assert other.get(f"/reports/saved/{mine.pk}/").status_code == 404
    assert other.get(f"/reports/saved/{shared.pk}/").status_code == 302
    assert other.post(f"/reports/saved/{shared.pk}/delete/").status_code == 403
    assert other.post(f"/reports/saved/{mine.pk}/delete/").status_code == 404
    listed = [r.name for r in other.get("/reports/saved/").context["reports"]]
    assert listed == ["Ours"]
    assert world.client(world.manager).post(f"/reports/saved/{mine.pk}/delete/").status_code == 302
    assert not SavedReport.objects.filter(pk=mine.pk).exists()


def test_the_service_refuses_what_is_not_allowed(world: World):
    with pytest.raises(PermissionDenied):
        saving.save_report(world.desk.operator, name="x")
    with pytest.raises(ServiceError) as error:
        saving.save_report(world.manager, name="x", indicator="nope")
    assert error.value.field == "indicator"
    with pytest.raises(ServiceError) as error:
        saving.save_report(
            world.manager, name="x", schedule=Schedule.WEEKLY, recipients=[world.desk.operator]
        )
    assert error.value.field == "recipients"
    assert not SavedReport.objects.exists()


def test_requesters_and_agents_without_permission_cannot_save(world: World):
    assert _save(world.client(world.desk.requester)).status_code == 404
    assert _save(world.client(world.desk.operator)).status_code == 403
    assert not SavedReport.objects.exists()
