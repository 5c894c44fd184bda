"""Business-time arithmetic: pure functions over a `Schedule`, no Django.

Vocabulary
- A *period* is a pair of local wall times `(start, end)` on a day. `end <= start` means the
  period crosses midnight and ends on the next day; `end == time(0)` is therefore 24:00, and
  `start == end` is a whole 24 hours. A period belongs to the day it *starts* on: a closed
  day (public holiday, custom closed day) removes the periods starting on it, including its
  overnight period, but not the previous evening's period that runs into it.
- Extra working days replace the weekly periods of their date, even on a public holiday.
- Business time is real elapsed time inside periods and outside pauses. Period bounds are
  local wall times converted to instants on their own day, so a 08:00-16:00 day is 8 hours
  on DST change days too; a period spanning the shift itself (e.g. 00:00-08:00) is one hour
  shorter or longer, exactly as much time as passes. A local time that does not exist (in
  the spring-forward gap) means the first instant after the gap; an ambiguous one (the
  repeated autumn hour) means its first occurrence.

Speed: instants are integer microseconds since the epoch; each date's periods are converted
once and cached on the schedule, as are whole-week totals, so long deadlines jump week by
week. Holiday sets are cached per (country, subdivision, year).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

__all__ = [
    "Period",
    "Schedule",
    "add_business_minutes",
    "business_minutes_between",
    "find_overlap",
    "holiday_dates",
    "period_seconds",
]

Period = tuple[time, time]
Pause = tuple[datetime, datetime]

_US = 1_000_000
_DAY_US = 86_400 * _US
_MINUTE_US = 60 * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_DAY = timedelta(days=1)
_ONE_WEEK = timedelta(days=7)
_FOREVER = (date.max.toordinal() - _EPOCH_ORDINAL) * _DAY_US
# A deadline that needs more than this many days of calendar is a configuration error
# (e.g. every working day is a holiday), not something to loop on.
_MAX_DAYS = 100 * 366
_CACHE_LIMIT = 20_000


@dataclass(frozen=True)
class Schedule:
    """When the clock runs: a time zone, weekly periods, closed days and extra days.

    `week` maps a weekday (0 = Monday) to its periods; an absent weekday is closed.
    `holiday_country`/`holiday_subdivision` add that country's public holidays (the
    `holidays` package) to `closed_days` for every year, computed on demand.
    """

    time_zone: str
    week: Mapping[int, Sequence[Period]] = field(default_factory=dict)
    closed_days: frozenset[date] = frozenset()
    extra_days: Mapping[date, Sequence[Period]] = field(default_factory=dict)
    always_open: bool = False
    holiday_country: str = ""
    holiday_subdivision: str = ""

    def __post_init__(self) -> None:
        # Normalised copies: callers may pass lists and dicts; the schedule must not change.
        week = {day: tuple(sorted(self.week.get(day, ()))) for day in range(7)}
        object.__setattr__(self, "week", week)
        object.__setattr__(self, "closed_days", frozenset(self.closed_days))
        extra = {day: tuple(sorted(periods)) for day, periods in self.extra_days.items()}
        object.__setattr__(self, "extra_days", extra)
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.time_zone!r}") from exc
        if self.holiday_country:
            holiday_dates(self.holiday_country, self.holiday_subdivision, 2000)
        overlap = find_overlap(week)
        if overlap:
            raise ValueError(f"overlapping periods: {overlap}")
        for day, periods in extra.items():
            if find_overlap({0: periods}):
                raise ValueError(f"overlapping periods on {day.isoformat()}")

    @cached_property
    def _compiled(self) -> _Compiled:
        return _Compiled(self)

    def is_closed(self, day: date) -> bool:
        """Whether `day` is a public holiday or a custom closed day (extra days aside)."""
        if day in self.closed_days:
            return True
        if self.holiday_country:
            return day in holiday_dates(self.holiday_country, self.holiday_subdivision, day.year)
        return False

    def periods_on(self, day: date) -> tuple[Period, ...]:
        """The periods starting on `day` in local wall time."""
        if day in self.extra_days:
            return tuple(self.extra_days[day])
        if self.is_closed(day):
            return ()
        return tuple(self.week[day.weekday()])


@lru_cache(maxsize=512)
def holiday_dates(country: str, subdivision: str, year: int) -> frozenset[date]:
    """Public holidays of a country (ISO 3166 code) and subdivision in one year.

    Raises ValueError for a country or subdivision the `holidays` package does not know.
    """
    try:
        found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError as exc:
        raise ValueError(
            f"unknown holiday country/subdivision {country!r}/{subdivision!r}"
        ) from exc
    return frozenset(found.keys())


def period_seconds(period: Period) -> tuple[int, int]:
    """A period as seconds from its day's midnight: `(start, end)`, `end` up to 48 h."""
    start = _seconds(period[0])
    end = _seconds(period[1])
    if end <= start:
        end += 86_400
    return start, end


