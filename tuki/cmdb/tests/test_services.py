"""The configuration database's services: attributes by class, identifiers, relations and
their history, maintenance, the tickets that name items, and who may do what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tuki.cmdb import services
from tuki.cmdb.models import CIClass, CIHistory, Relation
from tuki.lib.errors import ServiceError
from tuki.tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def _server(desk, name="db01", **kw):
    return services.create_item(
        desk.admin, name=name, ci_class=CIClass.objects.get(key="server"), **kw
    )


def test_attributes_are_checked_against_the_class_and_its_parents(desk):
    vm = CIClass.objects.get(key="virtual_machine")
    ci = services.create_item(
        desk.admin,
        name="vm1",
        ci_class=vm,
        attributes={"cpu_cores": "4", "memory_gb": "7,5", "hypervisor": "KVM"},
    )
    assert ci.attributes == {"cpu_cores": 4, "memory_gb": 7.5, "hypervisor": "KVM"}
    with pytest.raises(ServiceError) as error:
        services.update_item(desk.admin, ci, attributes={"cpu_cores": "four"})
    assert error.value.field == "attributes.cpu_cores"
    with pytest.raises(ServiceError) as error:
        services.update_item(desk.admin, ci, attributes={"hypervisor": "VirtualBox"})
    assert error.value.field == "attributes.hypervisor"
    with pytest.raises(ServiceError) as error:
        services.update_item(desk.admin, ci, attributes={"colour": "red"})
    assert error.value.code == "unknown_attribute"
    ci.refresh_from_db()
    assert ci.attributes["cpu_cores"] == 4  # nothing half-written


def test_changes_are_history_with_old_and_new(desk):
    ci = _server(desk, attributes={"cpu_cores": 2})
    changed = services.update_item(desk.admin, ci, name="db01-new", attributes={"cpu_cores": 8})
    assert changed == ["name", "attributes.cpu_cores"]
    rows = {
        (h.field, h.old_value, h.new_value)
        for h in CIHistory.objects.filter(ci=ci, action="changed")
    }
    assert rows == {("name", "db01", "db01-new"), ("attributes.cpu_cores", "2", "8")}
    assert services.update_item(desk.admin, ci, name="db01-new") == []


def test_identifiers_are_unique_among_current_items(desk):
    _server(desk, hostname="DB01.example.com.")
    with pytest.raises(ServiceError) as error:
        _server(desk, name="other", hostname="db01.example.com")
    assert error.value.field == "hostname"


def test_relations_are_kept_with_their_removal(desk):
    app = services.create_item(
        desk.admin, name="crm", ci_class=CIClass.objects.get(key="application")
    )
    db = _server(desk)
    relation = services.add_relation(desk.admin, app, "runs_on", db)
    assert services.add_relation(desk.admin, app, "runs_on", db).pk == relation.pk
    services.remove_relation(desk.admin, relation)
    again = services.add_relation(desk.admin, app, "runs_on", db)
    assert again.pk != relation.pk
    assert Relation.objects.filter(source=app).count() == 2
    assert list(CIHistory.objects.filter(ci=db).values_list("action", flat=True)) == [
        "relation_added",
        "relation_removed",
        "relation_added",
        "created",
    ]
    with pytest.raises(ServiceError):
        services.add_relation(desk.admin, app, "member_of", db)  # not a cluster


def test_who_may_change(desk):
    ci = _server(desk, support_group=desk.network_hel)
    with pytest.raises(PermissionDenied):
        services.create_item(desk.operator, name="x", ci_class=ci.ci_class)
    desk.network_hel.members.add(desk.specialist)
    services.update_item(desk.specialist, ci, description="ok")
    with pytest.raises(PermissionDenied):
        services.update_item(desk.requester, ci, description="no")


def test_maintenance_and_affected_items(desk, incident):
    ci = _server(desk)
    now = timezone.now()
    services.plan_maintenance(
        desk.admin, ci, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1)
    )
    assert services.in_maintenance([ci.pk]) == {ci.pk}
    assert services.in_maintenance([ci.pk], now + timedelta(hours=2)) == set()
    with pytest.raises(ServiceError):
        services.plan_maintenance(desk.admin, ci, starts_at=now, ends_at=now)
    services.name_affected(desk.operator, incident, [ci])
    assert services.name_affected(desk.operator, incident, [ci]) == []
    event = TicketEvent.objects.filter(ticket=incident, field="affected_items").get()
    assert event.new_value == "db01"
    with pytest.raises(PermissionDenied):
        services.name_affected(desk.requester, incident, [ci])
