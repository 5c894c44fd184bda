"""The status page: who sees which services, the state now, notices, maintenance ahead, 90
daily bars; the public page only when switched on, with the public services only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

from tuki.availability import services
from tuki.availability.models import Impact, PublicService, State
from tuki.availability.status import HISTORY_DAYS, build
from tuki.cmdb import services as cmdb
from tuki.lib.testing import assert_same_count, query_budget
from tuki.sla.models import Agreement, Service

pytestmark = pytest.mark.django_db

STATUS_QUERIES = 11


def _section(body: str, service: Service) -> bool:
    return f'id="status-service-{service.pk}"' in body


def test_a_requester_sees_only_their_organisations_services(desk, catalogue):
    body = desk.client_for(desk.requester).get("/portal/status/").content.decode()
    assert _section(body, catalogue.vpn) and not _section(body, catalogue.email)
    body = desk.client_for(desk.outsider).get("/portal/status/").content.decode()
    assert _section(body, catalogue.email) and not _section(body, catalogue.vpn)


def test_a_requester_without_an_agreement_sees_none_while_others_have_one(desk, catalogue):
    catalogue.globex_agreement.delete()
    body = desk.client_for(desk.outsider).get("/portal/status/").content.decode()
    assert 'id="status-empty"' in body


def test_without_agreements_everyone_sees_every_active_service(desk, catalogue):
    Agreement.objects.all().delete()
    Service.objects.create(name="Retired", is_active=False)
    body = desk.client_for(desk.outsider).get("/portal/status/").content.decode()
    assert _section(body, catalogue.vpn) and _section(body, catalogue.email)
    assert "Retired" not in body


def test_an_agreement_without_services_covers_them_all(desk, catalogue):
    catalogue.acme_agreement.services.clear()
    body = desk.client_for(desk.colleague).get("/portal/status/").content.decode()
    assert _section(body, catalogue.vpn) and _section(body, catalogue.email)


@pytest.mark.parametrize("who", ["operator", "specialist", "other_agent", "admin"])
def test_agents_see_every_service(desk, catalogue, who):
    body = desk.client_for(getattr(desk, who)).get("/portal/status/").content.decode()
    assert _section(body, catalogue.vpn) and _section(body, catalogue.email)


def test_anonymous_visitors_sign_in_for_the_portal_page(client, desk, catalogue):
    answer = client.get("/portal/status/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_the_public_page_is_off_by_default(client, desk, catalogue, settings):
    assert settings.STATUS_PAGE_PUBLIC is False
    assert client.get("/status/").status_code == 404
    answer = desk.client_for(desk.requester).get("/status/")
    assert answer.status_code == 302 and answer["Location"] == "/portal/status/"


def test_the_public_page_shows_only_public_services(client, desk, catalogue, settings):
    settings.STATUS_PAGE_PUBLIC = True
    PublicService.objects.create(service=catalogue.email)
    PublicService.objects.create(service=catalogue.vpn, is_public=False)
    answer = client.get("/status/")
    body = answer.content.decode()
    assert answer.status_code == 200
    assert _section(body, catalogue.email) and not _section(body, catalogue.vpn)


def test_state_notice_maintenance_ahead_and_history(desk, catalogue):
    now = timezone.now()
    services.declare_outage(
        desk.admin, service=catalogue.vpn, starts_at=now - timedelta(minutes=30),
        impact=Impact.PARTIAL, degradation=50, title="Slow VPN",
        notice="Connections from abroad are slow.",
    )  # fmt: skip
    old = timezone.make_aware(
        datetime.combine(timezone.localdate(now) - timedelta(days=3), time(10))
    )
    services.declare_outage(
        desk.admin, service=catalogue.vpn, starts_at=old, ends_at=old + timedelta(hours=2),
        title="Old outage",
    )  # fmt: skip
    services.declare_outage(
        desk.admin, service=catalogue.vpn, planned=True, starts_at=now + timedelta(days=2),
        ends_at=now + timedelta(days=2, hours=1), title="Firmware upgrade",
    )  # fmt: skip
    cmdb.plan_maintenance(
        desk.admin, catalogue.vpn_ci, starts_at=now + timedelta(days=5),
        ends_at=now + timedelta(days=5, hours=3), reason="Internal: swap the HSM",
    )  # fmt: skip
    [line] = build([catalogue.vpn], now=now)
    assert line.state == State.DEGRADED
    assert [o.title for o in line.ongoing] == ["Slow VPN"]
    assert [a.title for a in line.ahead] == ["Firmware upgrade", "Planned maintenance"]
    assert len(line.days) == HISTORY_DAYS
    assert line.days[-1].state == State.DEGRADED
    assert line.days[-4].state == State.OUTAGE
    assert "2 h 0 min" in line.days[-4].title
    body = desk.client_for(desk.requester).get("/portal/status/").content.decode()
    assert "Connections from abroad are slow." in body
    assert "Firmware upgrade" in body
    assert "swap the HSM" not in body  # a maintenance window's reason is internal
    assert body.count('class="status-bar ') == HISTORY_DAYS + 3  # and the legend's
    assert 'data-state="degraded"' in body
    assert "style=" not in body


def test_the_status_page_has_a_query_budget(desk, catalogue):
    client = desk.client_for(desk.operator)
    client.get("/portal/status/")
    with query_budget(STATUS_QUERIES) as few:
        client.get("/portal/status/")
    now = timezone.now()
    for n in range(8):
        service = Service.objects.create(name=f"Service {n}")
        for back in (1, 10, 40):
            services.declare_outage(
                desk.admin, service=service, starts_at=now - timedelta(days=back),
                ends_at=now - timedelta(days=back) + timedelta(hours=1), title="x",
            )  # fmt: skip
    with query_budget(STATUS_QUERIES) as many:
        assert client.get("/portal/status/").content.decode().count("<section") == 10
    assert_same_count(few, many)
