"""Business calendars: when SLA clocks run.

The rows hold what an administrator typed (local wall times as "HH:MM" strings, ISO dates);
`Calendar.schedule()` turns them into the pure `arithmetic.Schedule` the SLA code computes
with. Validation lives in `tuki.calendars.validation`, shared by the service, the admin
form and the API.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from tuki.calendars.arithmetic import Period, Schedule

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS_OPEN_NAME = "24×7"


def parse_time(value: str) -> time:
    """ "HH:MM" (or "HH:MM:SS") as a time; "24:00" is midnight at the end of the day."""
    if value in ("24:00", "24:00:00"):
        return time(0)
    return time.fromisoformat(value)


def parse_periods(raw: Any) -> tuple[Period, ...]:
    return tuple((parse_time(start), parse_time(end)) for start, end in raw)


class Calendar(models.Model):
    """One set of working hours in one time zone, with its holidays (e.g. "Helsinki office")."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("An IANA name, e.g. Europe/Helsinki."),
    )
    week = models.JSONField(
        _("working periods"),
        default=dict,
        blank=True,
        help_text=_(
            'Per weekday, a list of ["HH:MM", "HH:MM"] periods, e.g. {"mon": [["08:00", "16:00"]]}. '
            "Absent days are closed; an end at or before the start crosses midnight; "
            '"24:00" ends a day.'
        ),
    )
    holiday_country = models.CharField(
        _("public holidays of"),
        max_length=3,
        blank=True,
        help_text=_("ISO 3166 country code (e.g. FI, RO) whose public holidays are closed."),
    )
    holiday_subdivision = models.CharField(
        _("subdivision"),
        max_length=10,
        blank=True,
        help_text=_("Optional region code within the country, as the holidays package names it."),
    )
    closed_days = models.JSONField(
        _("closed days"),
        default=list,
        blank=True,
        help_text=_('Extra closed dates, e.g. ["2026-12-24"].'),
    )
    extra_working_days = models.JSONField(
        _("extra working days"),
        default=dict,
        blank=True,
        help_text=_(
            "Dates worked although closed or not in the week, with their periods, e.g. "
            '{"2026-06-06": [["09:00", "13:00"]]}. They replace the week and holidays.'
        ),
    )
    always_open = models.BooleanField(
        _("24×7"),
        default=False,
        help_text=_("The clock always runs; periods and holidays are ignored."),
    )
    is_default = models.BooleanField(
        _("default"), default=False, help_text=_("Used where no agreement names a calendar.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="calendars_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> Schedule:
        """The pure schedule to compute with; cached per saved version of the row.

        The cache keeps the schedule's own per-day cache warm between tickets; a changed
        row has a new `updated_at`, hence a new entry.
        """
        if self.pk is None:
            return self._build_schedule()
        key = (self.pk, self.updated_at)
        found = _SCHEDULES.get(key)
        if found is None:
            if len(_SCHEDULES) > 256:
                _SCHEDULES.clear()
            found = _SCHEDULES[key] = self._build_schedule()
        return found

    @classmethod
    def schedule_of(cls, pk: int, updated_at: Any = None) -> Schedule | None:
        """The schedule of the calendar saved at `updated_at`, with no query when this
        process has it already (lists read both from their rows); None if it is gone."""
        found = _SCHEDULES.get((pk, updated_at)) if updated_at is not None else None
        if found is not None:
            return found
        calendar = cls.objects.filter(pk=pk).first()
        return calendar.schedule() if calendar is not None else None

    def _build_schedule(self) -> Schedule:
        return Schedule(
            time_zone=self.time_zone,
            week={
                n: parse_periods(self.week.get(day, []))
                for n, day in enumerate(WEEKDAYS)
                if self.week.get(day)
            },
            closed_days=frozenset(date.fromisoformat(d) for d in self.closed_days),
            extra_days={
                date.fromisoformat(d): parse_periods(periods)
                for d, periods in self.extra_working_days.items()
            },
            always_open=self.always_open,
            holiday_country=self.holiday_country,
            holiday_subdivision=self.holiday_subdivision,
        )

    @classmethod
    def default(cls) -> Calendar:
        """The default calendar; a 24×7 one is created (and made default) if none is marked."""
        found = cls.objects.filter(is_default=True).first()
        if found is not None:
            return found
        try:
            with transaction.atomic():
                found, _created = cls.objects.get_or_create(
                    name=ALWAYS_OPEN_NAME,
                    defaults={"always_open": True, "is_default": True, "time_zone": "UTC"},
                )
        except IntegrityError:
            # Another process made the default (or the 24×7 row) at the same moment.
            found = cls.objects.filter(is_default=True).first() or cls.objects.get(
                name=ALWAYS_OPEN_NAME
            )
        return found


_SCHEDULES: dict[tuple[int, Any], Schedule] = {}
