"""The alerts pages and the CI page's section: who sees what, filters, query budgets."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client

from tuki.accounts.models import SupportGroup
from tuki.cmdb import panels
from tuki.lib.testing import assert_same_count, query_budget
from tuki.monitoring import services
from tuki.monitoring.models import Alert
from tuki.monitoring.payloads import Incoming
from tuki.monitoring.views import ci_panel_context

pytestmark = pytest.mark.django_db

LIST_QUERIES = 7  # session, user, groups (twice), count, page, unread notifications
DETAIL_QUERIES = 6


def make_alerts(world, n, ci="web01.example.com", prefix="A"):
    services.receive(
        world.source,
        [
            Incoming(name=f"{prefix}{i}", status="firing", ci=ci, fingerprint=f"{prefix}{i}")
            for i in range(n)
        ],
    )


@pytest.mark.parametrize(
    "role, status",
    [
        ("operator", 200),
        ("specialist", 200),
        ("other_agent", 200),
        ("lead", 200),
        ("admin", 200),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
    ],
)
def test_pages_per_role(desk, world, role, status):
    make_alerts(world, 1)
    alert = Alert.objects.get()
    client = desk.client_for(getattr(desk, role))
    assert client.get("/monitoring/alerts/").status_code == status
    response = client.get(f"/monitoring/alerts/{alert.pk}/")
    assert response.status_code == status
    if status == 200:
        assert alert.name.encode() in response.content


def test_anonymous_visitors_sign_in_first(world):
    response = Client().get("/monitoring/alerts/")
    assert response.status_code == 302 and "/login" in response["Location"]


def test_an_unknown_alert_is_a_404(desk, world):
    client = desk.client_for(desk.operator)
    assert client.get("/monitoring/alerts/999999/").status_code == 404


def test_the_incident_is_named_only_to_who_may_see_it(desk, world):
    make_alerts(world, 1)
    alert = Alert.objects.select_related("group__ticket").get()
    number = f'class="ticket-number">{alert.group.ticket.number}<'.encode()
    seen = desk.client_for(desk.specialist).get(f"/monitoring/alerts/{alert.pk}/")
    assert number in seen.content
    hidden = desk.client_for(desk.other_agent).get(f"/monitoring/alerts/{alert.pk}/")
    assert number not in hidden.content


def test_an_external_agent_sees_only_the_alerts_of_their_groups_items(desk, world):
    supplier = SupportGroup.objects.create(name="Supplier", tier=SupportGroup.Tier.SUPPLIER)
    supplier.members.add(desk.other_agent)
    desk.apps.members.remove(desk.other_agent)
    make_alerts(world, 1)
    alert = Alert.objects.get()
    client = desk.client_for(desk.other_agent)
    assert client.get(f"/monitoring/alerts/{alert.pk}/").status_code == 404
    assert alert.name.encode() not in client.get("/monitoring/alerts/").content


def test_filters(desk, world):
    make_alerts(world, 2)
    make_alerts(world, 1, ci="db01", prefix="B")
    services.receive(
        world.source,
        [Incoming(name="A0", status="resolved", ci="web01.example.com", fingerprint="A0")],
    )
    client = desk.client_for(desk.operator)
    page = client.get("/monitoring/alerts/?state=resolved").content.decode()
    assert ">A0<" in page and ">A1<" not in page
    page = client.get(f"/monitoring/alerts/?ci={world.db01.pk}").content.decode()
    assert ">B0<" in page and ">A1<" not in page
    page = client.get("/monitoring/alerts/?severity=info&state=nonsense&ci=x").content.decode()
    assert "No alerts." in page


def test_the_list_has_a_fixed_query_budget(desk, world):
    client = desk.client_for(desk.operator)
    client.get("/monitoring/alerts/")
    make_alerts(world, 3)
    with query_budget(LIST_QUERIES, exact=True) as few:
        client.get("/monitoring/alerts/")
    make_alerts(world, 30, ci="db01", prefix="B")
    with query_budget(LIST_QUERIES, exact=True) as many:
        client.get("/monitoring/alerts/")
    assert_same_count(few, many)
    alert = Alert.objects.first()
    with query_budget(DETAIL_QUERIES):
        client.get(f"/monitoring/alerts/{alert.pk}/")


def test_the_ci_page_section(desk, world):
    assert any(p.key == "monitoring" for p in panels.panels())
    assert ci_panel_context(desk.operator, world.web01) is None  # nothing yet
    make_alerts(world, 2)
    assert ci_panel_context(desk.requester, world.web01) is None
    context = ci_panel_context(desk.operator, world.web01)
    assert context is not None and len(context["alerts"]) == 2
    html = render_to_string("monitoring/partials/ci_panel.html", context)
    assert "A0" in html and "A1" in html
    with query_budget(2):
        ci_panel_context(desk.operator, world.web01)
