"""Business calendars over REST, under /api/v1/sla/calendars.

Agents and administrators read calendars and use the calculator; only administrators
create or change them. Instants in query strings are ISO 8601; one without an offset is
read in the calendar's own time zone, and a `+` that the query string turned into a space
is put back. Answers are in UTC.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from ninja import Field, Router
from ninja.errors import ValidationError

from tuki.calendars import access, services
from tuki.calendars.arithmetic import add_business_minutes, business_minutes_between
from tuki.calendars.models import Calendar
from tuki.lib.bounds import Id, Schema
from tuki.lib.http import ApiRequest

router = Router(tags=["sla"])

# Ten years of round-the-clock minutes: more is a typing error, not a service level.
MAX_MINUTES = 10 * 366 * 24 * 60
MAX_SPAN = timedelta(minutes=MAX_MINUTES)

Periods = list[list[str]]
_LOST_PLUS = re.compile(r"(.+[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})")


class CalendarIn(Schema):
    name: str
    time_zone: str = "UTC"
    week: dict[str, Periods] = Field(
        default_factory=dict,
        description='Periods per weekday (mon..sun), e.g. {"mon": [["08:00", "16:00"]]}; '
        'absent days are closed, an end at or before the start crosses midnight, "24:00" '
        "ends a day.",
    )
    holidays: list[str] = Field(
        default_factory=list, description="Custom closed days (YYYY-MM-DD)."
    )
    holiday_country: str = Field("", description="ISO 3166 code whose public holidays close.")
    holiday_subdivision: str = ""
    extra_working_days: dict[str, Periods] = Field(
        default_factory=dict, description="Dates worked anyway, with their periods."
    )
    always_open: bool = False
    is_default: bool = False


class CalendarOut(Schema):
    id: int
    name: str
    time_zone: str
    week: dict[str, Periods]
    holidays: list[str]
    holiday_country: str
    holiday_subdivision: str
    extra_working_days: dict[str, Periods]
    always_open: bool
    is_default: bool

    @staticmethod
    def resolve_holidays(obj: Calendar) -> list[str]:
        return list(obj.closed_days)


class DeadlineOut(Schema):
    deadline: datetime


class ElapsedOut(Schema):
    minutes: float


@router.get("", response=list[CalendarOut], summary="Business calendars")
def list_calendars(request: ApiRequest) -> Any:
    return list(access.calendars_for_user(request.user))


@router.post("", response={201: CalendarOut}, summary="Create a business calendar (admins)")
def create_calendar(request: ApiRequest, payload: CalendarIn) -> Any:
    data = services.CalendarInput(**payload.dict())
    return 201, services.create_calendar(request.user, data)


@router.get("/{int:calendar_id}", response=CalendarOut, summary="One business calendar")
def get_calendar(request: ApiRequest, calendar_id: Id) -> Any:
    return access.get_calendar_for_user(request.user, calendar_id)


@router.put("/{int:calendar_id}", response=CalendarOut, summary="Replace a calendar (admins)")
def update_calendar(request: ApiRequest, calendar_id: Id, payload: CalendarIn) -> Any:
    calendar = access.get_calendar_for_user(request.user, calendar_id)
    return services.update_calendar(
        request.user, calendar, services.CalendarInput(**payload.dict())
    )


@router.get(
    "/{int:calendar_id}/deadline",
    response=DeadlineOut,
    summary="When `minutes` of business time after `start` have passed",
)
def deadline(request: ApiRequest, calendar_id: Id, start: str, minutes: float) -> Any:
    calendar = access.get_calendar_for_user(request.user, calendar_id)
    begin = _instant(start, "start", calendar)
    if not 0 <= minutes <= MAX_MINUTES:
        _refuse("minutes", _("Give between 0 and %(max)d minutes.") % {"max": MAX_MINUTES})
    try:
        return {"deadline": add_business_minutes(calendar.schedule(), begin, minutes)}
    except ValueError:
        _refuse("minutes", _("This calendar has no working time to reach that deadline."))
    except OverflowError:
        _refuse("start", _("Dates so near the ends of the calendar cannot be computed."))


@router.get(
    "/{int:calendar_id}/elapsed",
    response=ElapsedOut,
    summary="Business minutes between `start` and `end`",
)
def elapsed(request: ApiRequest, calendar_id: Id, start: str, end: str) -> Any:
    calendar = access.get_calendar_for_user(request.user, calendar_id)
    begin = _instant(start, "start", calendar)
    finish = _instant(end, "end", calendar)
    if finish < begin:
        _refuse("end", _("The end is before the start."))
    if finish - begin > MAX_SPAN:
        _refuse("end", _("The end may be at most ten years after the start."))
    try:
        return {"minutes": business_minutes_between(calendar.schedule(), begin, finish)}
    except OverflowError:
        _refuse("start", _("Dates so near the ends of the calendar cannot be computed."))


def _instant(value: str, name: str, calendar: Calendar) -> datetime:
    text = value.strip()
    lost_plus = _LOST_PLUS.fullmatch(text)  # "…T08:00 02:00": an unescaped "+" read as a space
    if lost_plus:
        text = f"{lost_plus[1]}+{lost_plus[2]}"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        _refuse(name, _("Not an ISO 8601 date and time, e.g. 2026-03-02T08:00:00+02:00."))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(calendar.time_zone))
    return moment


def _refuse(name: str, message: str) -> Any:
    raise ValidationError([{"loc": ["query", name], "msg": message, "type": "value_error"}])
