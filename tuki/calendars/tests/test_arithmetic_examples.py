"""Calendar arithmetic, hand-checked examples: weekends, holidays, DST, midnight, pauses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from tuki.calendars.arithmetic import (
    Schedule,
    add_business_minutes,
    business_minutes_between,
    find_overlap,
)

HELSINKI = ZoneInfo("Europe/Helsinki")
BUCHAREST = ZoneInfo("Europe/Bucharest")
OFFICE = ((time(8), time(16)),)


def office(zone: str, country: str = "", **extra: object) -> Schedule:
    """Mon-Fri 08-16, the typical service desk day."""
    return Schedule(zone, {day: OFFICE for day in range(5)}, holiday_country=country, **extra)


def every_day(zone: str, periods: tuple = OFFICE, **extra: object) -> Schedule:
    return Schedule(zone, {day: periods for day in range(7)}, **extra)


def hel(*args: int) -> datetime:
    return datetime(*args, tzinfo=HELSINKI)


def buc(*args: int) -> datetime:
    return datetime(*args, tzinfo=BUCHAREST)


class TestWeekends:
    def test_friday_afternoon_deadline_lands_on_monday(self) -> None:
        sched = office("Europe/Helsinki")
        deadline = add_business_minutes(sched, hel(2026, 3, 6, 15), 120)  # a Friday
        assert deadline == hel(2026, 3, 9, 9)

    def test_result_is_utc(self) -> None:
        deadline = add_business_minutes(office("Europe/Helsinki"), hel(2026, 3, 6, 15), 120)
        assert deadline.tzinfo == UTC
        assert deadline == datetime(2026, 3, 9, 7, tzinfo=UTC)

    def test_start_on_saturday_counts_from_monday_morning(self) -> None:
        sched = office("Europe/Helsinki")
        assert add_business_minutes(sched, hel(2026, 3, 7, 11), 30) == hel(2026, 3, 9, 8, 30)

    def test_weekend_counts_nothing(self) -> None:
        sched = office("Europe/Helsinki")
        assert business_minutes_between(sched, hel(2026, 3, 6, 16), hel(2026, 3, 9, 8)) == 0

    def test_a_full_week_is_forty_hours(self) -> None:
        sched = office("Europe/Helsinki")
        assert business_minutes_between(sched, hel(2026, 3, 2), hel(2026, 3, 9)) == 40 * 60

    def test_ending_exactly_at_closing_time(self) -> None:
        sched = office("Europe/Helsinki")
        assert add_business_minutes(sched, hel(2026, 3, 2, 8), 480) == hel(2026, 3, 2, 16)

    def test_zero_minutes_is_the_start_itself(self) -> None:
        sched = office("Europe/Helsinki")
        assert add_business_minutes(sched, hel(2026, 3, 7, 11), 0) == hel(2026, 3, 7, 11)

    def test_fractional_minutes(self) -> None:
        sched = office("Europe/Helsinki")
        assert add_business_minutes(sched, hel(2026, 3, 2, 8), 0.5) == hel(2026, 3, 2, 8, 0, 30)

    def test_thirty_business_days_jump_whole_weeks(self) -> None:
        sched = office("Europe/Helsinki")
        # Six whole weeks of 5 days from a Monday morning end on the sixth Friday's close.
        assert add_business_minutes(sched, hel(2026, 2, 2, 8), 30 * 480) == hel(2026, 3, 13, 16)


class TestFinnishHolidays:
    def test_independence_day_is_closed(self) -> None:
        sched = office("Europe/Helsinki", "FI")
        # 6 Dec 2027 is a Monday: Friday 3 Dec 15:00 + 2 h lands on Tuesday 7 Dec.
        assert add_business_minutes(sched, hel(2027, 12, 3, 15), 120) == hel(2027, 12, 7, 9)

    def test_midsummer_eve_is_closed(self) -> None:
        sched = office("Europe/Helsinki", "FI")
        # Midsummer Eve 2026 is Friday 19 June.
        assert business_minutes_between(sched, hel(2026, 6, 18), hel(2026, 6, 22)) == 480

    def test_christmas_to_new_year_over_the_year_end(self) -> None:
        sched = office("Europe/Helsinki", "FI")
        # 24-26 Dec, 1 Jan (Fri) and 6 Jan (Wed, Epiphany) are holidays; 28-31 Dec 2026
        # are Mon-Thu, so the fifth day is Monday 4 Jan and the seventh Thursday 7 Jan.
        start = hel(2026, 12, 23, 16)
        assert add_business_minutes(sched, start, 5 * 480) == hel(2027, 1, 4, 16)
        assert add_business_minutes(sched, start, 7 * 480) == hel(2027, 1, 7, 16)
        assert business_minutes_between(sched, start, hel(2027, 1, 7, 16)) == 7 * 480

    def test_custom_closed_day(self) -> None:
        sched = office("Europe/Helsinki", closed_days=frozenset({date(2026, 3, 9)}))
        assert add_business_minutes(sched, hel(2026, 3, 6, 15), 120) == hel(2026, 3, 10, 9)

    def test_extra_working_day_on_a_saturday(self) -> None:
        sched = office("Europe/Helsinki", extra_days={date(2026, 3, 7): ((time(9), time(13)),)})
        assert add_business_minutes(sched, hel(2026, 3, 6, 15), 120) == hel(2026, 3, 7, 10)

    def test_extra_working_day_overrides_a_holiday(self) -> None:
        sched = office(
            "Europe/Helsinki", "FI", extra_days={date(2026, 12, 24): ((time(8), time(12)),)}
        )
        assert business_minutes_between(sched, hel(2026, 12, 24), hel(2026, 12, 25)) == 240


class TestRomanianHolidays:
    def test_national_day_first_of_december(self) -> None:
        sched = office("Europe/Bucharest", "RO")
        # 30 Nov (St Andrew) and 1 Dec 2026 (Mon, Tue) are holidays.
        assert add_business_minutes(sched, buc(2026, 11, 27, 15), 120) == buc(2026, 12, 2, 9)

    def test_orthodox_easter_monday_and_good_friday(self) -> None:
        sched = office("Europe/Bucharest", "RO")
        # Orthodox Easter 2026 is 12 April: Good Friday 10 and Monday 13 are closed.
        assert business_minutes_between(sched, buc(2026, 4, 6), buc(2026, 4, 20)) == 8 * 480

    def test_catholic_easter_monday_is_a_working_day_in_romania(self) -> None:
        sched = office("Europe/Bucharest", "RO")
        assert business_minutes_between(sched, buc(2026, 4, 6), buc(2026, 4, 7)) == 480


class TestDaylightSaving:
    def test_office_day_is_eight_hours_on_spring_forward_sunday(self) -> None:
        # 29 March 2026, 03:00 EET -> 04:00 EEST in Bucharest.
        sched = every_day("Europe/Bucharest")
        assert business_minutes_between(sched, buc(2026, 3, 29), buc(2026, 3, 30)) == 480
        assert add_business_minutes(sched, buc(2026, 3, 28, 15), 120) == buc(2026, 3, 29, 9)

    def test_office_day_is_eight_hours_on_fall_back_sunday(self) -> None:
        # 25 October 2026, 04:00 EEST -> 03:00 EET.
        sched = every_day("Europe/Bucharest")
        assert business_minutes_between(sched, buc(2026, 10, 25), buc(2026, 10, 26)) == 480

    def test_whole_day_period_is_23_and_25_hours(self) -> None:
        sched = every_day("Europe/Bucharest", ((time(0), time(0)),))
        assert business_minutes_between(sched, buc(2026, 3, 29), buc(2026, 3, 30)) == 23 * 60
        assert business_minutes_between(sched, buc(2026, 10, 25), buc(2026, 10, 26)) == 25 * 60

    def test_period_inside_the_gap_is_empty(self) -> None:
        sched = Schedule("Europe/Bucharest", {6: ((time(3, 10), time(3, 50)),)})
        assert business_minutes_between(sched, buc(2026, 3, 29), buc(2026, 3, 30)) == 0

    def test_period_starting_in_the_gap_starts_after_it(self) -> None:
        sched = Schedule("Europe/Bucharest", {6: ((time(3, 30), time(5)),)})
        assert business_minutes_between(sched, buc(2026, 3, 29), buc(2026, 3, 30)) == 60
        assert add_business_minutes(sched, buc(2026, 3, 29), 1) == datetime(
            2026, 3, 29, 1, 1, tzinfo=UTC
        )

    def test_period_starting_in_the_repeated_hour_starts_at_its_first_occurrence(self) -> None:
        sched = Schedule("Europe/Bucharest", {6: ((time(3, 30), time(5)),)})
        assert business_minutes_between(sched, buc(2026, 10, 25), buc(2026, 10, 26)) == 150

    def test_helsinki_night_shift_over_the_change(self) -> None:
        sched = every_day("Europe/Helsinki", ((time(22), time(6)),))
        # Saturday 22:00 to Sunday 06:00 loses the hour that does not exist.
        assert business_minutes_between(sched, hel(2026, 3, 28, 12), hel(2026, 3, 29, 12)) == 7 * 60


class TestMidnight:
    def test_night_period_crosses_midnight(self) -> None:
        sched = every_day("Europe/Helsinki", ((time(22), time(6)),))
        assert add_business_minutes(sched, hel(2026, 3, 2, 21), 180) == hel(2026, 3, 3, 1)

    def test_start_inside_yesterdays_night_period(self) -> None:
        sched = every_day("Europe/Helsinki", ((time(22), time(6)),))
        assert add_business_minutes(sched, hel(2026, 3, 3, 5), 120) == hel(2026, 3, 3, 23)

    def test_24_00_ends_the_day(self) -> None:
        sched = Schedule("Europe/Helsinki", {0: ((time(20), time(0)),)})
        assert business_minutes_between(sched, hel(2026, 3, 2), hel(2026, 3, 4)) == 240

    def test_holiday_closes_the_night_starting_on_it_not_the_one_ending_on_it(self) -> None:
        sched = every_day(
            "Europe/Helsinki",
            ((time(22), time(6)),),
            closed_days=frozenset({date(2026, 3, 3)}),
        )
        # 2-3 March night counts (starts on the 2nd); 3-4 March night does not.
        assert business_minutes_between(sched, hel(2026, 3, 2, 12), hel(2026, 3, 4, 12)) == 480


class TestPauses:
    def test_ticket_paused_twice(self) -> None:
        sched = office("Europe/Helsinki")
        start = hel(2026, 3, 2, 8)
        pauses = [
            (hel(2026, 3, 2, 9), hel(2026, 3, 2, 10)),
            (hel(2026, 3, 2, 15), hel(2026, 3, 3, 9)),
        ]
        # 4 h: 08-09, 10-13.
        assert add_business_minutes(sched, start, 240, pauses) == hel(2026, 3, 2, 13)
        # 8 h: 08-09, 10-15, then 09-11 next day.
        assert add_business_minutes(sched, start, 480, pauses) == hel(2026, 3, 3, 11)
        assert business_minutes_between(sched, start, hel(2026, 3, 3, 11), pauses) == 480

    def test_pause_outside_working_hours_changes_nothing(self) -> None:
        sched = office("Europe/Helsinki")
        pauses = [(hel(2026, 3, 7, 0), hel(2026, 3, 8, 0))]
        assert add_business_minutes(sched, hel(2026, 3, 6, 15), 120, pauses) == hel(2026, 3, 9, 9)

    def test_overlapping_pauses_count_once(self) -> None:
        sched = every_day("Europe/Helsinki", ((time(0), time(0)),))
        pauses = [
            (hel(2026, 3, 2, 9), hel(2026, 3, 2, 11)),
            (hel(2026, 3, 2, 10), hel(2026, 3, 2, 12)),
        ]
        assert (
            business_minutes_between(sched, hel(2026, 3, 2, 8), hel(2026, 3, 2, 13), pauses) == 120
        )

    def test_pause_spanning_weeks_blocks_the_week_jump(self) -> None:
        sched = office("Europe/Helsinki")
        pauses = [(hel(2026, 3, 4, 8), hel(2026, 3, 5, 16))]
        # Two days of the second week are paused: 10 days of work end on the 3rd Tuesday.
        assert add_business_minutes(sched, hel(2026, 2, 23, 8), 10 * 480, pauses) == hel(
            2026, 3, 10, 16
        )

    def test_always_open_with_a_pause(self) -> None:
        sched = Schedule("Europe/Helsinki", always_open=True)
        pauses = [(hel(2026, 3, 2, 9), hel(2026, 3, 2, 10))]
        assert add_business_minutes(sched, hel(2026, 3, 2, 8), 120, pauses) == hel(2026, 3, 2, 11)


class TestInput:
    def test_naive_datetime_is_refused(self) -> None:
        with pytest.raises(ValueError, match="aware"):
            add_business_minutes(office("UTC"), datetime(2026, 3, 2), 10)

    def test_negative_minutes_are_refused(self) -> None:
        with pytest.raises(ValueError, match="minutes"):
            add_business_minutes(office("UTC"), hel(2026, 3, 2), -1)

    def test_unknown_zone_is_refused(self) -> None:
        with pytest.raises(ValueError, match="time zone"):
            Schedule("Mars/Olympus")

    def test_unknown_country_is_refused(self) -> None:
        with pytest.raises(ValueError, match="holiday"):
            Schedule("UTC", holiday_country="ZZ")

    def test_overlapping_periods_are_refused(self) -> None:
        with pytest.raises(ValueError, match="overlapping"):
            Schedule("UTC", {0: ((time(8), time(12)), (time(11), time(16)))})

    def test_sunday_night_overlapping_monday_morning_is_found(self) -> None:
        week = {d: () for d in range(7)} | {6: ((time(22), time(6)),), 0: ((time(5), time(9)),)}
        assert find_overlap(week) == (6, (time(22), time(6)), 0, (time(5), time(9)))

    def test_no_working_time_at_all_is_an_error_not_a_hang(self) -> None:
        with pytest.raises(ValueError, match="no working time"):
            add_business_minutes(Schedule("UTC"), hel(2026, 3, 2), 10)

    def test_end_before_start_is_negative(self) -> None:
        sched = office("Europe/Helsinki")
        assert business_minutes_between(sched, hel(2026, 3, 2, 10), hel(2026, 3, 2, 9)) == -60