def find_overlap(week: Mapping[int, Sequence[Period]]) -> tuple[int, Period, int, Period] | None:
    """The first two overlapping periods `(day, period, other_day, other)`, or None.

    Days are compared cyclically when all seven are given, so Sunday's overnight period
    is checked against Monday's morning; a single day is checked on its own.
    """
    days = sorted(week)
    spans: list[tuple[int, int, int, Period]] = []
    for day in days:
        for period in week[day]:
            start, end = period_seconds(period)
            spans.append((day * 86_400 + start, day * 86_400 + end, day, period))
    if len(days) == 7:
        # The week wraps around: Sunday's overnight time also lies before Monday's.
        spans += [(s - 7 * 86_400, e - 7 * 86_400, d, p) for s, e, d, p in spans if d == 6]
    spans.sort(key=lambda span: (span[0], span[1]))
    for earlier, later in zip(spans, spans[1:], strict=False):
        if later[0] < earlier[1]:
            return earlier[2], earlier[3], later[2], later[3]
    return None


def add_business_minutes(
    schedule: Schedule, start: datetime, minutes: float, pauses: Sequence[Pause] = ()
) -> datetime:
    """The earliest instant by which `minutes` of business time have passed since `start`.

    Zero minutes is `start` itself, even outside working hours. Aware datetimes in, an aware
    UTC datetime out. Raises ValueError for negative minutes or a schedule without working
    time in the next century.
    """
    begin = _to_us(start, "start")
    left = _minutes_to_us(minutes)
    if left == 0:
        return _from_us(begin)
    cut = _PauseCursor(pauses, begin)
    if schedule.always_open:
        done, _ = _consume(cut.subtract(begin, _FOREVER), left)
        if done is None:
            raise ValueError("The time runs past the end of the calendar.")
        return _from_us(done)
    compiled = schedule._compiled
    day = compiled.local_date(begin) - _ONE_DAY  # yesterday's overnight period may still run
    if not compiled.works_after(day):
        raise ValueError("the schedule has no working time")
    give_up = date.fromordinal(min(day.toordinal() + _MAX_DAYS, date.max.toordinal()))
    while day < give_up:
        if day.weekday() == 0:
            total, first, last = compiled.week_summary(day)
            if total < left and (total == 0 or (first >= begin and not cut.overlaps(first, last))):
                left -= total
                day += _ONE_WEEK
                continue
        for lo, hi in compiled.day(day):
            if hi <= begin:
                continue
            done, left = _consume(cut.subtract(max(lo, begin), hi), left)
            if done is not None:
                return _from_us(done)
        day += _ONE_DAY
    raise ValueError("the schedule has no working time in the next hundred years")


