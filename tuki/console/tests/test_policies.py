import pytest
from django.db import connection

from tuki.console.tests.conftest import ALLOWED, REFUSED
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import Metric, SlaClock, SlaPolicy, SlaTarget
from tuki.sla.receivers import _Recompute
from tuki.sla.tests.conftest import hel
from tuki.tickets import services


def _form(sla, **extra):
    data = {
        "name": "Gold",
        "order": 10,
        "is_active": "on",
        "calendar": sla.office.pk,
        "warning_thresholds": "75, 90",
        "t1_first_response_h": "0",
        "t1_first_response_m": "30",
        "t1_resolution_h": "4",
        "t2_first_response_h": "1",
        "t2_resolution_h": "8",
        "t2_resolution_m": "30",
    }
    data.update(extra)
    return data


@pytest.mark.parametrize("role", REFUSED)
def test_who_is_not_an_administrator_gets_404(desk, people, sla, role):
    client = desk.client_for(people[role])
    assert client.get("/console/sla/policies/").status_code == 404
    assert client.get(f"/console/sla/policies/{sla.policy.pk}/").status_code == 404
    assert client.post("/console/sla/policies/new/", _form(sla)).status_code == 404
    assert not SlaPolicy.objects.filter(name="Gold").exists()


@pytest.mark.parametrize("role", ALLOWED)
def test_administrators_see_targets_in_hours(desk, people, sla, role):
    client = desk.client_for(people[role])
    assert "P1: 1 h / 8 h" in client.get("/console/sla/policies/").content.decode()
    page = client.get(f"/console/sla/policies/{sla.policy.pk}/")
    assert page.status_code == 200
    assert page.context["form"]["t3_resolution_h"].value() == 8


def test_targets_entered_in_hours_and_minutes_are_stored_in_minutes(desk, people, sla):
    client = desk.client_for(people["staff"])
    response = client.post(
        "/console/sla/policies/new/",
        _form(sla, organisations=[desk.acme.pk], priorities=["1", "2"], pause_statuses=[]),
    )
    assert response.status_code == 302
    gold = SlaPolicy.objects.get(name="Gold")
    targets = {t.priority: t for t in gold.targets.all()}
    assert set(targets) == {1, 2}
    assert (targets[1].first_response_minutes, targets[1].resolution_minutes) == (30, 240)
    assert (targets[2].first_response_minutes, targets[2].resolution_minutes) == (60, 510)
    assert targets[1].next_response_minutes is None
    assert list(gold.organisations.all()) == [desk.acme] and gold.priorities == [1, 2]
    assert gold.calendar == sla.office


def test_editing_moves_the_open_clocks_through_the_sla_service(
    desk, people, sla, frozen, django_capture_on_commit_callbacks
):
    ticket = services.create_ticket(desk.operator, title="VPN", requester=desk.requester)
    # The fixtures' rule changes would have been recomputed at their commit; forget them.
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if not isinstance(entry[1], _Recompute)
    ]
    frozen.at(hel(3, 9, 30))
    data = {"name": "Standard", "order": 100, "is_active": "on", "calendar": sla.office.pk}
    data |= {f"t{p}_resolution_h": "2" for p in range(1, 6)}
    client = desk.client_for(people["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/console/sla/policies/{sla.policy.pk}/", data)
    assert response.status_code == 302
    clock = SlaClock.objects.get(ticket=ticket, metric=Metric.RESOLUTION)
    assert clock.deadline == hel(3, 11)
    assert SlaTarget.objects.filter(policy=sla.policy, first_response_minutes=None).count() == 5


def test_bad_input_is_a_field_error_and_nothing_changes(desk, people, sla):
    client = desk.client_for(people["staff"])
    bad = _form(
        sla,
        name="",
        t1_first_response_h="-1",
        t1_first_response_m="75",
        t2_resolution_h="0",
        t2_resolution_m="0",
        warning_thresholds="75, lots",
        calendar="999999",
        kinds=["nonsense"],
    )
    response = client.post(f"/console/sla/policies/{sla.policy.pk}/", bad)
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert {"name", "t1_first_response_h", "t1_first_response_m", "t2_resolution_h"} <= set(errors)
    assert {"warning_thresholds", "calendar", "kinds"} <= set(errors)
    assert SlaTarget.objects.filter(policy=sla.policy).count() == 5


def test_a_refused_threshold_comes_back_on_its_field(desk, people, sla):
    client = desk.client_for(people["staff"])
    response = client.post("/console/sla/policies/new/", _form(sla, warning_thresholds="150"))
    assert response.status_code == 422
    assert response.context["form"].errors["warning_thresholds"]
    assert not SlaPolicy.objects.filter(name="Gold").exists()


def test_the_preview_counts_business_hours_on_the_policys_calendar(desk, people, sla, frozen):
    # Monday 3 March 2025, 09:00 in Helsinki; office hours 08-16: 8 h of resolution ends
    # on Tuesday at 09:00, the 1 h first response at 10:00 the same day.
    client = desk.client_for(people["staff"])
    page = client.get(f"/console/sla/policies/{sla.policy.pk}/")
    rows = page.context["preview"]["rows"]
    first, _next, resolution = rows[0]["due"]
    assert first.isoformat() == "2025-03-03T08:00:00+00:00"
    assert resolution.isoformat() == "2025-03-04T07:00:00+00:00"
    assert 'id="deadline-preview"' in page.content.decode()


def test_the_pages_have_query_budgets(desk, people, sla):
    client = desk.client_for(people["staff"])
    client.get("/console/sla/policies/")
    with query_budget(6) as few:
        client.get("/console/sla/policies/")
    for n in range(10):
        policy = SlaPolicy.objects.create(name=f"P{n}", calendar=sla.office)
        SlaTarget.objects.create(policy=policy, priority=1, first_response_minutes=30)
    with query_budget(6) as many:
        client.get("/console/sla/policies/")
    assert_same_count(few, many)
    with query_budget(20):
        client.get(f"/console/sla/policies/{sla.policy.pk}/")
