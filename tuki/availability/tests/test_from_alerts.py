"""A critical alert that opens an incident is an outage of the business services its item's
failure reaches: full where they are down, partial where a cluster keeps its quorum; the
outage ends with the incident."""

from __future__ import annotations

import pytest

from tuki.availability.models import Impact, Outage, Source
from tuki.cmdb import services as cmdb
from tuki.cmdb.models import CIClass
from tuki.conftest import make_user
from tuki.monitoring import services as monitoring
from tuki.monitoring.payloads import Incoming
from tuki.sla.models import Service
from tuki.tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(desk):
    robot = make_user("monitoring@example.com", "Monitoring")
    source, _token = monitoring.create_source(desk.admin, name="prom", user=robot)
    cls = {c.key: c for c in CIClass.objects.all()}
    service = Service.objects.create(name="Web shop")
    shop = cmdb.create_item(
        desk.admin, name="Shop", ci_class=cls["business_service"], service=service
    )
    cluster = cmdb.create_item(desk.admin, name="web", ci_class=cls["cluster"], quorum=1)
    web01 = cmdb.create_item(desk.admin, name="web01", ci_class=cls["server"], hostname="web01")
    web02 = cmdb.create_item(desk.admin, name="web02", ci_class=cls["server"], hostname="web02")
    db = cmdb.create_item(desk.admin, name="db", ci_class=cls["database"], hostname="db")
    cmdb.add_relation(desk.admin, web01, "member_of", cluster)
    cmdb.add_relation(desk.admin, web02, "member_of", cluster)
    cmdb.add_relation(desk.admin, shop, "runs_on", cluster)
    cmdb.add_relation(desk.admin, shop, "depends_on", db)
    return source, service


def fire(ci, severity="critical", status="firing"):
    return Incoming(name="Down", status=status, ci=ci, severity=severity, fingerprint=f"down-{ci}")


def test_a_member_down_is_a_partial_outage_and_the_database_a_full_one(shop):
    source, service = shop
    monitoring.receive(source, [fire("web01")])
    partial = Outage.objects.get()
    assert (partial.service, partial.source, partial.impact, partial.degradation) == (
        service,
        Source.ALERT,
        Impact.PARTIAL,
        50,
    )
    assert partial.ends_at is None and partial.ticket is not None
    # The database is another item under the same business service: its alert joins the
    # open incident (one group per service), so no second outage is opened for it.
    monitoring.receive(source, [fire("db")])
    assert Outage.objects.count() == 1
    # Every alert resolved: the incident resolves, and its outage ends with it.
    monitoring.receive(source, [fire("web01", status="resolved"), fire("db", status="resolved")])
    partial.refresh_from_db()
    ticket = Ticket.objects.get(pk=partial.ticket_id)
    assert ticket.resolved_at is not None and partial.ends_at == ticket.resolved_at


def test_a_database_down_stops_the_service(shop):
    source, service = shop
    monitoring.receive(source, [fire("db")])
    outage = Outage.objects.get()
    assert (outage.impact, outage.degradation) == (Impact.FULL, None)


def test_a_warning_is_no_outage(shop):
    source, _service = shop
    monitoring.receive(source, [fire("db", severity="warning")])
    assert Ticket.objects.count() == 1
    assert not Outage.objects.exists()
