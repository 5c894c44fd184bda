"""GET /api/v1/reports/...: per role, filters, breakdowns, drill-down, bad input."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from tuki.lib.testing import query_budget
from tuki.tickets import services
from tuki.tickets.models import Channel

URL = "/api/v1/reports/indicators"


@pytest.fixture
def tickets(desk, django_capture_on_commit_callbacks):
    made = []
    for channel in (Channel.PHONE, Channel.PHONE, Channel.EMAIL):
        with django_capture_on_commit_callbacks(execute=True):
            made.append(
                services.create_ticket(
                    desk.operator, title="Printer", requester=desk.requester, channel=channel
                )
            )
    return made


def _today() -> str:
    return timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "role, status",
    [
        ("analyst", 200),
        ("admin", 200),
        ("operator", 404),
        ("specialist", 404),
        ("lead", 404),
        ("other_agent", 404),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
    ],
)
def test_who_may_read_reports(desk, analyst, tickets, role, status):
    user = analyst if role == "analyst" else getattr(desk, role)
    client = desk.client_for(user)
    assert client.get(URL).status_code == status
    assert client.get(f"{URL}/volume").status_code == status
    assert client.get(f"{URL}/volume/tickets").status_code == status


def test_a_desk_manager_may_read_reports(desk, tickets):
    desk.service_desk.manager = desk.lead
    desk.service_desk.save()
    assert desk.client_for(desk.lead).get(f"{URL}/volume").status_code == 200


def test_an_anonymous_visitor_is_refused(tickets):
    assert Client().get(URL).status_code in (401, 403)


def test_the_catalogue_lists_every_indicator_and_dimension(desk, analyst):
    body = desk.client_for(analyst).get(URL).json()
    assert {i["code"] for i in body["indicators"]} >= {"volume", "resolve_time", "satisfaction"}
    assert {d["code"] for d in body["dimensions"]} >= {"channel", "month", "agent"}


def test_volume_by_channel_and_the_tickets_behind_a_row(desk, analyst, tickets):
    client = desk.client_for(analyst)
    client.get(URL)
    day = _today()
    with query_budget(12):
        body = client.get(f"{URL}/volume", {"start": day, "end": day, "by": "channel"}).json()
    assert body["total"]["value"] == 3
    assert {r["key"]: r["count"] for r in body["rows"]} == {"phone": 2, "email": 1}
    behind = client.get(
        f"{URL}/volume/tickets", {"start": day, "end": day, "by": "channel", "key": "phone"}
    ).json()
    assert sorted(t["id"] for t in behind["items"]) == sorted(t.pk for t in tickets[:2])
    assert behind["items"][0]["number"].startswith("INC-")
    page = client.get(f"{URL}/volume/tickets", {"start": day, "end": day, "limit": 2}).json()
    assert len(page["items"]) == 2 and page["next_cursor"] == page["items"][-1]["id"]
    rest = client.get(
        f"{URL}/volume/tickets", {"start": day, "end": day, "cursor": page["next_cursor"]}
    ).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None


def test_filters_compare_clock_and_statistic(desk, analyst, tickets):
    client = desk.client_for(analyst)
    day = _today()
    body = client.get(
        f"{URL}/resolve_time",
        {"start": day, "end": day, "compare": "true", "clock": "calendar", "statistic": "p90"},
    ).json()
    assert body["total"]["count"] == 0 and body["total"]["value"] is None
    body = client.get(
        f"{URL}/volume", {"start": day, "end": day, "channels": "email", "by": "month"}
    ).json()
    assert body["total"]["value"] == 1
    assert body["filters"]["channels"] == "email"


@pytest.mark.parametrize(
    "params, field",
    [
        ({"start": "2026-02-30"}, "start"),
        ({"start": "2026-03-02", "end": "2026-03-01"}, "start"),
        ({"start": "2000-01-01", "end": "2026-03-01"}, "start"),
        ({"kinds": "nonsense"}, "kinds"),
        ({"priorities": "9"}, "priorities"),
        ({"groups": "99999999999999999999"}, "groups"),
        ({"by": "colour"}, "by"),
        ({"clock": "sundial"}, "clock"),
        ({"statistic": "mode"}, "statistic"),
    ],
)
def test_bad_filters_are_a_422_naming_the_parameter(desk, analyst, params, field):
    response = desk.client_for(analyst).get(f"{URL}/volume", params)
    assert response.status_code == 422
    assert field in str(response.json()["detail"])


def test_a_bad_drill_down_key_is_a_422(desk, analyst, tickets):
    client = desk.client_for(analyst)
    response = client.get(f"{URL}/volume/tickets", {"by": "group", "key": "abc"})
    assert response.status_code == 422
    response = client.get(f"{URL}/volume/tickets", {"by": "month", "key": "2026-13-01"})
    assert response.status_code == 422


def test_an_unknown_indicator_is_a_404(desk, analyst):
    assert desk.client_for(analyst).get(f"{URL}/nothing").status_code == 404


def test_an_agent_counts_only_the_tickets_they_may_see(desk, analyst, tickets):
    """The reports permission does not widen what an agent sees: Applications' agent with
    the permission counts none of the service desk's tickets."""
    from django.contrib.auth.models import Permission

    desk.other_agent.user_permissions.add(Permission.objects.get(codename="view_reports"))
    body = desk.client_for(desk.other_agent).get(f"{URL}/volume").json()
    assert body["total"]["count"] == 0
