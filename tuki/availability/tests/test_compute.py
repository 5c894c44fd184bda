"""The availability arithmetic: one week worked out by hand, and properties that hold for
any outages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings, strategies as st

from tuki.availability.compute import Span, figures, merge_weighted, union
from tuki.calendars.arithmetic import Schedule

OFFICE = Schedule(time_zone="UTC", week={d: [(time(8), time(16))] for d in range(5)})
MONDAY = datetime(2026, 3, 2, tzinfo=UTC)
NEXT_MONDAY = MONDAY + timedelta(days=7)
LATER = NEXT_MONDAY + timedelta(days=30)


@dataclass
class Down:
    starts_at: datetime
    ends_at: datetime | None
    planned: bool = False
    weight: float = 1.0


def at(day: int, hour: int) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour)


def test_one_week_worked_out_by_hand():
    """Mon-Fri 08:00-16:00 (UTC), the week of Monday 2 March 2026.

    Service hours: 5 days x 8 h = 40 h = 2400 min.
    Planned outage Tue 10:00-12:00: 2 business hours = 120 min, out of the agreed time.
    AST = 2400 - 120 = 2280 min.
    Unplanned full outage Wed 14:00-17:00: 3 h, of which 16:00-17:00 is outside the hours,
    so 2 business hours = 120 min x 1 = 120 min of downtime.
    Partial outage (50 %) Thu 09:00-13:00: 4 business hours = 240 min x 0.5 = 120 min.
    Downtime = 120 + 120 = 240 min.
    Availability = (2280 - 240) / 2280 x 100 = 2040 / 2280 x 100 = 89.4736842... %.
    MTRS = (120 + 240) / 2 = 180 min (each unplanned outage's business duration).
    MTBF = uptime / failures = (2280 - 240) / 2 = 1020 min.
    """
    outages = [
        Down(at(1, 10), at(1, 12), planned=True),
        Down(at(2, 14), at(2, 17)),
        Down(at(3, 9), at(3, 13), weight=0.5),
    ]
    result = figures(OFFICE, MONDAY, NEXT_MONDAY, outages, now=LATER)
    assert result.business_minutes == 2400
    assert result.planned_minutes == 120
    assert result.ast_minutes == 2280
    assert result.downtime_minutes == 240
    assert result.availability == 2040 / 2280 * 100
    assert round(result.availability, 4) == 89.4737
    assert result.mtrs_minutes == 180
    assert result.mtbf_minutes == 1020
    assert result.outages == 2
    assert result.planned_outages == 1


def test_overlapping_outages_count_once_with_the_larger_degradation():
    outages = [
        Down(at(0, 8), at(0, 12), weight=0.5),  # 08-12 at 50 %
        Down(at(0, 10), at(0, 14), weight=0.25),  # 10-14 at 25 %: 12-14 adds 2 h x 0.25
        Down(at(0, 11), at(0, 12)),  # 11-12 full
    ]
    result = figures(OFFICE, MONDAY, NEXT_MONDAY, outages, now=LATER)
    # 08-11: 3 h x 0.5 = 90; 11-12: 60 x 1 = 60; 12-14: 120 x 0.25 = 30
    assert result.downtime_minutes == 180
    assert result.outages == 3


def test_unplanned_time_inside_planned_maintenance_is_not_counted_twice():
    outages = [Down(at(0, 8), at(0, 12), planned=True), Down(at(0, 10), at(0, 14))]
    result = figures(OFFICE, MONDAY, NEXT_MONDAY, outages, now=LATER)
    assert result.ast_minutes == 2400 - 240
    assert result.downtime_minutes == 120  # 12:00-14:00 only


def test_the_period_stops_at_now_and_an_ongoing_outage_lasts_until_now():
    outages = [Down(at(0, 15), None)]
    result = figures(OFFICE, MONDAY, NEXT_MONDAY, outages, now=at(1, 9))
    assert result.business_minutes == 8 * 60 + 60
    assert result.downtime_minutes == 60 + 60
    assert figures(OFFICE, MONDAY, NEXT_MONDAY, [], now=MONDAY).availability is None


def test_no_service_hours_means_no_availability():
    sunday = MONDAY - timedelta(days=1)
    result = figures(OFFICE, sunday, MONDAY, [Down(sunday, MONDAY)], now=LATER)
    assert result.ast_minutes == 0 and result.availability is None


def test_union_and_merge():
    assert union([(at(0, 9), at(0, 10)), (at(0, 8), at(0, 9)), (at(0, 11), at(0, 12))]) == [
        (at(0, 8), at(0, 10)),
        (at(0, 11), at(0, 12)),
    ]
    pieces = merge_weighted([Span(at(0, 8), at(0, 10), 1), Span(at(0, 9), at(0, 11), 1)])
    assert pieces == [Span(at(0, 8), at(0, 11), 1)]


hours = st.integers(min_value=0, max_value=24 * 7 - 1)
outage = st.builds(
    lambda start, length, planned, weight: Down(
        MONDAY + timedelta(hours=start),
        MONDAY + timedelta(hours=start + length),
        planned,
        weight,
    ),
    hours,
    st.integers(min_value=1, max_value=48),
    st.booleans(),
    st.sampled_from([1.0, 0.5, 0.25, 0.9]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(outage, max_size=6), outage)
def test_availability_is_a_percentage_and_more_downtime_never_raises_it(outages, extra):
    before = figures(OFFICE, MONDAY, NEXT_MONDAY, outages, now=LATER)
    if before.ast_minutes == 0:  # planned work took all the service hours: nothing to measure
        assert before.availability is None and before.downtime_minutes == 0
        return
    assert before.availability is not None
    assert 0 <= before.availability <= 100
    assert 0 <= before.downtime_minutes <= before.ast_minutes
    extra.planned = False
    after = figures(OFFICE, MONDAY, NEXT_MONDAY, [*outages, extra], now=LATER)
    assert after.availability is not None
    assert after.ast_minutes == before.ast_minutes
    assert after.availability <= before.availability + 1e-9