def business_minutes_between(
    schedule: Schedule, start: datetime, end: datetime, pauses: Sequence[Pause] = ()
) -> float:
    """Business minutes from `start` to `end`, outside `pauses`; negative if `end < start`."""
    begin = _to_us(start, "start")
    finish = _to_us(end, "end")
    if finish < begin:
        return -business_minutes_between(schedule, end, start, pauses)
    cut = _PauseCursor(pauses, begin)
    if schedule.always_open:
        return sum(hi - lo for lo, hi in cut.subtract(begin, finish)) / _MINUTE_US
    compiled = schedule._compiled
    day = compiled.local_date(begin) - _ONE_DAY
    last_day = compiled.local_date(finish)
    total = 0
    while day <= last_day:
        if day.weekday() == 0:
            week_total, first, last = compiled.week_summary(day)
            if week_total == 0 or (
                first >= begin and last <= finish and not cut.overlaps(first, last)
            ):
                total += week_total
                day += _ONE_WEEK
                continue
        for lo, hi in compiled.day(day):
            lo, hi = max(lo, begin), min(hi, finish)
            if lo < hi:
                total += sum(b - a for a, b in cut.subtract(lo, hi))
        day += _ONE_DAY
    return total / _MINUTE_US


# --- internals --------------------------------------------------------------------------


class _Compiled:
    """A schedule's periods as UTC microsecond intervals, computed per date and cached."""

    def __init__(self, schedule: Schedule) -> None:
        self.schedule = schedule
        self.zone = ZoneInfo(schedule.time_zone)
        self.days: dict[date, tuple[tuple[int, int], ...]] = {}
        self.weeks: dict[date, tuple[int, int, int]] = {}

    def works_after(self, day: date) -> bool:
        """Whether any period may start on or after `day` (cheap; ignores holidays)."""
        return any(self.schedule.week.values()) or any(
            periods for extra, periods in self.schedule.extra_days.items() if extra >= day
        )

    def local_date(self, instant: int) -> date:
        return _from_us(instant).astimezone(self.zone).date()

    def day(self, day: date) -> tuple[tuple[int, int], ...]:
        """The UTC intervals of the periods starting on `day`, sorted, never overlapping."""
        found = self.days.get(day)
        if found is None:
            if len(self.days) > _CACHE_LIMIT:
                self.days.clear()
            found = self.days[day] = self._build_day(day)
        return found

    def week_summary(self, monday: date) -> tuple[int, int, int]:
        """(total, first start, last end) of the seven days from `monday`, in microseconds."""
        found = self.weeks.get(monday)
        if found is None:
            intervals = [iv for n in range(7) for iv in self.day(monday + timedelta(days=n))]
            total = sum(hi - lo for lo, hi in intervals)
            first = intervals[0][0] if intervals else 0
            last = intervals[-1][1] if intervals else 0
            if len(self.weeks) > _CACHE_LIMIT:
                self.weeks.clear()
            found = self.weeks[monday] = (total, first, last)
        return found

    def _build_day(self, day: date) -> tuple[tuple[int, int], ...]:
        periods = sorted(period_seconds(p) for p in self.schedule.periods_on(day))
        if not periods:
            return ()
        # Yesterday's overnight period may run into today (an extra day next to a regular
        # overnight shift): today's time starts after it, so nothing is counted twice.
        floor = max((hi for _, hi in self._raw_day(day - _ONE_DAY)), default=-_FOREVER)
        result: list[tuple[int, int]] = []
        for lo, hi in self._to_utc(day, periods):
            lo = max(lo, floor)
            if lo < hi:
                result.append((lo, hi))
                floor = hi
        return tuple(result)

    def _raw_day(self, day: date) -> list[tuple[int, int]]:
        periods = sorted(period_seconds(p) for p in self.schedule.periods_on(day))
        if all(hi <= 86_400 for _, hi in periods):
            return []  # only overnight periods reach into the next day
        return self._to_utc(day, periods)

    def _to_utc(self, day: date, periods: list[tuple[int, int]]) -> list[tuple[int, int]]:
        midnight = datetime.combine(day, time(0))
        local_midnight = (day.toordinal() - _EPOCH_ORDINAL) * _DAY_US
        offsets = {self._offset(midnight + timedelta(days=n)) for n in range(3)}
        if len(offsets) == 1:
            # No change of offset within the two days these periods may cover (all but a
            # few days a year): plain subtraction.
            shift = local_midnight - offsets.pop()
            return [(shift + lo * _US, shift + hi * _US) for lo, hi in periods]
        return [
            (
                self._local_to_us(midnight + timedelta(seconds=lo)),
                self._local_to_us(midnight + timedelta(seconds=hi)),
            )
            for lo, hi in periods
        ]

    def _offset(self, wall: datetime) -> int:
        offset = self.zone.utcoffset(wall)
        assert offset is not None
        return offset // timedelta(microseconds=1)

    def _local_to_us(self, wall: datetime) -> int:
        """A local wall time as an instant: first occurrence if repeated, end of gap if none."""
        before = self._offset(wall.replace(fold=0))
        after = self._offset(wall.replace(fold=1))
        local = _naive_us(wall)
        if before >= after:  # normal, or ambiguous (fold=0 is the first occurrence)
            return local - before
        # In the spring-forward gap: fold=0 reads it with the old offset, i.e. past the gap,
        # fold=1 with the new one, i.e. before it; the change lies between the two.
        return self._transition(local - after, local - before, after)

    def _transition(self, low: int, high: int, new_offset: int) -> int:
        """The first whole second in (low, high] at which the zone's offset is `new_offset`."""
        low_s, high_s = low // _US, -(-high // _US)  # zones change offset on whole seconds
        while high_s - low_s > 1:
            middle = (low_s + high_s) // 2
            if self._offset_at(middle * _US) == new_offset:
                high_s = middle
            else:
                low_s = middle
        return high_s * _US

    def _offset_at(self, instant: int) -> int:
        offset = _from_us(instant).astimezone(self.zone).utcoffset()
        assert offset is not None
        return offset // timedelta(microseconds=1)


