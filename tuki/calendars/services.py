"""Writing business calendars: the only way in for the API, the admin and commands.

Only administrators (staff) change calendars; every field is checked before anything is
written (tuki.calendars.validation), and a calendar made default takes over from the old
one in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.calendars import validation
from tuki.calendars.models import Calendar
from tuki.lib.errors import ServiceError


@dataclass
class CalendarInput:
    """What a calendar is made of, as typed (times "HH:MM", dates "YYYY-MM-DD")."""

    name: str
    time_zone: str = "UTC"
    week: dict[str, Any] = field(default_factory=dict)
    holidays: list[Any] = field(default_factory=list)  # custom closed days
    holiday_country: str = ""
    holiday_subdivision: str = ""
    extra_working_days: dict[str, Any] = field(default_factory=dict)
    always_open: bool = False
    is_default: bool = False


def may_change_calendars(user: User) -> bool:
    return user.is_authenticated and user.role == "admin"


def clean_calendar_input(data: CalendarInput, *, instance: Calendar | None = None) -> CalendarInput:
    """`data` with every field checked and normalised; ServiceError names the first bad one."""
    name = validation.clean_name(data.name)
    taken = Calendar.objects.filter(name__iexact=name)
    if instance is not None and instance.pk is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise ServiceError(
            _("A calendar named %(name)s exists already.") % {"name": name},
            field="name",
            code="duplicate",
        )
    country, subdivision = validation.clean_holiday_region(
        data.holiday_country, data.holiday_subdivision
    )
    return CalendarInput(
        name=name,
        time_zone=validation.clean_time_zone(data.time_zone),
        week=validation.clean_week(data.week, always_open=bool(data.always_open)),
        holidays=validation.clean_dates(data.holidays),
        holiday_country=country,
        holiday_subdivision=subdivision,
        extra_working_days=validation.clean_extra_days(data.extra_working_days),
        always_open=bool(data.always_open),
        is_default=bool(data.is_default),
    )


def create_calendar(actor: User, data: CalendarInput) -> Calendar:
    """A new calendar from `data`; refused for non-administrators and bad input."""
    return update_calendar(actor, Calendar(), data)


def update_calendar(actor: User, calendar: Calendar, data: CalendarInput) -> Calendar:
    """Replace every field of `calendar` with `data` (an unsaved `calendar` is created)."""
    _check_may_change(actor)
    clean = clean_calendar_input(data, instance=calendar)
    with transaction.atomic():
        _apply(calendar, clean)
        return calendar


def _apply(calendar: Calendar, clean: CalendarInput) -> None:
    if clean.is_default:
        # One default at a time (a partial unique constraint backs this up).
        others = Calendar.objects.filter(is_default=True)
        if calendar.pk is not None:
            others = others.exclude(pk=calendar.pk)
        # Saves, not update(): the audit trail (tuki/audit) records the default moving.
        for other in others:
            other.is_default = False
            other.save(update_fields=["is_default"])
    calendar.name = clean.name
    calendar.time_zone = clean.time_zone
    calendar.week = clean.week
    calendar.closed_days = clean.holidays
    calendar.holiday_country = clean.holiday_country
    calendar.holiday_subdivision = clean.holiday_subdivision
    calendar.extra_working_days = clean.extra_working_days
    calendar.always_open = clean.always_open
    calendar.is_default = clean.is_default
    calendar.save()


def _check_may_change(actor: User) -> None:
    if not may_change_calendars(actor):
        raise PermissionDenied(_("Only administrators may change business calendars."))


# --- deleting --------------------------------------------------------------------------------


def calendar_users(calendar: Calendar) -> list[str]:
    """What still names `calendar` in its settings, e.g. "SLA policy: Standard".

    Found through the relations other apps declare to Calendar (this app knows none of them):
    every optional, editable reference is a setting someone chose (policies, agreements,
    offices...). Required references (an SLA clock's calendar) are records of work done with
    it; they fall back to the default calendar and do not keep it.
    """
    users: list[str] = []
    for relation in Calendar._meta.get_fields(include_hidden=True):
        if not (relation.one_to_many and relation.auto_created and not relation.concrete):
            continue
        remote: Any = relation.remote_field  # the ForeignKey of the other model
        if not (remote is not None and remote.blank and remote.editable):
            continue
        model: Any = relation.related_model
        rows = model._default_manager.filter(**{remote.name: calendar})
        label = str(model._meta.verbose_name)
        users += [f"{label[:1].upper()}{label[1:]}: {row}" for row in rows[:50]]
    return sorted(users)


def delete_calendar(actor: User, calendar: Calendar) -> None:
    """Delete `calendar`; refused for the default one and for one a setting still names."""
    _check_may_change(actor)
    if calendar.is_default:
        raise ServiceError(
            _("The default calendar cannot be deleted: make another one the default first."),
            code="default",
        )
    users = calendar_users(calendar)
    if users:
        raise ServiceError(
            _("Still used by: %(users)s. Choose another calendar there first.")
            % {"users": "; ".join(users)},
            code="in_use",
        )
    with transaction.atomic():
        calendar.delete()


# --- one closed day at a time ----------------------------------------------------------------


def input_of(calendar: Calendar) -> CalendarInput:
    """`calendar` as it is saved, to change one part of it through update_calendar."""
    return CalendarInput(
        name=calendar.name,
        time_zone=calendar.time_zone,
        week=dict(calendar.week),
        holidays=list(calendar.closed_days),
        holiday_country=calendar.holiday_country,
        holiday_subdivision=calendar.holiday_subdivision,
        extra_working_days=dict(calendar.extra_working_days),
        always_open=calendar.always_open,
        is_default=calendar.is_default,
    )


def add_closed_day(actor: User, calendar: Calendar, day: date) -> Calendar:
    """Close `calendar` on `day` (a holiday of its own); adding it twice changes nothing."""
    data = input_of(calendar)
    data.holidays = [*data.holidays, day.isoformat()]
    return update_calendar(actor, calendar, data)


def remove_closed_day(actor: User, calendar: Calendar, day: date) -> Calendar:
    """Open `calendar` again on `day` by its week (public holidays stay closed)."""
    data = input_of(calendar)
    data.holidays = [d for d in data.holidays if d != day.isoformat()]
    return update_calendar(actor, calendar, data)
