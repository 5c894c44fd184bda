"""The calendar form used by the admin: the service's checks, errors next to their fields."""

from __future__ import annotations

from typing import Any

from django import forms

from tuki.calendars.models import Calendar
from tuki.calendars.services import CalendarInput, clean_calendar_input
from tuki.lib.errors import ServiceError

# The service speaks the API's names; the form the model's.
_FORM_FIELD = {"holidays": "closed_days"}


class CalendarForm(forms.ModelForm):
    class Meta:
        model = Calendar
        fields = [
            "name",
            "time_zone",
            "week",
            "holiday_country",
            "holiday_subdivision",
            "closed_days",
            "extra_working_days",
            "always_open",
            "is_default",
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data  # malformed JSON already has its message
        try:
            clean = clean_calendar_input(self.calendar_input(data), instance=self.instance)
        except ServiceError as exc:
            field = _FORM_FIELD.get(exc.field or "", exc.field)
            self.add_error(field if field in self.fields else None, exc.message)
            return data
        data.update(
            name=clean.name,
            time_zone=clean.time_zone,
            week=clean.week,
            holiday_country=clean.holiday_country,
            holiday_subdivision=clean.holiday_subdivision,
            closed_days=clean.holidays,
            extra_working_days=clean.extra_working_days,
        )
        return data

    @staticmethod
    def calendar_input(data: dict[str, Any]) -> CalendarInput:
        return CalendarInput(
            name=data.get("name", ""),
            time_zone=data.get("time_zone", ""),
            week=data.get("week") or {},
            holidays=data.get("closed_days") or [],
            holiday_country=data.get("holiday_country", ""),
            holiday_subdivision=data.get("holiday_subdivision", ""),
            extra_working_days=data.get("extra_working_days") or {},
            always_open=bool(data.get("always_open")),
            is_default=bool(data.get("is_default")),
        )
