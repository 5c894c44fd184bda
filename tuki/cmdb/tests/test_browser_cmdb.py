"""The CMDB in real Chromium at a desktop's and a phone's width: the list, an item's page with
its drawing (cytoscape.js draws on a canvas, no console error under the strict CSP), adding a
relation through the search picker, and the ticket page's affected items.

Screenshots: docs/screenshots/cmdb-*.png (kept in the repository, for docs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tuki.cmdb import services
from tuki.cmdb.models import AffectedItem, Relation
from tuki.cmdb.tests.conftest import make_item
from tuki.tickets.tests.test_browser_layout import DESKTOP, PHONE, signed_in

pytestmark = pytest.mark.browser

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def more_items(desk: Any, cmdb: Any) -> None:
    """A third web server, a switch and a site, for a fuller picture."""
    web3 = make_item(desk, "web3", hostname="web3.example.com", support_group=desk.network_hel)
    services.add_relation(desk.admin, web3, "member_of", cmdb.cluster)
    switch = make_item(
        desk, "sw-core-01", "network_device", support_group=desk.network_hel,
        attributes={"device_type": "switch", "ports": 48},
    )  # fmt: skip
    site = make_item(desk, "Helsinki data centre", "site", location=desk.helsinki)
    for server in (cmdb.web1, cmdb.web2, web3):
        services.add_relation(desk.admin, server, "connected_to", switch)
        services.add_relation(desk.admin, server, "depends_on", site)


def test_the_cmdb_at_desktop_and_phone_width(chromium, live_server, desk, cmdb, escalated):
    more_items(desk, cmdb)
    services.name_affected(desk.specialist, escalated, [cmdb.web1])
    DOCS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page = signed_in(chromium, live_server.url, desk.specialist.email, viewport)
        # The list, reached from the navigation.
        page.goto(f"{live_server.url}/cmdb/")
        assert page.locator("#cmdb-table tbody tr").count() == 9
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(DOCS / f"cmdb-list-{label}.png"), full_page=True)

        # An item's page with its drawing.
        page.goto(f"{live_server.url}/cmdb/{cmdb.cluster.pk}/")
        page.wait_for_selector("#ci-graph canvas")
        page.wait_for_selector("#ci-graph[data-drawn]")
        # Two relations away: the servers' switch and site, the application's service and
        # database.
        assert page.get_attribute("#ci-graph", "data-drawn") == "9"
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.screenshot(path=str(DOCS / f"cmdb-item-{label}.png"), full_page=True)

        # The ticket page's affected items: the section loads itself.
        page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
        page.wait_for_selector("#affected-list >> text=web1")
        page.wait_for_selector("#affected-also >> text=Shop application")
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        page.locator("#affected-items").scroll_into_view_if_needed()
        page.locator("#affected-items").screenshot(
            path=str(DOCS / f"cmdb-ticket-affected-{label}.png")
        )
        assert page.errors == []


def test_adding_a_relation_and_an_affected_item_with_the_search_picker(
    chromium, live_server, desk, cmdb, escalated, shoot
):
    page = signed_in(chromium, live_server.url, desk.specialist.email, DESKTOP)
    # The editor: another class brings its attributes (htmx), the lifecycle changes too.
    page.goto(f"{live_server.url}/cmdb/{cmdb.web1.pk}/edit/")
    page.select_option("#id_ci_class", label="Virtual machine")
    page.wait_for_selector("#ci-attributes select[name=attr_hypervisor]")
    page.select_option("select[name=attr_hypervisor]", "KVM")
    page.select_option("#id_lifecycle", "in_stock")
    shoot(page, "editor")
    page.click("#ci-form button[type=submit]")
    page.wait_for_selector("#ci-details >> text=KVM")
    cmdb.web1.refresh_from_db()
    assert cmdb.web1.lifecycle == "in_stock" and cmdb.web1.attributes["hypervisor"] == "KVM"
    assert cmdb.web1.attributes["cpu_cores"] == 4  # a server's attribute: a VM keeps it

    page.goto(f"{live_server.url}/cmdb/{cmdb.web1.pk}/")
    page.select_option("#id_relation", "out:connected_to")
    page.fill("#relation-search", "web2")
    page.wait_for_selector("#relation-results >> text=web2")
    page.click("#relation-add button[type=submit]")
    page.wait_for_selector("#ci-relations >> text=connected to")
    assert Relation.objects.filter(source=cmdb.web1, target=cmdb.web2, type="connected_to").exists()
    # A click on a node of the drawing opens that item.
    page.wait_for_selector("#ci-graph[data-drawn]")

    page.goto(f"{live_server.url}{escalated.get_absolute_url()}")
    page.wait_for_selector("#affected-add")
    page.fill("#affected-search", "cluster")
    page.check("#affected-results input[type=checkbox]")
    page.click("#affected-add button[type=submit]")
    page.wait_for_selector("#affected-list >> text=Web cluster")
    assert list(AffectedItem.objects.values_list("ci__name", flat=True)) == ["Web cluster"]
    # The timeline hears of it.
    page.wait_for_selector("#timeline >> text=Web cluster")
    page.click("#affected-list button[type=submit]")
    page.wait_for_selector("#affected-items >> text=No item named yet.")
    assert not AffectedItem.objects.exists()
    assert page.errors == []
