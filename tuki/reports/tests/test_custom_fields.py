"""Breakdowns by custom fields (choice, multi-choice, checkbox), their labels in the reader's
language, exports, and status names in the reader's language."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from tuki.lib.testing import Queries, assert_same_count, query_budget
from tuki.reports import indicators
from tuki.reports.tests.pages import MARCH, World
from tuki.tickets import services
from tuki.tickets.models import CustomField, Status

pytestmark = pytest.mark.django_db

DISK = [
    {"value": "ssd", "label": "SSD", "labels": {"fi": "SSD-levy"}},
    {"value": "hdd", "label": "Hard disk", "labels": {"fi": "Kiintolevy"}},
]


@pytest.fixture
def custom(world: World) -> World:
    """Disk: ssd, ssd, hdd, not set, not set. Ports: [ssd, hdd], [ssd], none... VIP: 2 ticked,
    1 unticked, 2 never set."""
    CustomField.objects.create(
        key="disk", label="Disk", labels={"fi": "Levy"}, type="choice", choices=DISK
    )
    CustomField.objects.create(key="ports", label="Ports", type="multi_choice", choices=DISK)
    CustomField.objects.create(
        key="vip", label="VIP", labels={"fi": "VIP-asiakas"}, type="checkbox"
    )
    CustomField.objects.create(key="room", label="Room", type="text")  # never a breakdown
    values: list[dict[str, Any]] = [
        {"disk": "ssd", "ports": ["ssd", "hdd"], "vip": True},
        {"disk": "ssd", "ports": ["ssd"], "vip": True},
        {"disk": "hdd", "vip": False},
        {},
        {"room": "B2"},
    ]
    for ticket, custom in zip(world.tickets, values, strict=True):
        if custom:
            services.update_ticket(world.desk.operator, ticket, custom=custom)
    return world


def rows(world: World, by: str) -> dict[str, tuple[str, int]]:
    result = indicators.compute(world.analyst, "volume", _march(), by)
    return {cell.key: (cell.label, cell.count) for cell in result.rows}


def _march() -> Any:
    from tuki.reports.filters import Filters

    return Filters.from_query({"start": "2026-03-01", "end": "2026-03-31"})


def test_a_choice_field_counts_each_value_and_the_unset(custom: World):
    assert rows(custom, "custom.disk") == {
        "ssd": ("SSD", 2),
        "hdd": ("Hard disk", 1),
        "none": ("Not set", 2),
    }


def test_a_multi_choice_ticket_counts_under_each_of_its_choices(custom: World):
    result = indicators.compute(custom.analyst, "volume", _march(), "custom.ports")
    assert {c.key: c.count for c in result.rows} == {"ssd": 2, "hdd": 1, "none": 3}
    assert result.total.count == 5  # the total counts each ticket once


def test_a_checkbox_counts_yes_no_and_not_set(custom: World):
    assert rows(custom, "custom.vip") == {
        "true": ("Yes", 2),
        "false": ("No", 1),
        "none": ("Not set", 2),
    }


def test_other_types_and_unknown_keys_are_no_breakdown(custom: World):
    for by in ("custom.room", "custom.nope"):
        with pytest.raises(indicators.FilterError):
            indicators.compute(custom.analyst, "volume", _march(), by)
    CustomField.objects.filter(key="disk").update(is_active=False)
    assert indicators.dimension("custom.disk") is None


def test_every_number_opens_exactly_its_tickets(custom: World):
    client = custom.client(custom.analyst)
    for by, key, count in [
        ("custom.disk", "ssd", 2),
        ("custom.disk", "none", 2),
        ("custom.ports", "hdd", 1),
        ("custom.ports", "ssd", 2),
        ("custom.ports", "none", 3),
        ("custom.vip", "false", 1),
        ("custom.vip", "true", 2),
    ]:
        response = client.get(f"/reports/volume/tickets/?{MARCH}&by={by}&key={key}")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == count, (by, key)


def test_the_page_offers_and_labels_the_fields_in_the_readers_language(custom: World):
    client = custom.client(custom.manager)  # Finnish
    page = client.get(f"/reports/volume/?{MARCH}&by=custom.disk").content.decode()
    assert 'value="custom.disk"' in page and 'value="custom.vip"' in page
    assert 'value="custom.room"' not in page
    assert ">Levy<" in page and "VIP-asiakas" in page
    assert "SSD-levy" in page and "Kiintolevy" in page


def test_the_export_has_the_custom_rows_in_the_readers_language(custom: World):
    response = custom.client(custom.manager).get(
        f"/reports/volume/export.csv?{MARCH}&by=custom.disk"
    )
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0][0] == "Levy"
    counts = {line[0]: line[2] for line in lines[1:]}
    assert counts["SSD-levy"] == "2" and counts["Kiintolevy"] == "1"
    assert len(counts) == 4  # ssd, hdd, not set, the total


def test_the_api_takes_a_custom_breakdown_and_refuses_an_unknown_one(custom: World):
    client = custom.client(custom.analyst)
    ok = client.get(
        "/api/v1/reports/indicators/volume?start=2026-03-01&end=2026-03-31&by=custom.vip"
    )
    assert ok.status_code == 200
    assert {r["key"]: r["count"] for r in ok.json()["rows"]} == {"true": 2, "false": 1, "none": 2}
    bad = client.get("/api/v1/reports/indicators/volume?by=custom.nope")
    assert bad.status_code == 422


def test_permission_is_unchanged(custom: World):
    path = f"/reports/volume/?{MARCH}&by=custom.disk"
    assert custom.client(custom.desk.requester).get(path).status_code == 404
    assert custom.client(custom.desk.specialist).get(path).status_code == 403


def test_the_report_page_does_not_grow_with_custom_fields(custom: World):
    client = custom.client(custom.manager)
    client.get("/reports/saved/")

    def count(n: int) -> Queries:
        for i in range(CustomField.objects.count(), n):
            CustomField.objects.create(
                key=f"extra_{i}", label=f"Extra {i}", type="choice", choices=DISK
            )
        client.get(f"/reports/volume/?{MARCH}&by=custom.disk")  # definitions: read once
        with query_budget() as queries:
            assert client.get(f"/reports/volume/?{MARCH}&by=custom.disk").status_code == 200
        return queries

    assert_same_count(count(6), count(30))


def test_statuses_show_in_the_readers_language(custom: World):
    Status.objects.filter(key="new").update(names={"fi": "Vastaanotettu"})
    Status.objects.filter(key="assigned").update(names={"fi": "Jonossa"})
    client = custom.client(custom.manager)  # Finnish
    page = client.get(f"/reports/volume/tickets/?{MARCH}").content.decode()
    assert "Vastaanotettu" in page or "Jonossa" in page
    assert ">New<" not in page and ">Assigned<" not in page