class _PauseCursor:
    """Sorted, merged pauses, walked forward once alongside the working intervals."""

    def __init__(self, pauses: Sequence[Pause], begin: int) -> None:
        spans = sorted((max(_to_us(a, "pauses"), begin), _to_us(b, "pauses")) for a, b in pauses)
        merged: list[list[int]] = []
        for lo, hi in spans:
            if hi <= lo:
                continue
            if merged and lo <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        self.spans = merged
        self.index = 0

    def subtract(self, lo: int, hi: int) -> Iterator[tuple[int, int]]:
        """The parts of [lo, hi) outside every pause; calls must move forward in time."""
        spans = self.spans
        while self.index < len(spans) and spans[self.index][1] <= lo:
            self.index += 1
        index = self.index
        while index < len(spans) and spans[index][0] < hi:
            pause_lo, pause_hi = spans[index]
            if pause_lo > lo:
                yield lo, pause_lo
            lo = max(lo, pause_hi)
            if lo >= hi:
                return
            index += 1
        if lo < hi:
            yield lo, hi

    def overlaps(self, lo: int, hi: int) -> bool:
        spans = self.spans
        while self.index < len(spans) and spans[self.index][1] <= lo:
            self.index += 1
        return self.index < len(spans) and spans[self.index][0] < hi


def _consume(segments: Iterator[tuple[int, int]], left: int) -> tuple[int | None, int]:
    """Spend `left` microseconds on `segments`: (the instant it ran out, or None; the rest)."""
    for lo, hi in segments:
        if hi - lo >= left:
            return lo + left, 0
        left -= hi - lo
    return None, left


def _seconds(value: time) -> int:
    return value.hour * 3600 + value.minute * 60 + value.second


def _naive_us(wall: datetime) -> int:
    return (wall.toordinal() - _EPOCH_ORDINAL) * _DAY_US + (
        (wall.hour * 3600 + wall.minute * 60 + wall.second) * _US + wall.microsecond
    )


def _to_us(value: datetime, name: str) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime")
    return (value - _EPOCH) // timedelta(microseconds=1)


def _from_us(instant: int) -> datetime:
    return _EPOCH + timedelta(microseconds=instant)


def _minutes_to_us(minutes: float) -> int:
    if not math.isfinite(minutes) or minutes < 0:
        raise ValueError("minutes must be a finite number, zero or more")
    return round(minutes * _MINUTE_US)
