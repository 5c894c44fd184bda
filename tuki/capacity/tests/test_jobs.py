"""The periodic jobs: old samples deleted in batches, forecasts refreshed when stale."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tuki.capacity import services
from tuki.capacity.models import Sample, Series
from tuki.capacity.tests.conftest import send
from tuki.lib import periodic

pytestmark = pytest.mark.django_db


def test_the_jobs_are_registered():
    names = {job.name for job in periodic.jobs()}
    assert {"capacity.purge_old_samples", "capacity.refresh_forecasts"} <= names


def test_old_samples_are_deleted_in_batches(desk, server, settings):
    settings.CAPACITY_RETENTION_DAYS = 30
    send(desk, server, [1.0, 2.0, 3.0])
    s = Series.objects.get()
    now = timezone.now()
    Sample.objects.bulk_create(
        [Sample(series=s, at=now - timedelta(days=31 + i), value=float(i)) for i in range(7)]
    )
    assert services.purge_old_samples(batch=2, max_batches=2) == 4  # two batches this run
    assert services.purge_old_samples(batch=2) == 3  # the rest at the next
    assert services.purge_old_samples(batch=2) == 0
    assert Sample.objects.count() == 3
    assert Series.objects.get().last_value == 3.0  # the series and its state stay


def test_the_retention_defaults_to_400_days(settings):
    del settings.CAPACITY_RETENTION_DAYS
    assert services.retention_days() == 400


def test_forecasts_are_refreshed_when_stale(desk, server, disk_threshold):
    now = timezone.now()
    send(
        desk,
        server,
        [50 + d for d in range(10)],
        start=now - timedelta(days=9),
        step=timedelta(days=1),
    )
    assert services.refresh_forecasts(now=now) == 1
    s = Series.objects.get()
    assert s.slope_per_day == pytest.approx(1.0)
    assert s.threshold == disk_threshold
    # 59 now, +1 a day: warning (80) in 21 days; the series is ok, so that is its next breach.
    assert (s.warning_likely - now).total_seconds() / 86400 == pytest.approx(21, abs=0.6)
    assert s.next_breach_at == s.warning_likely
    assert services.refresh_forecasts(now=now) == 0  # fresh
    # A new sample: forecast again, but not more than once an hour.
    send(desk, server, [60.0])
    assert services.refresh_forecasts(now=now + timedelta(minutes=5)) == 0
    assert services.refresh_forecasts(now=now + timedelta(hours=2)) == 1
    # A changed threshold: forecast again at once.
    services.update_threshold(desk.admin, disk_threshold, warning=70.0)
    assert services.refresh_forecasts(now=now + timedelta(hours=2)) == 1
