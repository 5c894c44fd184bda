"""Reconciliation: a source overwrites only what a source of the same or lower precedence
set; a person's edit ranks first unless configured otherwise."""

from __future__ import annotations

import pytest

from tuki.cmdb import reconcile, services
from tuki.cmdb.models import CIClass, CIHistory, DataSource
from tuki.lib.errors import ServiceError

pytestmark = pytest.mark.django_db


@pytest.fixture
def sources(db):
    sccm = DataSource.objects.create(key="sccm", name="SCCM", rank=10, ranks={"cpu_cores": 30})
    vcenter = DataSource.objects.create(key="vcenter", name="vCenter", rank=20)
    return sccm, vcenter


def _server(**kw):
    return services.create_item(
        None, name="srv1", ci_class=CIClass.objects.get(key="server"), data_source="vcenter", **kw
    )


def test_a_source_of_lower_precedence_is_skipped_and_reported(desk, sources):
    ci = _server(attributes={"os": "Debian 12", "cpu_cores": 4})
    # SCCM ranks 10 < vCenter's 20: it overwrites the OS; for CPU cores it ranks 30: skipped.
    outcome = reconcile.update(
        None, ci, source="sccm", attributes={"os": "Debian 13", "cpu_cores": 8}
    )
    assert outcome.changed == ["attributes.os"]
    assert outcome.skipped == ["attributes.cpu_cores"]
    ci.refresh_from_db()
    assert ci.attributes == {"os": "Debian 13", "cpu_cores": 4}
    assert ci.sources["os"] == "sccm" and ci.sources["cpu_cores"] == "vcenter"
    # vCenter may no longer set the OS SCCM set; it still sets its CPU cores.
    outcome = reconcile.update(
        None, ci, source="vcenter", attributes={"os": "Debian 11", "cpu_cores": 16}
    )
    assert outcome.changed == ["attributes.cpu_cores"] and outcome.skipped == ["attributes.os"]
    history = CIHistory.objects.filter(ci=ci, field="attributes.cpu_cores").get()
    assert (history.data_source, history.old_value, history.new_value) == ("vcenter", "4", "16")


def test_a_person_edit_wins_until_configured_otherwise(desk, sources):
    ci = _server(hostname="srv1.example.com")
    reconcile.update(desk.admin, ci, source="manual", hostname="srv1.corp.example.com")
    assert ci.sources["hostname"] == "manual"
    outcome = reconcile.update(None, ci, source="sccm", hostname="srv1.example.com")
    assert outcome.skipped == ["hostname"] and outcome.changed == []
    # The seeded `manual` row ranks 0; raised above SCCM, discovery wins again.
    DataSource.objects.filter(key="manual").update(rank=50)
    outcome = reconcile.update(None, ci, source="sccm", hostname="SRV1.example.com.")
    assert outcome.changed == ["hostname"]
    ci.refresh_from_db()
    assert ci.hostname == "srv1.example.com"


def test_same_values_are_neither_changed_nor_skipped(desk, sources):
    ci = _server(serial_number="SN1", attributes={"cpu_cores": 4})
    reconcile.update(desk.admin, ci, source="manual", attributes={"cpu_cores": 4})
    outcome = reconcile.update(
        None, ci, source="vcenter", serial_number=" SN1 ", attributes={"cpu_cores": "4"}
    )
    assert outcome.changed == [] and outcome.skipped == []


def test_invalid_values_are_refused_even_when_they_would_be_skipped(desk, sources):
    ci = _server(attributes={"cpu_cores": 4})
    reconcile.update(desk.admin, ci, source="", attributes={"cpu_cores": 2})
    with pytest.raises(ServiceError) as error:
        reconcile.update(None, ci, source="sccm", attributes={"cpu_cores": "many"})
    assert error.value.field == "attributes.cpu_cores"
    with pytest.raises(ServiceError):
        reconcile.update(None, ci, source="sccm", lifecycle="gone")


def test_an_unknown_source_ranks_last(desk, sources):
    ci = _server(description="from vcenter")
    outcome = reconcile.update(None, ci, source="spreadsheet", description="other")
    assert outcome.skipped == ["description"]
    ranking = reconcile.Ranking.load()
    assert ranking.rank("manual", "x") == 0
    assert ranking.rank("sccm", "attributes.cpu_cores") == 30
    assert ranking.may_set("spreadsheet", "x", None)
