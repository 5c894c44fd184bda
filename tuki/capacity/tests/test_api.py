"""The capacity API: metrics in by batch (who may send, field errors by index, all or
nothing), an item's capacity out (who may read it)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from tuki.capacity import services
from tuki.capacity.models import Sample, Series
from tuki.capacity.tests.conftest import METRICS, capacity_url, post, send, token_client
from tuki.conftest import make_user

pytestmark = pytest.mark.django_db


def one(item, **extra):
    return {"ci": item.pk, "metric": "disk_used_pct", "value": 41.5, "unit": "%", **extra}


def test_staff_send_a_batch_by_id_and_by_identifiers(desk, server, disk_threshold):
    at = (timezone.now() - timedelta(hours=1)).isoformat()
    response = post(
        token_client(desk.admin),
        [
            one(server, at=at),
            {"ci": {"hostname": "DB01.example.com."}, "metric": "disk_used_pct", "value": 42},
            {"ci": {"serial_number": "SN-1"}, "metric": "cpu_pct", "value": 12.5, "unit": "%"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 3, "changes": []}
    assert Sample.objects.count() == 3
    series = Series.objects.get(ci=server, metric="disk_used_pct")
    assert series.last_value == 42 and series.unit == "%"


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
        ("operator", 422),  # an agent, not of the item's support group
        ("other_agent", 422),
        ("specialist", 200),  # Network Helsinki supports db01
        ("lead", 200),
        ("admin", 200),
    ],
)
def test_who_may_send_an_items_metrics(desk, server, role, status):
    client = Client() if role == "anonymous" else token_client(getattr(desk, role))
    response = post(client, [one(server)])
    assert response.status_code == status, response.content
    assert Sample.objects.exists() == (status == 200)
    if status == 422:
        assert response.json()["detail"][0]["loc"] == ["body", 0, "ci"]


def test_a_supplier_does_not_learn_of_an_item_it_does_not_support(desk, server):
    from tuki.accounts.models import SupportGroup

    supplier = SupportGroup.objects.create(name="ERP Partner", tier=3)
    partner = make_user("partner@erp.test", "Pertti Partner", is_agent=True)
    supplier.members.add(partner)
    response = post(token_client(partner), [one(server)])
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "not_found"
    assert token_client(partner).get(capacity_url(server)).status_code == 404


@pytest.mark.parametrize(
    ("sample", "loc", "code"),
    [
        ({"value": "lots"}, ["body", 1, "value"], None),
        ({"value": True}, ["body", 1, "value"], None),
        ({"metric": "disk used!"}, ["body", 1, "metric"], "invalid_metric"),
        ({"metric": "x" * 61}, ["body", 1, "metric"], None),
        ({"unit": "u" * 21}, ["body", 1, "unit"], None),
        ({"at": "2026-01-01T10:00:00"}, ["body", 1, "at"], "naive"),
        ({"at": "2999-01-01T10:00:00+00:00"}, ["body", 1, "at"], "future"),
        ({"at": "2001-01-01T10:00:00+00:00"}, ["body", 1, "at"], "too_old"),
        ({"ci": 999999}, ["body", 1, "ci"], "not_found"),
        ({"ci": {"hostname": "nowhere.example.com"}}, ["body", 1, "ci"], "not_found"),
        (
            {"ci": {"hostname": "db01.example.com", "serial_number": "SN-1"}},
            ["body", 1, "ci"],
            "invalid_reference",
        ),
        ({"ci": {}}, ["body", 1, "ci"], "invalid_reference"),
        ({"ci": 2**70}, None, None),
    ],
)
def test_bad_samples_are_named_by_index_and_nothing_is_stored(desk, server, sample, loc, code):
    response = post(token_client(desk.admin), [one(server), one(server, **sample)])
    assert response.status_code == 422, response.content
    detail = response.json()["detail"]
    if loc is not None:
        assert detail[0]["loc"] == loc
    if code is not None:
        assert detail[0]["type"] == code
    assert not Sample.objects.exists() and not Series.objects.exists()


def test_a_body_that_is_not_a_list_or_too_long_is_refused(desk, server):
    client = token_client(desk.admin)
    assert post(client, {"ci": server.pk}).status_code == 422
    response = post(client, [one(server)] * (services.MAX_BATCH + 1))
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "too_many"
    assert not Sample.objects.exists()
    assert post(client, []).json() == {"accepted": 0, "changes": []}


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("anonymous", 401),
        ("requester", 404),
        ("colleague", 404),
        ("outsider", 404),
        ("operator", 200),
        ("specialist", 200),
        ("lead", 200),
        ("other_agent", 200),
        ("admin", 200),
    ],
)
def test_who_reads_an_items_capacity(desk, server, disk_threshold, role, status):
    send(desk, server, [85.0])
    client = Client() if role == "anonymous" else desk.client_for(getattr(desk, role))
    response = client.get(capacity_url(server))
    assert response.status_code == status
    if status == 200:
        [metric] = response.json()
        assert metric["metric"] == "disk_used_pct" and metric["state"] == "warning"
        # The breach's ticket is named to whoever may see it (its desk and group, admins).
        visible = role in ("operator", "specialist", "lead", "admin")
        assert (metric["ticket"] is not None) == visible


def test_an_items_capacity_with_its_forecast(desk, server, disk_threshold):
    now = timezone.now()
    start = now - timedelta(days=20)
    send(desk, server, [50 + 0.5 * d for d in range(21)], start=start, step=timedelta(days=1))
    [metric] = desk.client_for(desk.operator).get(capacity_url(server)).json()
    assert metric["threshold"] == {
        "id": disk_threshold.pk,
        "scope": "class",
        "warning": 80.0,
        "critical": 90.0,
        "direction": "above",
        "hysteresis": 5.0,
    }
    forecast = metric["forecast"]
    assert forecast["slope_per_day"] == pytest.approx(0.5)
    assert forecast["days_fitted"] >= 20
    # 60 today, +0.5 a day: 80 in 40 days, 90 in 60.
    assert forecast["warning"]["likely_days"] == pytest.approx(40, abs=1)
    assert forecast["critical"]["likely_days"] == pytest.approx(60, abs=1)


def test_an_unknown_or_malformed_item_is_a_404_or_422(desk):
    client = desk.client_for(desk.admin)
    assert client.get("/api/v1/cmdb/items/999999/capacity").status_code == 404
    assert client.get("/api/v1/cmdb/items/abc/capacity").status_code == 422
    assert client.get(f"/api/v1/cmdb/items/{2**70}/capacity").status_code == 422
    assert client.get(METRICS).status_code == 405
