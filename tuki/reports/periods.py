"""Report periods: the presets of the report pages and of saved reports, as day ranges.

A period is relative ("last month") so that a saved report shows the current figures when
opened and a scheduled one mails the period that just ended. Days are in the desk's time
zone (settings.TIME_ZONE), first and last day inclusive, as `indicators.Filters` wants them.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.TextChoices):
    THIS_MONTH = "this_month", _("This month")
    LAST_MONTH = "last_month", _("Last month")
    THIS_WEEK = "this_week", _("This week")
    LAST_WEEK = "last_week", _("Last week")
    LAST_12_MONTHS = "last_12_months", _("Last 12 months")
    CUSTOM = "custom", _("Custom")


def _month_start(day: date) -> date:
    return day.replace(day=1)


def _add_months(day: date, months: int) -> date:
    """The first of the month `months` after (or before) the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def bounds(period: str, today: date) -> tuple[date, date]:
    """First and last day of a relative period as seen on `today` (not for CUSTOM)."""
    if period == Period.THIS_MONTH:
        return _month_start(today), today
    if period == Period.LAST_MONTH:
        start = _add_months(today, -1)
        return start, _month_start(today) - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if period == Period.THIS_WEEK:
        return monday, today
    if period == Period.LAST_WEEK:
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if period == Period.LAST_12_MONTHS:
        return _add_months(today, -11), today
    raise ValueError(f"no bounds for period {period!r}")


def default_trend(start: date, end: date) -> str:
    """The time dimension a period reads best in: days up to a month, weeks up to a
    quarter, months beyond."""
    days = (end - start).days + 1
    if days <= 31:
        return "day"
    if days <= 92:
        return "week"
    return "month"
