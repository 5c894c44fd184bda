"""The agents' pages: the report (per service and per client), a service's page with its
outages, declaring and ending an outage, marking an incident as one; per role, bad input,
and query budgets that do not grow with services or outages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.availability import services
from tuki.availability.models import Outage
from tuki.cmdb import services as cmdb
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import Service

pytestmark = pytest.mark.django_db

REPORT_QUERIES = 10
SERVICE_QUERIES = 12

AGENTS = ["operator", "specialist", "lead", "other_agent", "admin"]
NOT_AGENTS = ["requester", "colleague", "outsider"]


def _outage(desk, service, hours=3, **kw):
    start = timezone.now() - timedelta(hours=hours)
    return services.declare_outage(
        desk.admin, service=service, starts_at=start, ends_at=start + timedelta(hours=1),
        title=f"{service.name} down", **kw,
    )  # fmt: skip


@pytest.mark.parametrize("who", AGENTS)
def test_agents_read_the_report_and_a_service(desk, catalogue, who):
    _outage(desk, catalogue.vpn)
    client = desk.client_for(getattr(desk, who))
    page = client.get("/availability/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "VPN" in body and "E-mail" in body and 'id="availability-table"' in body
    page = client.get(f"/availability/services/{catalogue.vpn.pk}/")
    assert page.status_code == 200
    assert "VPN down" in page.content.decode()


@pytest.mark.parametrize("who", NOT_AGENTS)
def test_others_get_404_everywhere(desk, catalogue, who):
    outage = _outage(desk, catalogue.vpn)
    client = desk.client_for(getattr(desk, who))
    assert client.get("/availability/").status_code == 404
    assert client.get(f"/availability/services/{catalogue.vpn.pk}/").status_code == 404
    assert client.get("/availability/ticket-outage/").status_code == 404
    declare = client.post(f"/availability/services/{catalogue.vpn.pk}/declare/", {})
    assert declare.status_code == 404
    assert client.post(f"/availability/outages/{outage.pk}/end/").status_code == 404


def test_anonymous_visitors_sign_in_first(client, desk, catalogue):
    page = client.get("/availability/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_an_unknown_service_is_404(desk, catalogue):
    client = desk.client_for(desk.operator)
    assert client.get("/availability/services/999999/").status_code == 404


def test_per_client_the_agreements_services_calendar_and_target(desk, catalogue):
    client = desk.client_for(desk.operator)
    page = client.get(f"/availability/?organisation={desk.acme.pk}&period=last_90")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'id="service-{catalogue.vpn.pk}"' in body
    assert f'id="service-{catalogue.email.pk}"' not in body
    assert "Office" in body and "99.500" in body
    assert "availability-met" in body


def test_a_missed_target_shows(desk, catalogue):
    start = timezone.now() - timedelta(days=20)
    services.declare_outage(
        desk.admin, service=catalogue.vpn, starts_at=start, ends_at=start + timedelta(days=5),
        title="Long",
    )  # fmt: skip
    page = desk.client_for(desk.operator).get(
        f"/availability/?organisation={desk.acme.pk}&period=last_90"
    )
    assert "availability-missed" in page.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "period=custom&start=2026-02-30&end=2026-03-01",
        "period=custom&start=2026-03-05&end=2026-03-01",
        "period=yesterday",
        "organisation=abc",
        "organisation=999999",
    ],
)
def test_bad_queries_say_what_is_wrong(desk, catalogue, query):
    page = desk.client_for(desk.operator).get(f"/availability/?{query}")
    assert page.status_code == 422
    assert "alert-danger" in page.content.decode()


def test_a_custom_period(desk, catalogue):
    page = desk.client_for(desk.operator).get(
        "/availability/?period=custom&start=2025-01-01&end=2025-01-31"
    )
    assert page.status_code == 200
    assert 'value="2025-01-31"' in page.content.decode()


def _many(desk, count):
    made = []
    for n in range(count):
        service = Service.objects.create(name=f"Service {n:02d}")
        made.append(service)
        for back in (30, 60, 90):
            _outage(desk, service, hours=back)
    return made


def test_the_report_has_a_query_budget(desk, catalogue):
    client = desk.client_for(desk.operator)
    client.get("/availability/")
    with query_budget(REPORT_QUERIES) as few:
        client.get(f"/availability/?organisation={desk.acme.pk}")
    with query_budget(REPORT_QUERIES) as few_all:
        client.get("/availability/")
    _many(desk, 12)
    with query_budget(REPORT_QUERIES) as many:
        client.get(f"/availability/?organisation={desk.acme.pk}")
    with query_budget(REPORT_QUERIES) as many_all:
        assert client.get("/availability/").content.decode().count('id="service-') == 14
    assert_same_count(few, many)
    assert_same_count(few_all, many_all)


def test_the_service_page_has_a_query_budget(desk, catalogue):
    client = desk.client_for(desk.specialist)
    url = f"/availability/services/{catalogue.vpn.pk}/?period=last_90"
    client.get(url)
    _outage(desk, catalogue.vpn)
    with query_budget(SERVICE_QUERIES) as few:
        client.get(url)
    for back in range(5, 60, 2):
        _outage(desk, catalogue.vpn, hours=back)
    with query_budget(SERVICE_QUERIES) as many:
        assert client.get(url).content.decode().count('<tr id="outage-') == 29
    assert_same_count(few, many)


@pytest.mark.parametrize(("who", "allowed"), [("specialist", True), ("admin", True),
                                              ("operator", False), ("other_agent", False)])  # fmt: skip
def test_declaring_from_the_service_page(desk, catalogue, who, allowed):
    client = desk.client_for(getattr(desk, who))
    page = client.get(f"/availability/services/{catalogue.vpn.pk}/")
    assert ('id="declare-form"' in page.content.decode()) is allowed
    start = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        f"/availability/services/{catalogue.vpn.pk}/declare/",
        {"starts_at": start, "impact": "partial", "degradation": "50", "title": "Slow VPN"},
    )
    if allowed:
        assert answer.status_code == 302
        outage = Outage.objects.get()
        assert outage.degradation == 50 and outage.ends_at is None
        end = client.post(f"/availability/outages/{outage.pk}/end/")
        assert end.status_code == 302
        outage.refresh_from_db()
        assert outage.ends_at is not None
    else:
        assert answer.status_code == 404
        assert not Outage.objects.exists()


def test_a_bad_declaration_shows_field_errors(desk, catalogue):
    client = desk.client_for(desk.specialist)
    answer = client.post(
        f"/availability/services/{catalogue.vpn.pk}/declare/",
        {"starts_at": "yesterday", "impact": "partial", "title": "x"},
    )
    assert answer.status_code == 422
    start = (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    answer = client.post(
        f"/availability/services/{catalogue.vpn.pk}/declare/",
        {"starts_at": start, "impact": "partial", "title": "x"},
    )
    assert answer.status_code == 422
    assert "between 1 and 99 percent" in answer.content.decode()
    assert not Outage.objects.exists()


def test_marking_an_incident_as_an_outage(desk, catalogue, escalated):
    incident = escalated
    cmdb.name_affected(desk.operator, incident, [catalogue.vpn_ci])
    client = desk.client_for(desk.specialist)
    assert client.get("/availability/ticket-outage/").status_code == 200
    answer = client.post("/availability/ticket-outage/", {"ticket": "INC-999", "impact": "full"})
    assert answer.status_code == 422
    answer = client.post(
        "/availability/ticket-outage/", {"ticket": incident.number, "impact": "full"}
    )
    assert answer.status_code == 302, answer.context["form"].errors
    assert Outage.objects.get().ticket == incident
    # another agent who supports neither service
    answer = desk.client_for(desk.other_agent).post(
        "/availability/ticket-outage/", {"ticket": incident.number, "impact": "full"}
    )
    assert answer.status_code == 422


def test_the_service_page_counts_a_clients_hours_when_asked(desk, catalogue):
    client = desk.client_for(desk.operator)
    body = client.get(
        f"/availability/services/{catalogue.vpn.pk}/?organisation={desk.acme.pk}"
    ).content.decode()
    assert "Service hours: Office." in body and "Acme Oy" in body
    # Globex's agreement does not cover VPN: the desk's hours instead
    body = client.get(
        f"/availability/services/{catalogue.vpn.pk}/?organisation={desk.globex.pk}"
    ).content.decode()
    assert "Service hours: around the clock." in body
