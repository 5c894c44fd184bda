"""Calendar rows, their schedules, the default calendar and the writing service."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied

from tuki.calendars.arithmetic import add_business_minutes
from tuki.calendars.models import ALWAYS_OPEN_NAME, Calendar
from tuki.calendars.services import CalendarInput, create_calendar, update_calendar
from tuki.lib.errors import ServiceError

WEEKDAYS_8_16 = {day: [["08:00", "16:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def helsinki_input(**change: Any) -> CalendarInput:
    values: dict[str, Any] = {
        "name": "Helsinki office",
        "time_zone": "Europe/Helsinki",
        "week": WEEKDAYS_8_16,
        "holiday_country": "fi",
    }
    return CalendarInput(**(values | change))


class TestSchedule:
    def test_schedule_reflects_the_row(self, desk) -> None:
        calendar = create_calendar(
            desk.admin,
            helsinki_input(
                week=WEEKDAYS_8_16 | {"sat": [["22:00", "24:00"]]},
                holidays=["2026-12-31"],
                extra_working_days={"2026-06-06": [["09:00", "13:00"]]},
                holiday_subdivision="01",
            ),
        )
        sched = calendar.schedule()
        assert sched.time_zone == "Europe/Helsinki"
        assert sched.week[0] == ((time(8), time(16)),)
        assert sched.week[5] == ((time(22), time(0)),)
        assert sched.week[6] == ()
        assert sched.closed_days == frozenset({date(2026, 12, 31)})
        assert sched.extra_days == {date(2026, 6, 6): ((time(9), time(13)),)}
        assert (sched.holiday_country, sched.holiday_subdivision) == ("FI", "01")

    def test_schedule_is_cached_until_the_row_changes(self, desk) -> None:
        calendar = create_calendar(desk.admin, helsinki_input())
        first = calendar.schedule()
        assert Calendar.objects.get().schedule() is first
        update_calendar(desk.admin, calendar, helsinki_input(time_zone="Europe/Bucharest"))
        again = Calendar.objects.get().schedule()
        assert again is not first and again.time_zone == "Europe/Bucharest"

    def test_unsaved_calendar_has_a_schedule_too(self) -> None:
        calendar = Calendar(name="x", week={"mon": [["08:00", "16:00"]]})
        assert calendar.schedule().week[0] == ((time(8), time(16)),)

    def test_schedule_computes_finnish_deadlines(self, desk) -> None:
        sched = create_calendar(desk.admin, helsinki_input()).schedule()
        zone = ZoneInfo("Europe/Helsinki")
        start = datetime(2027, 12, 3, 15, tzinfo=zone)  # Friday before Independence Day
        assert add_business_minutes(sched, start, 120) == datetime(2027, 12, 7, 9, tzinfo=zone)


class TestDefault:
    def test_a_24x7_calendar_is_made_when_none_is_default(self, db) -> None:
        calendar = Calendar.default()
        assert calendar.always_open and calendar.is_default
        assert calendar.name == ALWAYS_OPEN_NAME
        assert Calendar.default() == calendar
        assert Calendar.objects.count() == 1

    def test_the_marked_calendar_is_the_default(self, desk) -> None:
        marked = create_calendar(desk.admin, helsinki_input(is_default=True))
        assert Calendar.default() == marked

    def test_marking_another_default_unmarks_the_first(self, desk) -> None:
        first = create_calendar(desk.admin, helsinki_input(is_default=True))
        second = create_calendar(desk.admin, helsinki_input(name="Bucharest", is_default=True))
        first.refresh_from_db()
        assert not first.is_default and second.is_default
        assert Calendar.default() == second


class TestService:
    @pytest.mark.parametrize("role", ["operator", "specialist", "requester"])
    def test_only_administrators_write(self, desk, role) -> None:
        with pytest.raises(PermissionDenied):
            create_calendar(getattr(desk, role), helsinki_input())
        assert not Calendar.objects.exists()

    def test_input_is_normalised(self, desk) -> None:
        calendar = create_calendar(
            desk.admin,
            helsinki_input(
                name="  Helsinki office ",
                week={"mon": [["12:00", "16:00"], ["08:00", "11:00"]]},
                holidays=["2026-12-31", "2026-12-24", "2026-12-31"],
            ),
        )
        assert calendar.name == "Helsinki office"
        assert calendar.week == {"mon": [["08:00", "11:00"], ["12:00", "16:00"]]}
        assert calendar.closed_days == ["2026-12-24", "2026-12-31"]
        assert calendar.holiday_country == "FI"

    def test_refused_update_changes_nothing(self, desk) -> None:
        calendar = create_calendar(desk.admin, helsinki_input())
        with pytest.raises(ServiceError) as refused:
            update_calendar(desk.admin, calendar, helsinki_input(name="New", time_zone="Nowhere"))
        assert refused.value.field == "time_zone"
        calendar.refresh_from_db()
        assert calendar.name == "Helsinki office"

    def test_name_is_unique_whatever_the_case(self, desk) -> None:
        create_calendar(desk.admin, helsinki_input())
        with pytest.raises(ServiceError) as refused:
            create_calendar(desk.admin, helsinki_input(name="HELSINKI OFFICE"))
        assert refused.value.field == "name"

    def test_renaming_itself_is_not_a_duplicate(self, desk) -> None:
        calendar = create_calendar(desk.admin, helsinki_input())
        update_calendar(desk.admin, calendar, helsinki_input(name="helsinki office"))
        assert Calendar.objects.get().name == "helsinki office"

    def test_subdivision_needs_a_country(self, desk) -> None:
        with pytest.raises(ServiceError) as refused:
            create_calendar(
                desk.admin, helsinki_input(holiday_country="", holiday_subdivision="01")
            )
        assert refused.value.field == "holiday_subdivision"
