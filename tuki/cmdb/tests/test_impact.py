"""Impact analysis on hand-drawn graphs: a chain, a diamond, a redundant cluster losing one
and then all of its members, an item in maintenance, and the clients behind a service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.cmdb import impact, services
from tuki.cmdb.models import CIClass
from tuki.sla.models import Agreement, Service
from tuki.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def make(desk):
    classes = {c.key: c for c in CIClass.objects.all()}

    def make(name: str, key: str = "server", **fields):
        return services.create_item(desk.admin, name=name, ci_class=classes[key], **fields)

    return make


@pytest.fixture
def rel(desk):
    def rel(source, kind, target):
        return services.add_relation(desk.admin, source, kind, target)

    return rel


def states(result):
    return {r.ci_id: r.state for r in result.items.values()}


def test_a_chain_reaches_every_link_with_its_depth(make, rel):
    """switch ← server ← database ← app ← service: the switch's failure stops them all."""
    switch = make("switch", "network_device")
    server = make("server")
    db = make("db", "database")
    app = make("app", "application_service")
    service = make("service", "business_service")
    rel(server, "depends_on", switch)
    rel(db, "runs_on", server)
    rel(app, "depends_on", db)
    rel(service, "depends_on", app)
    result = impact.analyse([switch.pk])
    assert states(result) == {server.pk: "down", db.pk: "down", app.pk: "down", service.pk: "down"}
    assert [result.items[x.pk].depth for x in (server, db, app, service)] == [1, 2, 3, 4]
    assert result.items[db.pk].via == server.pk
    assert [s.name for s in result.services()] == ["service", "app"]
    # From the middle: only what is above it.
    assert states(impact.analyse([db.pk])) == {app.pk: "down", service.pk: "down"}
    # Nothing above the service.
    assert impact.analyse([service.pk]).items == {}
    # What the service depends on, the other way.
    assert impact.dependencies(service.pk) == {app.pk: 1, db.pk: 2, server.pk: 3, switch.pk: 4}


def test_a_diamond_is_reached_once_by_its_shortest_path(make, rel):
    """storage ← (vm1, vm2) ← app: the app is down once, two steps away."""
    storage = make("storage")
    vm1, vm2 = make("vm1", "virtual_machine"), make("vm2", "virtual_machine")
    app = make("app", "application")
    rel(vm1, "runs_on", storage)
    rel(vm2, "runs_on", storage)
    rel(app, "depends_on", vm1)
    rel(app, "depends_on", vm2)
    result = impact.analyse([storage.pk])
    assert states(result) == {vm1.pk: "down", vm2.pk: "down", app.pk: "down"}
    assert result.items[app.pk].depth == 2
    # Without redundancy, one of the two is enough to stop the app.
    assert states(impact.analyse([vm1.pk])) == {app.pk: "down"}
    assert impact.dependencies(app.pk) == {vm1.pk: 1, vm2.pk: 1, storage.pk: 2}


def test_a_redundant_cluster_degrades_until_its_quorum_is_lost(make, rel):
    """Three web servers in a cluster with quorum 2, a shop on the cluster."""
    cluster = make("web cluster", "cluster", quorum=2)
    web = [make(f"web{i}") for i in (1, 2, 3)]
    for member in web:
        rel(member, "member_of", cluster)
    shop = make("shop", "business_service")
    rel(shop, "runs_on", cluster)

    one = impact.analyse([web[0].pk])
    assert states(one) == {cluster.pk: "degraded", shop.pk: "degraded"}
    two = impact.analyse([web[0].pk, web[1].pk])
    assert states(two) == {cluster.pk: "down", shop.pk: "down"}
    every = impact.analyse([w.pk for w in web])
    assert states(every) == {cluster.pk: "down", shop.pk: "down"}
    # A member in maintenance no longer runs: one failure then loses the quorum.
    now = timezone.now()
    services.plan_maintenance(
        None, web[2], starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1)
    )
    assert states(impact.analyse([web[0].pk])) == {cluster.pk: "down", shop.pk: "down"}
    # A retired member does not run either (after its window, two members are left of three).
    later = now + timedelta(hours=2)
    assert states(impact.analyse([web[0].pk], at=later)) == {
        cluster.pk: "degraded",
        shop.pk: "degraded",
    }
    services.update_item(None, web[2], lifecycle="retired")
    assert states(impact.analyse([web[0].pk], at=later)) == {cluster.pk: "down", shop.pk: "down"}
    services.update_item(None, cluster, quorum=1)
    assert states(impact.analyse([web[0].pk], at=later)) == {
        cluster.pk: "degraded",
        shop.pk: "degraded",
    }


def test_an_item_in_maintenance_is_reported_and_not_walked_past(make, rel):
    switch = make("switch", "network_device")
    server = make("server")
    app = make("app", "application")
    other = make("other server")
    rel(server, "depends_on", switch)
    rel(other, "depends_on", switch)
    rel(app, "runs_on", server)
    now = timezone.now()
    services.plan_maintenance(
        None, server, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    result = impact.analyse([switch.pk])
    assert states(result) == {server.pk: "maintenance", other.pk: "down"}
    assert result.maintenance_ids() == {server.pk}
    # After the window, the server and what runs on it are reached again.
    later = impact.analyse([switch.pk], at=now + timedelta(hours=2))
    assert states(later) == {server.pk: "down", other.pk: "down", app.pk: "down"}


def test_what_carries_no_impact(desk, make, rel):
    """connected_to is drawn only; a removed relation is history; a cycle ends."""
    a, b, c = make("a"), make("b"), make("c")
    rel(a, "connected_to", b)
    removed = rel(c, "depends_on", b)
    services.remove_relation(desk.admin, removed)
    assert impact.analyse([b.pk]).items == {}
    rel(a, "depends_on", b)
    rel(b, "depends_on", a)  # a cycle
    assert states(impact.analyse([b.pk])) == {a.pk: "down"}


def test_the_clients_behind_a_service(desk, make, rel):
    mail = Service.objects.create(name="E-mail")
    vpn = Service.objects.create(name="VPN")
    acme = Agreement.objects.create(name="Acme SLA", organisation=desk.requester.organisation)
    acme.services.add(mail)
    globex = Agreement.objects.create(name="Globex SLA", organisation=desk.outsider.organisation)
    globex.services.add(vpn)
    service = make("E-mail service", "business_service", service=mail)
    server = make("mx1")
    rel(service, "runs_on", server)
    result = impact.analyse([server.pk])
    assert [a.name for a in result.agreements] == ["Acme SLA"]
    assert [o.name for o in result.organisations] == ["Acme Oy"]


def test_a_ticket_sees_who_else_is_affected(desk, make, rel, incident):
    server = make("mx1")
    service = make("mail", "business_service")
    rel(service, "runs_on", server)
    services.name_affected(desk.operator, incident, [server])
    other = ticket_services.create_ticket(desk.operator, title="No mail", requester=desk.colleague)
    services.name_affected(desk.operator, other, [service])
    seen = impact.for_ticket(incident)
    assert states(seen.impact) == {service.pk: "down"}
    assert seen.other_tickets == [other.pk]
