"""The CMDB API: reading per role (a 404 for what one may not read), the upsert for staff
administrators with one result per item, item and relation writes, bad input as 422."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tuki.accounts.models import SupportGroup
from tuki.cmdb import services
from tuki.cmdb.models import CIClass, ConfigurationItem, DataSource, Relation
from tuki.conftest import Desk, make_user
from tuki.lib.testing import assert_same_count, query_budget

API = "/api/v1/cmdb"
READERS = ["operator", "specialist", "lead", "other_agent"]
NOT_READERS = ["requester", "colleague", "outsider"]


def call(client: Client, method: str, url: str, data: object = None):
    kwargs: dict = {"content_type": "application/json"}
    if data is not None:
        kwargs["data"] = json.dumps(data)
    return getattr(client, method)(url, **kwargs)


@pytest.fixture
def items(desk: Desk):
    server = CIClass.objects.get(key="server")
    db = services.create_item(
        desk.admin,
        name="db01",
        ci_class=server,
        hostname="db01.example.com",
        serial_number="SN-DB01",
        support_group=desk.network_hel,
        attributes={"cpu_cores": 8},
    )
    app = services.create_item(
        desk.admin, name="crm", ci_class=CIClass.objects.get(key="application")
    )
    relation = services.add_relation(desk.admin, app, "runs_on", db)
    return db, app, relation


@pytest.fixture
def sccm(db):
    return DataSource.objects.create(key="sccm", name="SCCM", rank=10)


def test_anonymous_gets_401(desk: Desk, items) -> None:
    assert Client().get(f"{API}/items").status_code == 401
    assert (
        call(Client(), "post", f"{API}/items/upsert", {"source": "csv", "items": []}).status_code
        == 401
    )


@pytest.mark.parametrize("role", NOT_READERS)
def test_requesters_read_nothing(desk: Desk, items, role: str) -> None:
    db, app, relation = items
    client = desk.client_for(getattr(desk, role))
    for url in (f"{API}/items", f"{API}/items/{db.pk}", f"{API}/classes"):
        assert client.get(url).status_code == 404, url
    assert (
        call(client, "post", f"{API}/items/upsert", {"source": "csv", "items": []}).status_code
        == 404
    )
    assert call(client, "patch", f"{API}/items/{db.pk}", {"name": "x"}).status_code == 404
    assert (
        call(
            client,
            "post",
            f"{API}/items/{app.pk}/relations",
            {"type": "depends_on", "target": db.pk},
        ).status_code
        == 404
    )
    assert (
        call(client, "delete", f"{API}/items/{app.pk}/relations/{relation.pk}").status_code == 404
    )
    assert Relation.objects.get(pk=relation.pk).removed_at is None


@pytest.mark.parametrize("role", READERS)
def test_agents_read_but_only_administrators_feed(desk: Desk, items, role: str) -> None:
    db, app, relation = items
    client = desk.client_for(getattr(desk, role))
    listed = client.get(f"{API}/items").json()
    assert {i["name"] for i in listed["items"]} == {"db01", "crm"}
    detail = client.get(f"{API}/items/{db.pk}").json()
    assert detail["class"] == "server" and detail["attributes"] == {"cpu_cores": 8}
    assert [(r["type"], r["direction"], r["item"]["name"]) for r in detail["relations"]] == [
        ("runs_on", "in", "crm")
    ]
    upsert = {"source": "csv", "items": [{"class": "server", "name": "x"}]}
    assert call(client, "post", f"{API}/items/upsert", upsert).status_code == 403
    assert call(client, "post", f"{API}/items", {"class": "server", "name": "x"}).status_code == 403
    assert not ConfigurationItem.objects.filter(name="x").exists()
    # The support group's members change its items; the others may not.
    response = call(client, "patch", f"{API}/items/{db.pk}", {"description": "by " + role})
    member = desk.network_hel.members.filter(pk=getattr(desk, role).pk).exists()
    assert response.status_code == (200 if member else 403)


def test_an_external_agent_reads_only_the_items_of_their_groups(desk: Desk, items) -> None:
    db, app, _relation = items
    supplier = SupportGroup.objects.create(name="Supplier", tier=SupportGroup.Tier.SUPPLIER)
    vendor = make_user("vendor@example.com", "Vendor", is_agent=True)
    supplier.members.add(vendor)
    services.update_item(desk.admin, db, support_group=supplier)
    client = desk.client_for(vendor)
    assert [i["name"] for i in client.get(f"{API}/items").json()["items"]] == ["db01"]
    assert client.get(f"{API}/items/{app.pk}").status_code == 404
    assert client.get(f"{API}/items/{db.pk}").json()["relations"] == []  # crm is not theirs


def test_list_filters_and_keyset_pages_with_a_fixed_number_of_queries(desk: Desk, items) -> None:
    client = desk.client_for(desk.operator)
    client.get(f"{API}/items")
    assert [i["name"] for i in client.get(f"{API}/items?class=server").json()["items"]] == ["db01"]
    assert client.get(f"{API}/items?layer=business").json()["items"] == []
    assert len(client.get(f"{API}/items?hostname=DB01.example.com.").json()["items"]) == 1
    assert len(client.get(f"{API}/items?serial_number=SN-DB01").json()["items"]) == 1
    assert len(client.get(f"{API}/items?q=crm").json()["items"]) == 1
    assert client.get(f"{API}/items?lifecycle=retired").json()["items"] == []
    assert client.get(f"{API}/items?layer=nowhere").status_code == 422
    assert client.get(f"{API}/items?cursor=99999999999999999999").status_code == 422
    with query_budget(6, exact=False) as few:
        client.get(f"{API}/items")
    server = CIClass.objects.get(key="server")
    for n in range(30):
        services.create_item(desk.admin, name=f"s{n:02}", ci_class=server)
    with query_budget(6, exact=False) as many:
        first = client.get(f"{API}/items?limit=20").json()
    assert_same_count(few, many)
    second = client.get(f"{API}/items?limit=20&cursor={first['next_cursor']}").json()
    assert len(first["items"]) == 20 and len(second["items"]) == 12
    assert second["next_cursor"] is None


def test_classes_with_their_inherited_attributes(desk: Desk) -> None:
    classes = {c["key"]: c for c in desk.client_for(desk.operator).get(f"{API}/classes").json()}
    vm = classes["virtual_machine"]
    assert vm["parent"] == "server"
    keys = [(a["key"], a["defined_by"]) for a in vm["attributes"]]
    assert keys[0] == ("os", "server") and ("hypervisor", "virtual_machine") in keys


def test_upsert_creates_updates_and_reports_per_item(desk: Desk, items, sccm) -> None:
    db, _app, _relation = items
    client = desk.client_for(desk.admin)
    body = {
        "source": "sccm",
        "items": [
            {
                "class": "server",
                "name": "db01",
                "hostname": "DB01.EXAMPLE.COM",
                "attributes": {"cpu_cores": 16},
            },
            {
                "class": "virtual_machine",
                "name": "vm1",
                "serial_number": "VM-1",
                "attributes": {"hypervisor": "KVM"},
                "relations": [{"type": "runs_on", "target": {"serial_number": "SN-DB01"}}],
            },
            {"class": "server", "name": "bad", "attributes": {"cpu_cores": "many"}},
            {
                "class": "server",
                "name": "clash",
                "serial_number": "VM-1",
                "hostname": "db01.example.com",
            },
        ],
    }
    response = call(client, "post", f"{API}/items/upsert", body)
    assert response.status_code == 200, response.content
    data = response.json()
    results = data["items"]
    # db01 was created by a person, who ranks first: SCCM's CPU cores are skipped.
    assert [r["status"] for r in results] == ["unchanged", "created", "error", "conflict"]
    assert results[0]["skipped"] == ["attributes.cpu_cores"] and results[0]["id"] == db.pk
    assert results[1]["relations_added"] == 1 and results[1]["changed"] == ["relations"]
    assert results[2]["errors"] == [
        {"field": "attributes.cpu_cores", "msg": "Enter a whole number.", "type": "invalid"}
    ]
    assert results[3]["errors"][0]["type"] == "conflict"
    assert data["summary"] == {
        "created": 1,
        "updated": 0,
        "unchanged": 1,
        "conflict": 1,
        "error": 1,
    }
    body["items"][1]["attributes"] = {"hypervisor": "Xen"}
    again = call(client, "post", f"{API}/items/upsert", body).json()["items"]
    assert [r["status"] for r in again] == ["unchanged", "updated", "error", "conflict"]
    assert again[1]["changed"] == ["attributes.hypervisor"] and again[1]["relations_added"] == 0
    # A person's edit of what SCCM set wins over SCCM's next run.
    vm = again[1]["id"]
    call(client, "patch", f"{API}/items/{vm}", {"attributes": {"hypervisor": "KVM"}})
    third = call(client, "post", f"{API}/items/upsert", body).json()["items"]
    assert third[1]["status"] == "unchanged" and third[1]["skipped"] == ["attributes.hypervisor"]
    assert not ConfigurationItem.objects.filter(name__in=["bad", "clash"]).exists()


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"source": "sccm"},
        {"source": "sccm", "items": "x"},
        {"source": "sccm", "items": [{"name": 3}]},
        {"source": "sccm", "items": [{"relations": [{"type": "eats", "target": {}}]}]},
        {"source": "sccm", "items": [{"name": "x"}] * 1001},
        {"source": "nope", "items": []},
        {"source": "sccm", "items": [{"name": "a\x00b"}]},
    ],
)
def test_upsert_refuses_a_malformed_body(desk: Desk, sccm, body) -> None:
    response = call(desk.client_for(desk.admin), "post", f"{API}/items/upsert", body)
    assert response.status_code == 422, response.content
    assert not ConfigurationItem.objects.exists()


def test_create_patch_and_relations(desk: Desk, items) -> None:
    db, app, relation = items
    client = desk.client_for(desk.admin)
    response = call(
        client,
        "post",
        f"{API}/items",
        {
            "class": "database",
            "name": "crm-db",
            "attributes": {"engine": "PostgreSQL"},
            "owner": desk.lead.pk,
        },
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["owner"] == desk.lead.email and created["sources"]["engine"] == "manual"
    bad = call(
        client,
        "post",
        f"{API}/items",
        {"class": "database", "name": "x", "attributes": {"engine": "dBase"}},
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == [
        "body",
        "attributes.engine",
    ]
    assert call(client, "post", f"{API}/items", {"class": "nope", "name": "x"}).status_code == 422
    assert (
        call(
            client, "post", f"{API}/items", {"class": "server", "name": "x", "organisation": 999999}
        ).status_code
        == 422
    )
    dup = call(
        client,
        "post",
        f"{API}/items",
        {"class": "server", "name": "x", "hostname": "db01.example.com"},
    )
    assert dup.status_code == 422 and dup.json()["detail"][0]["loc"] == ["body", "hostname"]
    patched = call(
        client, "patch", f"{API}/items/{db.pk}", {"lifecycle": "retired", "description": None}
    )
    assert patched.status_code == 200 and patched.json()["changed"] == ["lifecycle"]
    assert call(client, "patch", f"{API}/items/{db.pk}", {"name": None}).status_code == 422
    assert call(client, "get", f"{API}/items/999999").status_code == 404
    added = call(
        client,
        "post",
        f"{API}/items/{created['id']}/relations",
        {"type": "runs_on", "target": db.pk},
    )
    assert added.status_code == 201 and added.json()["item"]["id"] == db.pk
    assert (
        call(
            client,
            "post",
            f"{API}/items/{created['id']}/relations",
            {"type": "member_of", "target": db.pk},
        ).status_code
        == 422
    )
    assert (
        call(
            client,
            "post",
            f"{API}/items/{created['id']}/relations",
            {"type": "runs_on", "target": 999999},
        ).status_code
        == 422
    )
    assert call(client, "delete", f"{API}/items/{db.pk}/relations/{relation.pk}").status_code == 204
    assert Relation.objects.get(pk=relation.pk).removed_at is not None
    assert call(client, "delete", f"{API}/items/{db.pk}/relations/{relation.pk}").status_code == 404
    assert (
        call(client, "delete", f"{API}/items/{created['id']}/relations/{relation.pk}").status_code
        == 404
    )
