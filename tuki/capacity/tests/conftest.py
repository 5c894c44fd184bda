"""Capacity fixtures: a server supported by Network Helsinki, a class threshold on its disk,
and a way to send samples through the API as anyone."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tuki.accounts.tokens import issue_token
from tuki.capacity import services
from tuki.capacity.models import Threshold
from tuki.cmdb import services as cmdb_services
from tuki.cmdb.models import CIClass, ConfigurationItem
from tuki.conftest import Desk

METRICS = "/api/v1/metrics"


def capacity_url(ci: ConfigurationItem) -> str:
    return f"/api/v1/cmdb/items/{ci.pk}/capacity"


@pytest.fixture
def server(desk: Desk) -> ConfigurationItem:
    return cmdb_services.create_item(
        desk.admin,
        name="db01",
        ci_class=CIClass.objects.get(key="server"),
        hostname="db01.example.com",
        serial_number="SN-1",
        support_group=desk.network_hel,
    )


@pytest.fixture
def disk_threshold(desk: Desk) -> Threshold:
    return services.create_threshold(
        desk.admin,
        ci_class=CIClass.objects.get(key="server"),
        metric="disk_used_pct",
        warning=80.0,
        critical=90.0,
        hysteresis=5.0,
    )


def post(client: Client, data: Any, **extra: Any):
    return client.post(METRICS, data=json.dumps(data), content_type="application/json", **extra)


def send(
    desk: Desk,
    ci: ConfigurationItem,
    values: list[float],
    *,
    metric: str = "disk_used_pct",
    start: datetime | None = None,
    step: timedelta = timedelta(minutes=5),
):
    """Samples through the service, one batch, oldest first, ending now."""
    start = start or timezone.now() - step * (len(values) - 1)
    return services.record_samples(
        desk.admin,
        [
            services.SampleIn(ci=ci.pk, metric=metric, value=v, unit="%", at=start + step * i)
            for i, v in enumerate(values)
        ],
    )


def token_client(user) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {issue_token(user)}")
