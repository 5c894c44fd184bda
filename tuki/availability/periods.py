"""The report's periods: this month, last month, the last 90 days, or two dates, as
instants at midnight in the desk's time zone (the last day included)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from tuki.lib.errors import ServiceError

THIS_MONTH, LAST_MONTH, LAST_90, CUSTOM = "this_month", "last_month", "last_90", "custom"
CHOICES = [
    (THIS_MONTH, _("This month")),
    (LAST_MONTH, _("Last month")),
    (LAST_90, _("Last 90 days")),
    (CUSTOM, _("From … to …")),
]
MAX_DAYS = 3 * 366


@dataclass(frozen=True)
class Period:
    key: str
    first: date
    last: date

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.first, time()))

    @property
    def end(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.last + timedelta(days=1), time()))


def today() -> date:
    return timezone.localdate()


def named(key: str, day: date | None = None) -> Period:
    day = day or today()
    if key == LAST_MONTH:
        last = day.replace(day=1) - timedelta(days=1)
        return Period(key, last.replace(day=1), last)
    if key == LAST_90:
        return Period(key, day - timedelta(days=89), day)
    return Period(THIS_MONTH, day.replace(day=1), day)


def _date(query: Mapping[str, Any], name: str) -> date:
    raw = query.get(name) or ""
    try:
        return date.fromisoformat(str(raw))
    except ValueError:
        raise ServiceError(
            gettext("Enter a date as YYYY-MM-DD."), field=name, code="invalid"
        ) from None


def from_dates(first: date, last: date) -> Period:
    if last < first:
        raise ServiceError(gettext("The end is before the start."), field="end", code="range")
    if (last - first).days > MAX_DAYS:
        raise ServiceError(gettext("At most three years at a time."), field="end", code="range")
    return Period(CUSTOM, first, last)


def parse(query: Mapping[str, Any]) -> Period:
    """The period a query string asks for (this month by default)."""
    key = query.get("period") or (CUSTOM if query.get("start") else THIS_MONTH)
    if key not in dict(CHOICES):
        raise ServiceError(gettext("Unknown period."), field="period", code="invalid")
    if key != CUSTOM:
        return named(key)
    return from_dates(_date(query, "start"), _date(query, "end"))
