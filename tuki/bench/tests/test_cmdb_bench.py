"""The CMDB benchmark's graph: its layers, its size, and no duplicate or self relation.

Speed is never asserted here; `tuki bench impact` measures it."""

from __future__ import annotations

import pytest

from tuki.bench import cmdb
from tuki.cmdb.models import ConfigurationItem, Relation
from tuki.conftest import ensure_cmdb

pytestmark = pytest.mark.bench


@pytest.mark.django_db
def test_the_graph_has_every_layer_and_five_relations_per_item():
    ensure_cmdb()  # a transactional test before this one on this worker flushed the classes
    graph = cmdb.build(3000, seed=1)
    assert ConfigurationItem.objects.count() == graph.describe()["cis"] == 3000
    assert Relation.objects.count() == graph.relations == 15000
    by_type = {
        t: Relation.objects.filter(type=t).count()
        for t in ("runs_on", "depends_on", "member_of", "connected_to")
    }
    assert all(by_type.values()), by_type
    assert graph.impact_relations == 15000 - by_type["connected_to"]
    layers = set(ConfigurationItem.objects.values_list("ci_class__layer", flat=True))
    assert layers == {"business", "application", "technical", "component"}
    assert (
        ConfigurationItem.objects.filter(
            ci_class__key="business_service", service__isnull=False
        ).count()
        == 9
    )
    vm = ConfigurationItem.objects.filter(ci_class__key="virtual_machine").first()
    assert vm.relations_out.filter(type="runs_on", target__ci_class__key="server").count() == 1
    assert vm.hostname.endswith(".bench.example")
    # Built again (another size): what was there is replaced, and the services go on from there.
    cmdb.build(1000, seed=2)
    assert ConfigurationItem.objects.count() == 1000
    from tuki.cmdb import services
    from tuki.cmdb.models import CIClass

    services.create_item(None, name="after", ci_class=CIClass.objects.get(key="server"))
