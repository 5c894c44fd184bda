"""The demo's configuration database (tuki/demo/cmdb.py), on the demo's people without its
two months of tickets: what it holds, and that an item's failure reaches what it should."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from tuki.cmdb import impact
from tuki.cmdb.models import AffectedItem, ConfigurationItem, MaintenanceWindow, Relation
from tuki.cmdb.tests.conftest import ensure_classes
from tuki.conftest import ensure_workflow
from tuki.demo import cmdb
from tuki.demo.cast import build_cast
from tuki.tickets import services as ticket_services

pytestmark = pytest.mark.django_db


def test_the_demo_cmdb(django_capture_on_commit_callbacks):
    ensure_workflow()
    ensure_classes()
    cast = build_cast(random.Random(1))
    vpn = ticket_services.create_ticket(
        cast.operators[0],
        title="VPN drops",
        requester=cast.requesters[0],
        category=cast.categories["Network", "VPN"],
    )
    now = timezone.now()
    summary = cmdb.seed(cast, now)
    assert summary["incidents"] == 1  # no e-mail incident without the stories
    assert ConfigurationItem.objects.filter(ci_class__key="business_service").count() == 4
    assert all(ci.service_id for ci in ConfigurationItem.objects.filter(ci_class__layer="business"))
    cluster = ConfigurationItem.objects.get(name="Web cluster HEL")
    assert cluster.quorum == 2
    assert Relation.objects.filter(target=cluster, type="member_of").count() == 3
    window = MaintenanceWindow.objects.get()
    assert window.starts_at > now and window.ci.name == "web-hel-03"
    assert set(AffectedItem.objects.filter(ticket=vpn).values_list("ci__name", flat=True)) == {
        "VPN gateway",
        "fw-hel-01",
    }
    # The core switch's failure stops remote access; one web server only degrades the portal.
    switch = ConfigurationItem.objects.get(name="sw-hel-core-01")
    reached = {ci.name for ci in impact.analyse([switch.pk]).services()}
    assert "Remote access (VPN)" in reached
    web = impact.analyse([ConfigurationItem.objects.get(name="web-hel-01").pk])
    names = {pk: ci.name for pk, ci in web.load().items()}
    assert {names[pk] for pk in web.degraded_ids()} >= {"Web cluster HEL", "Client portal"}
    assert not web.down_ids()
    assert cmdb.seed(cast, now)["items"] == 0  # once only
