"""Identification and feeding: a record finds its item by serial number, host name, asset
tag (and, where the source allows, name and class); a re-run changes nothing; a record
naming two items is a conflict and writes nothing."""

from __future__ import annotations

import pytest

from tuki.cmdb import feed, services
from tuki.cmdb.identify import identify
from tuki.cmdb.models import CIClass, CIHistory, ConfigurationItem, DataSource, Relation

pytestmark = pytest.mark.django_db


@pytest.fixture
def sccm(db):
    return DataSource.objects.create(key="sccm", name="SCCM", rank=10)


def _server(name, **kw):
    return services.create_item(None, name=name, ci_class=CIClass.objects.get(key="server"), **kw)


FEED = [
    {
        "class": "server",
        "name": "web01",
        "serial_number": "SN-1",
        "hostname": "WEB01.example.com.",
        "attributes": {"cpu_cores": 4, "os": "Debian 12"},
        "relations": [{"type": "member_of", "target": {"name": "web", "class": "cluster"}}],
    },
    {"class": "cluster", "name": "web", "asset_tag": "A-7"},
    {
        "class": "application",
        "name": "shop",
        "relations": [{"type": "runs_on", "target": {"hostname": "web01.example.com"}}],
    },
]


def test_identification_order_and_normalisation(desk):
    a = _server("a", serial_number="SN-1")
    b = _server("b", hostname="b.example.com")
    c = _server("c", asset_tag="T-3")
    assert identify({"serial_number": " SN-1 "}).item == a
    assert identify({"hostname": "B.Example.COM."}).item == b
    found = identify({"asset_tag": "T-3", "hostname": "unknown.example.com"})
    assert (found.item, found.by) == (c, "asset_tag")
    assert identify({"name": "a"}).item is None  # not by name unless the source says so
    assert identify({"name": "a"}, ci_class=a.ci_class, by_name=True).item == a
    conflict = identify({"serial_number": "SN-1", "hostname": "b.example.com"})
    assert conflict.item is None
    assert [(k, i.pk) for k, i in conflict.conflict] == [
        ("serial_number", a.pk),
        ("hostname", b.pk),
    ]


def test_a_retired_item_is_found_when_no_current_one_has_the_identifier(desk):
    old = _server("old", serial_number="SN-9", lifecycle="retired")
    assert identify({"serial_number": "SN-9"}).item == old
    new = _server("new", serial_number="SN-9")
    assert identify({"serial_number": "SN-9"}).item == new


def test_a_feed_creates_then_a_rerun_changes_nothing(desk, sccm):
    results = feed.run(None, sccm, FEED)
    assert [r.status for r in results] == ["created", "created", "created"]
    assert [r.errors for r in results] == [[], [], []]
    web01 = ConfigurationItem.objects.get(name="web01")
    assert web01.hostname == "web01.example.com" and web01.sources["os"] == "sccm"
    assert Relation.objects.filter(removed_at__isnull=True).count() == 2
    assert results[0].relations_added == 1 and results[0].changed == ["relations"]
    counts = (
        ConfigurationItem.objects.count(),
        Relation.objects.count(),
        CIHistory.objects.count(),
    )
    again = feed.run(None, sccm, FEED)
    assert [r.status for r in again] == ["unchanged"] * 3
    assert (
        ConfigurationItem.objects.count(),
        Relation.objects.count(),
        CIHistory.objects.count(),
    ) == counts


def test_an_update_names_its_changed_fields(desk, sccm):
    feed.run(None, sccm, FEED[:1])
    changed = dict(FEED[0], attributes={"cpu_cores": 8, "os": "Debian 12"}, relations=[])
    (result,) = feed.run(None, sccm, [changed])
    assert (result.status, result.changed) == ("updated", ["attributes.cpu_cores"])


def test_a_conflict_writes_nothing_and_the_others_go_on(desk, sccm):
    a = _server("a", serial_number="SN-1")
    _server("b", hostname="b.example.com")
    before = CIHistory.objects.count()
    results = feed.run(
        None,
        sccm,
        [
            {"name": "x", "serial_number": "SN-1", "hostname": "b.example.com", "description": "!"},
            {"class": "server", "name": "c", "attributes": {"cpu_cores": "lots"}},
            {"class": "nope", "name": "d"},
            {"class": "server", "name": "e", "owner": "nobody@example.com"},
            {"class": "server", "name": "f", "lifecycle": "operational"},
        ],
    )
    assert [r.status for r in results] == ["conflict", "error", "error", "error", "created"]
    assert results[1].errors[0].field == "attributes.cpu_cores"
    assert results[2].errors[0].field == "class"
    assert results[3].errors[0].field == "owner"
    a.refresh_from_db()
    assert a.description == ""
    assert CIHistory.objects.count() == before + 1  # f's creation only
    assert not ConfigurationItem.objects.filter(name__in=["c", "d", "e"]).exists()


def test_a_missing_relation_target_is_reported_on_the_written_item(desk, sccm):
    (result,) = feed.run(
        None,
        sccm,
        [
            {
                "class": "server",
                "name": "lonely",
                "relations": [
                    {"type": "runs_on", "target": {"hostname": "nowhere.example.com"}},
                    {"type": "eats", "target": {"name": "x"}},
                ],
            }
        ],
    )
    assert result.status == "created"
    assert [e.field for e in result.errors] == ["relations.0.target", "relations.1.type"]


def test_by_name_for_a_source_that_allows_it(desk, sccm):
    ci = _server("plain")
    sccm.match_by_name = True
    sccm.save()
    (result,) = feed.run(None, sccm, [{"class": "server", "name": "plain", "description": "d"}])
    assert (result.status, result.id) == ("updated", ci.pk)


def test_a_dry_run_writes_nothing(desk, sccm):
    results = feed.run(None, sccm, FEED, dry_run=True)
    assert [r.status for r in results] == ["created"] * 3
    assert not ConfigurationItem.objects.exists()
    assert not Relation.objects.exists()
