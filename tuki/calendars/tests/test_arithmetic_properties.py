"""Calendar arithmetic, properties that must hold for any schedule, start and pauses.

Schedules are drawn from DST zones with random non-overlapping periods (overnight ones
included), random closed and extra days; instants from around DST changes and year ends.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import HealthCheck, assume, given, settings, strategies as st

from tuki.calendars.arithmetic import (
    Schedule,
    add_business_minutes,
    business_minutes_between,
    find_overlap,
)

ZONES = ["Europe/Bucharest", "Europe/Helsinki", "America/New_York", "Australia/Lord_Howe", "UTC"]
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-6  # minutes; results are exact microseconds, sums of floats are not


@st.composite
def periods(draw: st.DrawFn) -> tuple[tuple[time, time], ...]:
    # Up to three periods on a quarter-hour grid, cut from one day so they cannot overlap;
    # the last may run past midnight.
    cuts = sorted(draw(st.sets(st.integers(0, 95), min_size=0, max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    result = []
    for lo, hi in zip(cuts[::2], cuts[1::2], strict=True):
        result.append((_quarter(lo), _quarter(hi)))
    if result and draw(st.booleans()):
        lo, _hi = result[-1]
        result[-1] = (lo, _quarter(draw(st.integers(0, 8))))  # ends 00:00-02:00 next day
    return tuple(result)


def _quarter(n: int) -> time:
    return time(n // 4, n % 4 * 15)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    if draw(st.integers(0, 9)) == 0:
        return Schedule(zone, always_open=True)
    week = {day: draw(periods()) for day in range(7)}
    assume(find_overlap(week) is None)
    assume(any(week.values()))
    days = st.dates(date(2025, 12, 1), date(2027, 4, 30))
    closed = draw(st.frozensets(days, max_size=8))
    extra = draw(st.dictionaries(days, periods(), max_size=3))
    country = draw(st.sampled_from(["", "", "FI", "RO"]))
    return Schedule(zone, week, closed, extra, holiday_country=country)


# Instants cluster around the interesting places: DST changes and the year end.
ANCHORS = [
    datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
    datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
    datetime(2026, 12, 31, 21, tzinfo=UTC),
    datetime(2026, 4, 5, 14, 45, tzinfo=UTC),
]
instants = st.builds(
    lambda anchor, seconds: anchor + timedelta(seconds=seconds),
    st.sampled_from(ANCHORS),
    st.integers(-5 * 86_400, 5 * 86_400),
)
minutes = st.integers(0, 20 * 24 * 60)


@st.composite
def pause_lists(draw: st.DrawFn) -> list[tuple[datetime, datetime]]:
    result = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(instants)
        result.append((start, start + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)))))
    return result


@SETTINGS
@given(schedules(), instants, minutes, pause_lists())
def test_deadline_never_precedes_the_start(sched, start, n, pauses) -> None:
    assert add_business_minutes(sched, start, n, pauses) >= start


@SETTINGS
@given(schedules(), instants, minutes, minutes)
def test_adding_twice_is_adding_the_sum(sched, start, a, b) -> None:
    once = add_business_minutes(sched, start, a + b)
    assert add_business_minutes(sched, add_business_minutes(sched, start, a), b) == once


@SETTINGS
@given(schedules(), instants, minutes, pause_lists())
def test_between_start_and_deadline_is_the_minutes_added(sched, start, n, pauses) -> None:
    deadline = add_business_minutes(sched, start, n, pauses)
    assert business_minutes_between(sched, start, deadline, pauses) == n


@SETTINGS
@given(schedules(), instants, minutes, pause_lists())
def test_deadline_is_the_earliest_such_instant(sched, start, n, pauses) -> None:
    assume(n > 0)
    deadline = add_business_minutes(sched, start, n, pauses)
    earlier = deadline - timedelta(microseconds=1)
    assert business_minutes_between(sched, start, earlier, pauses) < n


@SETTINGS
@given(schedules(), instants, instants, instants, pause_lists())
def test_between_is_additive_over_a_split_point(sched, a, b, c, pauses) -> None:
    a, b, c = sorted([a, b, c])
    whole = business_minutes_between(sched, a, c, pauses)
    parts = business_minutes_between(sched, a, b, pauses) + business_minutes_between(
        sched, b, c, pauses
    )
    assert abs(whole - parts) < TOLERANCE


@SETTINGS
@given(schedules(), instants, instants, pause_lists())
def test_between_is_within_zero_and_wall_clock(sched, a, b, pauses) -> None:
    a, b = sorted([a, b])
    found = business_minutes_between(sched, a, b, pauses)
    assert 0 <= found <= (b - a).total_seconds() / 60 + TOLERANCE


@SETTINGS
@given(schedules(), instants, instants)
def test_swapping_the_ends_negates(sched, a, b) -> None:
    assert business_minutes_between(sched, a, b) == -business_minutes_between(sched, b, a)


@SETTINGS
@given(schedules(), instants, minutes, pause_lists())
def test_pauses_only_delay(sched, start, n, pauses) -> None:
    assert add_business_minutes(sched, start, n, pauses) >= add_business_minutes(sched, start, n)


@SETTINGS
@given(schedules(), instants, instants, pause_lists())
def test_pauses_only_remove_time(sched, a, b, pauses) -> None:
    a, b = sorted([a, b])
    assert business_minutes_between(sched, a, b, pauses) <= business_minutes_between(sched, a, b)


@SETTINGS
@given(schedules(), instants, minutes, minutes)
def test_more_minutes_never_an_earlier_deadline(sched, start, a, b) -> None:
    a, b = sorted([a, b])
    assert add_business_minutes(sched, start, a) <= add_business_minutes(sched, start, b)


@SETTINGS
@given(st.sampled_from(ZONES), instants, minutes, pause_lists())
def test_always_open_is_wall_clock_minus_pauses(zone, start, n, pauses) -> None:
    sched = Schedule(zone, always_open=True)
    assert add_business_minutes(sched, start, n) == start + timedelta(minutes=n)
    deadline = add_business_minutes(sched, start, n, pauses)
    paused = deadline - start - timedelta(minutes=n)
    wall = business_minutes_between(sched, start, deadline)
    assert abs(wall - (n + paused.total_seconds() / 60)) < TOLERANCE


@SETTINGS
@given(st.sampled_from(ZONES), instants, instants)
def test_a_whole_day_every_day_equals_always_open(zone, a, b) -> None:
    every_day = Schedule(zone, {day: ((time(0), time(0)),) for day in range(7)})
    always = Schedule(zone, always_open=True)
    assert business_minutes_between(every_day, a, b) == business_minutes_between(always, a, b)


@SETTINGS
@given(schedules(), instants, minutes)
def test_result_is_utc_and_same_in_any_input_zone(sched, start, n) -> None:
    from zoneinfo import ZoneInfo

    deadline = add_business_minutes(sched, start, n)
    assert deadline.tzinfo == UTC
    elsewhere = start.astimezone(ZoneInfo("Asia/Kolkata"))
    assert add_business_minutes(sched, elsewhere, n) == deadline


@SETTINGS
@given(schedules(), instants, instants)
def test_cached_and_fresh_schedules_agree(sched, a, b) -> None:
    # The per-day and per-week caches must not change results, whatever was asked before.
    a, b = sorted([a, b])
    business_minutes_between(sched, a - timedelta(days=40), b + timedelta(days=40))
    fresh = Schedule(
        sched.time_zone,
        sched.week,
        sched.closed_days,
        sched.extra_days,
        sched.always_open,
        sched.holiday_country,
    )
    assert business_minutes_between(sched, a, b) == business_minutes_between(fresh, a, b)


@SETTINGS
@given(schedules(), instants, instants)
def test_week_jumps_agree_with_day_by_day(sched, a, b) -> None:
    # Summing day windows never jumps a week; the result must equal the one that does.
    a, b = sorted([a, b])
    b = b + timedelta(days=30)
    total = 0.0
    cursor = a
    while cursor < b:
        step = min(cursor + timedelta(days=1), b)
        total += business_minutes_between(sched, cursor, step)
        cursor = step
    assert abs(total - business_minutes_between(sched, a, b)) < TOLERANCE


@SETTINGS
@given(
    st.sampled_from(["Europe/Bucharest", "Europe/Helsinki", "America/New_York"]),
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
)
def test_an_office_day_is_eight_hours_every_day_of_the_year(zone_name, day) -> None:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    sched = Schedule(zone_name, {d: ((time(8), time(16)),) for d in range(7)})
    midnight = datetime.combine(day, time(0), tzinfo=zone)
    following = datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    assert business_minutes_between(sched, midnight, following) == 480
    assert add_business_minutes(sched, midnight, 480) == datetime.combine(
        day, time(16), tzinfo=zone
    )
