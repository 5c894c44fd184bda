"""The capacity API: metrics in by batch (who may send, field errors by index, all or
nothing), an item's capacity out (who may read)."""

from __future__ import annotations

import pytest
from django.test import Client

from tuki.capacity.models import Sample, Series
from tuki.capacity.tests.conftest import capacity_url, post, send, token_client

pytestmark = pytest.mark.django_db


def test_staff_send_a_batch_by_id_and_by_identifiers(desk, server, disk_threshold):
    client = token_client(desk.admin)
    response = post(
        client,
        [
            {"ci": server.pk, "metric": "disk_used_pct", "value": 41.5, "unit": "%",
             "at": "2026-01-01T10:00:00+00:00"},
            {"ci": {"hostname": "DB01.example.com."}, "metric": "disk_used_pct", "value": 42},
            {"ci": {"serial_number": "SN-1"}, "metric": "cpu_pct", "value": 12.5, "unit": "%"},
        ],
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"accepted": 3, "changes": []}
    assert Sample.objects.count() == 3
    series = Series.objects.get(ci=server, metric="disk_used_pct")
    assert series.last_value == 42 and series.unit == "%"
