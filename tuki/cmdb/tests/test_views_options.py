"""A CI custom field's picker: the items the reader may read, by search."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tuki.cmdb.tests.conftest import Cmdb
from tuki.conftest import Desk

pytestmark = pytest.mark.django_db

URL = reverse("cmdb:options")


@pytest.mark.parametrize(
    ("role", "status"),
    [("operator", 200), ("specialist", 200), ("admin", 200), ("requester", 404), ("outsider", 404)],
)
def test_who_may_search(desk: Desk, cmdb: Cmdb, role: str, status: int) -> None:
    response = desk.client_for(getattr(desk, role)).get(URL, {"q": "web"})
    assert response.status_code == status


def test_a_visitor_signs_in_first(cmdb: Cmdb) -> None:
    assert Client().get(URL, {"q": "web"}).status_code == 302


def test_items_match_by_name_or_host_name(desk: Desk, cmdb: Cmdb) -> None:
    client = desk.client_for(desk.operator)
    found = client.get(URL, {"q": "web1.example"}).json()["results"]
    assert found == [{"value": str(cmdb.web1.pk), "label": str(cmdb.web1)}]
    assert client.get(URL, {"q": ""}).json()["results"] == []


def test_an_external_agent_finds_only_the_items_they_may_read(desk: Desk, cmdb: Cmdb) -> None:
    client = desk.client_for(cmdb.supplier)
    assert client.get(URL, {"q": "web"}).json()["results"] == []
    assert [r["value"] for r in client.get(URL, {"q": "db1"}).json()["results"]] == [
        str(cmdb.db.pk)
    ]
