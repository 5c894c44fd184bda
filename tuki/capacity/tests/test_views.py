"""Capacity pages: the report (agents), the threshold pages (administrators), the CI page's
panel; per role, bad input, query budgets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import timezone

from tuki.capacity import services
from tuki.capacity.models import Threshold
from tuki.capacity.presenting import panel_context
from tuki.capacity.tests.conftest import send
from tuki.cmdb import panels, services as cmdb_services
from tuki.cmdb.models import CIClass
from tuki.conftest import make_user
from tuki.lib.testing import assert_same_count, query_budget

pytestmark = pytest.mark.django_db

REPORT = "/capacity/"
THRESHOLDS = "/capacity/thresholds/"
NEW = "/capacity/thresholds/new/"
# Session, user and the user's group tiers; the count and the page of series; the top item's
# panel (its series, the classes' parents, thresholds, samples); the bell; the filters'
# classes and groups. (+1 for the visible tickets when some series are breached.)
REPORT_QUERIES = 12
THRESHOLD_LIST_QUERIES = 5

READERS = ["operator", "specialist", "lead", "other_agent", "admin"]
NOBODY = ["requester", "colleague", "outsider"]


def client_as(desk, role) -> Client:
    if role == "anonymous":
        return Client()
    if role == "staff":
        return desk.client_for(
            make_user("staff@tuki.test", "Stina Staff", is_agent=True, is_staff=True)
        )
    return desk.client_for(getattr(desk, role))


def growing(desk, name: str, *, start_value: float = 50.0, slope: float = 0.5):
    ci = cmdb_services.create_item(
        desk.admin,
        name=name,
        ci_class=CIClass.objects.get(key="server"),
        support_group=desk.network_hel,
    )
    now = timezone.now()
    values = [start_value + slope * d for d in range(21)]
    send(desk, ci, values, start=now - timedelta(days=20), step=timedelta(days=1))
    return ci


@pytest.mark.parametrize("role", ["anonymous", *NOBODY, *READERS, "staff"])
def test_who_sees_the_report(desk, server, disk_threshold, role):
    send(desk, server, [85.0])
    response = client_as(desk, role).get(REPORT)
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role in NOBODY:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert b"db01" in response.content and b"capacity-panel" in response.content


def test_the_report_lists_breaches_first_then_the_soonest_forecast(desk, disk_threshold):
    later = growing(desk, "slow01", start_value=40, slope=0.2)
    sooner = growing(desk, "fast01", start_value=50, slope=1.0)
    breached = growing(desk, "full01", start_value=85, slope=0.0)
    flat = growing(desk, "flat01", start_value=30, slope=0.0)
    assert services.refresh_forecasts() == 4
    content = desk.client_for(desk.operator).get(REPORT).content.decode()
    order = [content.index(f">{ci.name}<") for ci in (breached, sooner, later, flat)]
    assert order == sorted(order)
    # fast01: 70 now, +1 a day: warning in 10 days, critical in 20.
    assert "likely 10 days" in content and "likely 20 days" in content


def test_the_report_filters_by_class_and_group(desk, disk_threshold):
    growing(desk, "net01")
    app = cmdb_services.create_item(
        desk.admin,
        name="app01",
        ci_class=CIClass.objects.get(key="server"),
        support_group=desk.apps,
    )
    send(desk, app, [10.0])
    client = desk.client_for(desk.operator)
    by_group = client.get(REPORT, {"group": desk.apps.pk}).content.decode()
    assert ">app01<" in by_group and ">net01<" not in by_group
    by_class = client.get(REPORT, {"ci_class": CIClass.objects.get(key="database").pk})
    assert b"capacity-empty" in by_class.content
    assert client.get(REPORT, {"group": "nonsense", "page": "x"}).status_code == 200
    breached = client.get(REPORT, {"breached": "on"}).content.decode()
    assert "capacity-empty" in breached


def test_the_report_has_a_fixed_query_budget(desk, disk_threshold):
    client = desk.client_for(desk.operator)
    client.get(REPORT)
    for i in range(3):
        growing(desk, f"few{i}")
    services.refresh_forecasts()
    with query_budget(REPORT_QUERIES, exact=True) as few:
        assert client.get(REPORT).status_code == 200
    for i in range(27):
        growing(desk, f"many{i}")
    services.refresh_forecasts()
    with query_budget(REPORT_QUERIES, exact=True) as many:
        assert client.get(REPORT).status_code == 200
    assert_same_count(few, many)


@pytest.mark.parametrize("role", ["anonymous", *NOBODY, "operator", "specialist", "admin", "staff"])
def test_only_administrators_reach_the_thresholds(desk, disk_threshold, role):
    client = client_as(desk, role)
    edit = f"/capacity/thresholds/{disk_threshold.pk}/"
    pages = [THRESHOLDS, NEW, edit]
    for url in pages:
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302
        elif role in ("admin", "staff"):
            assert response.status_code == 200
        else:
            assert response.status_code == 404
    response = client.post(f"{edit}delete/")
    assert Threshold.objects.exists() == (role not in ("admin", "staff"))
    if role not in ("anonymous", "admin", "staff"):
        assert response.status_code == 404


def form(**values):
    data = {
        "scope": "class",
        "ci_class": CIClass.objects.get(key="database").pk,
        "metric": "disk_used_pct",
        "direction": "above",
        "warning": "80",
        "critical": "90",
        "hysteresis": "",
        "is_active": "on",
    }
    data.update(values)
    return {k: v for k, v in data.items() if v is not None}


def test_a_threshold_is_made_for_a_class_or_an_item(desk, server):
    client = desk.client_for(desk.admin)
    response = client.post(NEW, form())
    assert response.status_code == 302
    by_class = Threshold.objects.get()
    assert by_class.ci_class.key == "database" and by_class.created_by == desk.admin
    response = client.post(
        NEW,
        form(
            scope="item",
            item="DB01.example.com",
            ci_class=None,
            metric="cpu_pct",
            group=desk.apps.pk,
        ),
    )
    assert response.status_code == 302
    by_item = Threshold.objects.get(metric="cpu_pct")
    assert by_item.ci == server and by_item.group == desk.apps
    response = client.post(
        f"/capacity/thresholds/{by_item.pk}/", form(metric="cpu_pct", warning="70", critical="95")
    )
    assert response.status_code == 302
    by_item.refresh_from_db()
    assert (by_item.warning, by_item.critical, by_item.ci) == (70.0, 95.0, server)
    assert b"cpu_pct" in client.get(THRESHOLDS).content


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"critical": "70"}, "critical"),  # above: critical before warning
        ({"direction": "below", "warning": "10", "critical": "20"}, "critical"),
        ({"warning": "nan"}, "warning"),
        ({"warning": ""}, "warning"),
        ({"metric": "bad metric"}, "metric"),
        ({"hysteresis": "-1"}, "hysteresis"),
        ({"scope": "item", "item": "nowhere", "ci_class": None}, "item"),
        ({"scope": "item", "item": "", "ci_class": None}, "item"),
        ({"scope": "class", "ci_class": ""}, "ci_class"),
        ({"direction": "sideways"}, "direction"),
    ],
)
def test_bad_thresholds_get_field_errors_and_no_row(desk, server, values, field):
    response = desk.client_for(desk.admin).post(NEW, form(**values))
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert not Threshold.objects.exists()


def test_a_second_threshold_for_the_same_place_and_metric_is_refused(desk):
    client = desk.client_for(desk.admin)
    assert client.post(NEW, form()).status_code == 302
    response = client.post(NEW, form(warning="50", critical="60"))
    assert response.status_code == 422 and "metric" in response.context["form"].errors
    assert Threshold.objects.count() == 1


def test_the_ci_page_panel_is_registered_and_costs_fixed_queries(desk, server, disk_threshold):
    assert any(p.key == "capacity" for p in panels.panels())
    assert panel_context(desk.requester, server) is None
    assert panel_context(desk.operator, server) is None  # no metrics yet
    send(
        desk,
        server,
        [50 + d for d in range(10)],
        start=timezone.now() - timedelta(days=9),
        step=timedelta(days=1),
    )
    with query_budget(6) as few:
        context = panel_context(desk.operator, server)
    html = render_to_string("capacity/partials/panel.html", context)
    assert "data-capacity-chart" in html and "Days until warning" in html
    assert "likely 21 days" in html  # 59 today, +1 a day: 80 in 21 days
    for metric in ("cpu_pct", "mem_pct", "seats_used"):
        send(desk, server, [10.0] * 3, metric=metric)
    with query_budget(6) as many:
        context = panel_context(desk.operator, server)
    assert len(context["capacity_metrics"]) == 4
    assert_same_count(few, many)
    shown = panels.rendered_for(desk.operator, server)
    assert [p.key for p, _c in shown if p.key == "capacity"] == ["capacity"]


def test_the_threshold_list_has_a_fixed_query_budget(desk):
    client = desk.client_for(desk.admin)
    client.get(THRESHOLDS)
    server = CIClass.objects.get(key="server")
    for i in range(3):
        services.create_threshold(desk.admin, ci_class=server, metric=f"few{i}", warning=1.0)
    with query_budget(THRESHOLD_LIST_QUERIES, exact=True) as few:
        assert client.get(THRESHOLDS).status_code == 200
    for i in range(27):
        services.create_threshold(
            desk.admin, ci_class=server, metric=f"many{i}", warning=1.0, group=desk.apps
        )
    with query_budget(THRESHOLD_LIST_QUERIES, exact=True) as many:
        assert client.get(THRESHOLDS).status_code == 200
    assert_same_count(few, many)
