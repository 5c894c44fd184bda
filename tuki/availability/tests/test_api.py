"""GET /api/v1/availability and POST /api/v1/availability/outages: per role, figures, field
errors as 422."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from tuki.availability import services
from tuki.availability.models import Outage

pytestmark = pytest.mark.django_db

URL = "/api/v1/availability"


@pytest.mark.parametrize("who", ["operator", "specialist", "other_agent", "admin"])
def test_agents_read_the_figures(desk, catalogue, who):
    answer = desk.client_for(getattr(desk, who)).get(URL)
    assert answer.status_code == 200
    names = [s["name"] for s in answer.json()["services"]]
    assert names == ["E-mail", "VPN"]


@pytest.mark.parametrize("who", ["requester", "colleague", "outsider"])
def test_requesters_get_404(desk, catalogue, who):
    client = desk.client_for(getattr(desk, who))
    assert client.get(URL).status_code == 404
    body = {"service": catalogue.vpn.pk, "starts_at": timezone.now().isoformat(), "title": "x"}
    answer = client.post(f"{URL}/outages", body, content_type="application/json")
    assert answer.status_code == 404
    assert not Outage.objects.exists()


def test_anonymous_callers_are_refused(client, desk, catalogue):
    assert client.get(URL).status_code == 401


def test_a_week_for_a_client_with_its_calendar_and_target(desk, catalogue):
    """Acme's office hours (Mon-Fri 08-16 UTC), week of Monday 2 March 2026: a 2-hour
    unplanned outage on Tuesday 10-12 is 120 of 2400 minutes: 95 %, under the 99.5 % target."""
    start = datetime(2026, 3, 3, 10, tzinfo=UTC)
    services.declare_outage(
        desk.admin, service=catalogue.vpn, starts_at=start, ends_at=start + timedelta(hours=2),
        title="VPN down",
    )  # fmt: skip
    answer = desk.client_for(desk.operator).get(
        URL,
        {
            "organisation": desk.acme.pk,
            "service": catalogue.vpn.pk,
            "start": "2026-03-02",
            "end": "2026-03-08",
        },
    )
    assert answer.status_code == 200
    [line] = answer.json()["services"]
    assert line["calendar"] == "Office"
    assert line["agreed_service_minutes"] == 2400
    assert line["downtime_minutes"] == 120
    assert line["availability"] == 95.0
    assert line["met"] is False and float(line["target"]) == 99.5
    assert line["mtrs_minutes"] == 120 and line["mtbf_minutes"] == 2280


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "2026-03-05", "end": "2026-03-01"}, "end"),
        ({"start": "2026-03-05"}, "end"),
        ({"start": "2026-02-30", "end": "2026-03-01"}, "start"),
        ({"service": 999999}, "service"),
        ({"service": "abc"}, "service"),
        ({"organisation": 999999}, "organisation"),
    ],
)
def test_bad_queries_are_422_naming_the_field(desk, catalogue, query, field):
    answer = desk.client_for(desk.operator).get(URL, query)
    assert answer.status_code == 422
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}


def test_declaring_and_ending_through_the_api(desk, catalogue):
    client = desk.client_for(desk.specialist)
    body = {
        "service": catalogue.vpn.pk,
        "starts_at": (timezone.now() - timedelta(minutes=10)).isoformat(),
        "impact": "partial",
        "degradation": 40,
        "title": "VPN slow",
        "notice": "We are looking into it.",
    }
    answer = client.post(f"{URL}/outages", body, content_type="application/json")
    assert answer.status_code == 201
    created = answer.json()
    assert created["degradation"] == 40 and created["ends_at"] is None
    answer = client.post(f"{URL}/outages/{created['id']}/end")
    assert answer.status_code == 200 and answer.json()["ends_at"] is not None
    assert client.post(f"{URL}/outages/{created['id']}/end").status_code == 422
    assert client.post(f"{URL}/outages/999999/end").status_code == 404


def test_an_agent_outside_the_support_group_may_not_declare(desk, catalogue):
    body = {"service": catalogue.vpn.pk, "starts_at": timezone.now().isoformat(), "title": "x"}
    answer = desk.client_for(desk.other_agent).post(
        f"{URL}/outages", body, content_type="application/json"
    )
    assert answer.status_code == 403
    assert not Outage.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"starts_at": "yesterday"}, "starts_at"),
        ({"impact": "partial"}, "degradation"),
        ({"impact": "partial", "degradation": 150}, "degradation"),
        ({"impact": "sideways"}, "impact"),
        ({"service": 999999}, "service"),
        ({"service": None}, "service"),
        ({"ci": 999999}, "ci"),
        ({"ends_at": "2000-01-01T00:00:00Z"}, "ends_at"),
    ],
)
def test_bad_outages_are_422_naming_the_field(desk, catalogue, changes, field):
    body = {"service": catalogue.vpn.pk, "starts_at": timezone.now().isoformat(), "title": "x"}
    body.update(changes)
    answer = desk.client_for(desk.admin).post(
        f"{URL}/outages", body, content_type="application/json"
    )
    assert answer.status_code == 422, answer.content
    assert field in {str(part) for e in answer.json()["detail"] for part in e["loc"]}
    assert not Outage.objects.exists()
