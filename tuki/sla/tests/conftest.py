"""SLA fixtures: an office calendar, a standard policy, and a clock tests can set."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from tuki.calendars import models as calendar_models
from tuki.calendars.models import Calendar
from tuki.sla.models import OlaTarget, SlaPolicy, SlaTarget

HEL = ZoneInfo("Europe/Helsinki")
_REAL_NOW = timezone.now


def hel(day: int, hour: int, minute: int = 0) -> datetime:
    """March 2025 in Helsinki: the 3rd is a Monday."""
    return datetime(2025, 3, day, hour, minute, tzinfo=HEL)


class Frozen:
    """`timezone.now()` and every `default=timezone.now` field answer `self.now`."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, now: datetime) -> None:
        self.now = now
        monkeypatch.setattr(timezone, "now", self)
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.default is _REAL_NOW:
                    monkeypatch.setattr(field, "_get_default", self)

    def __call__(self) -> datetime:
        return self.now

    def at(self, moment: datetime) -> Frozen:
        self.now = moment
        return self

    def tick(self, **delta: float) -> Frozen:
        self.now += timedelta(**delta)
        return self


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> Frozen:
    # Calendar.schedule() caches per (row id, updated_at) in the process; with a frozen
    # clock and ids reused after each test's rollback, another test's entry would match.
    monkeypatch.setattr(calendar_models, "_SCHEDULES", {})
    return Frozen(monkeypatch, hel(3, 9))


@dataclass
class Sla:
    office: Calendar
    policy: SlaPolicy


@pytest.fixture
def sla(desk) -> Sla:
    """Office hours in Helsinki (Mon-Fri 08-16); every priority: first response 1 h,
    next response 2 h, resolution 8 h; Network Helsinki has 4 h of its own (OLA)."""
    office = Calendar.objects.create(
        name="Helsinki office",
        time_zone="Europe/Helsinki",
        week={day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
    )
    policy = SlaPolicy.objects.create(name="Standard", order=100, calendar=office)
    for priority in range(1, 6):
        SlaTarget.objects.create(
            policy=policy,
            priority=priority,
            first_response_minutes=60,
            next_response_minutes=120,
            resolution_minutes=480,
        )
    OlaTarget.objects.create(policy=policy, group=desk.network_hel, minutes=240)
    return Sla(office=office, policy=policy)
