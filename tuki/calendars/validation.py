"""Checking what an administrator typed for a calendar, one field at a time.

Shared by the service (hence the API) and the admin form, so both refuse the same input
with the same words. Each check returns the cleaned value or raises `ServiceError` naming
the field (API names: `holidays` is the model's `closed_days`).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any
from zoneinfo import available_timezones

import holidays
from django.utils.translation import gettext as _

from tuki.calendars.arithmetic import find_overlap
from tuki.calendars.models import WEEKDAYS, parse_periods
from tuki.lib.errors import ServiceError

_TIME = re.compile(r"^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$")
RawPeriods = list[list[str]]


def day_label(day: str) -> str:
    labels = {
        "mon": _("Monday"),
        "tue": _("Tuesday"),
        "wed": _("Wednesday"),
        "thu": _("Thursday"),
        "fri": _("Friday"),
        "sat": _("Saturday"),
        "sun": _("Sunday"),
    }
    return labels.get(day, day)


def clean_name(value: Any) -> str:
    name = str(value or "").strip()
    if not name:
        raise ServiceError(_("Give the calendar a name."), field="name", code="required")
    if len(name) > 100:
        raise ServiceError(_("At most 100 characters."), field="name", code="too_long")
    return name


def clean_time_zone(value: Any) -> str:
    zone = str(value or "").strip()
    if zone not in _zones():
        raise ServiceError(
            _("Unknown time zone %(zone)s: use an IANA name such as Europe/Helsinki.")
            % {"zone": zone or '""'},
            field="time_zone",
            code="unknown_time_zone",
        )
    return zone


def clean_holiday_region(country: Any, subdivision: Any) -> tuple[str, str]:
    country = str(country or "").strip().upper()
    subdivision = str(subdivision or "").strip().upper()
    if not country:
        if subdivision:
            raise ServiceError(
                _("A subdivision needs a country."),
                field="holiday_subdivision",
                code="subdivision_without_country",
            )
        return "", ""
    supported = holidays.list_supported_countries()
    if country not in supported:
        raise ServiceError(
            _("No public holidays are known for country code %(code)s.") % {"code": country},
            field="holiday_country",
            code="unknown_country",
        )
    if subdivision and subdivision not in {s.upper() for s in supported[country]}:
        raise ServiceError(
            _("%(country)s has no subdivision %(code)s; known: %(known)s.")
            % {"country": country, "code": subdivision, "known": ", ".join(supported[country])},
            field="holiday_subdivision",
            code="unknown_subdivision",
        )
    return country, subdivision


def clean_week(value: Any, *, always_open: bool) -> dict[str, RawPeriods]:
    """Per weekday key, cleaned periods; refuses overlaps (also across midnight)."""
    if value is None:
        value = {}
    if not isinstance(value, dict):
        raise ServiceError(_("Give the week as an object of weekdays."), field="week")
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise ServiceError(
            _("Unknown weekday %(day)s: use %(days)s.")
            % {"day": unknown[0], "days": ", ".join(WEEKDAYS)},
            field="week",
            code="unknown_weekday",
        )
    week = {
        day: _clean_periods(value[day], "week", day_label(day))
        for day in WEEKDAYS
        if value.get(day)
    }
    overlap = find_overlap({n: parse_periods(week.get(day, [])) for n, day in enumerate(WEEKDAYS)})
    if overlap:
        first_day, first, second_day, second = overlap
        raise ServiceError(
            _("%(day)s %(period)s overlaps %(other_day)s %(other)s.")
            % {
                "day": day_label(WEEKDAYS[second_day]),
                "period": _show(second),
                "other_day": day_label(WEEKDAYS[first_day]),
                "other": _show(first),
            },
            field="week",
            code="overlap",
        )
    if not week and not always_open:
        raise ServiceError(
            _("Give at least one working period, or make the calendar 24×7."),
            field="week",
            code="no_working_time",
        )
    return week


def clean_dates(value: Any, field: str = "holidays") -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ServiceError(_("Give a list of dates (YYYY-MM-DD)."), field=field)
    return sorted({_parse_date(item, field).isoformat() for item in value})


def clean_extra_days(value: Any) -> dict[str, RawPeriods]:
    field = "extra_working_days"
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ServiceError(_("Give an object of dates and their periods."), field=field)
    result: dict[str, RawPeriods] = {}
    for raw_day, periods in sorted(value.items()):
        day = _parse_date(raw_day, field).isoformat()
        cleaned = _clean_periods(periods, field, day)
        if not cleaned:
            raise ServiceError(_("%(day)s: give its working periods.") % {"day": day}, field=field)
        if find_overlap({0: parse_periods(cleaned)}):
            raise ServiceError(
                _("%(day)s: its periods overlap.") % {"day": day}, field=field, code="overlap"
            )
        result[day] = cleaned
    return result


def _clean_periods(value: Any, field: str, where: str) -> RawPeriods:
    if not isinstance(value, list | tuple):
        raise ServiceError(
            _('%(where)s: give a list of ["HH:MM", "HH:MM"] periods.') % {"where": where},
            field=field,
        )
    periods: RawPeriods = []
    for period in value:
        if not isinstance(period, list | tuple) or len(period) != 2:
            raise ServiceError(
                _('%(where)s: a period is a pair ["HH:MM", "HH:MM"].') % {"where": where},
                field=field,
                code="malformed_period",
            )
        start, end = (str(t).strip() for t in period)
        for moment in (start, end):
            if not _TIME.match(moment):
                raise ServiceError(
                    _("%(where)s: %(time)s is not a time (HH:MM, 00:00 to 24:00).")
                    % {"where": where, "time": moment or '""'},
                    field=field,
                    code="malformed_time",
                )
        if start == "24:00":
            raise ServiceError(
                _("%(where)s: a period cannot start at 24:00; use 00:00 of the next day.")
                % {"where": where},
                field=field,
                code="malformed_time",
            )
        periods.append([start, end])
    return sorted(periods)


def _parse_date(value: Any, field: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ServiceError(
            _("%(value)s is not a date (YYYY-MM-DD).") % {"value": value},
            field=field,
            code="malformed_date",
        ) from None


def _show(period: tuple[Any, Any]) -> str:
    start, end = period
    end_text = "24:00" if end.hour == 0 and end.minute == 0 else end.strftime("%H:%M")
    return f"{start.strftime('%H:%M')}–{end_text}"


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())
