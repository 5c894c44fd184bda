"""The forecast: Theil–Sen over daily medians, with its confidence band, on synthetic series
(pure functions: the instant is given, never read from the clock)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from tuki.capacity.forecast import daily_medians, fit
from tuki.capacity.models import Direction
from tuki.capacity.presenting import describe

ORIGIN = datetime(2026, 3, 1, tzinfo=UTC)
NOW = ORIGIN + timedelta(days=30)


def hourly(value_at_day, days: int = 30):
    return [(ORIGIN + timedelta(hours=h), value_at_day(h / 24)) for h in range(days * 24 + 1)]


def test_linear_growth_with_outliers_is_forecast_within_a_day_of_the_truth():
    rng = random.Random(16)
    samples = hourly(lambda d: 50 + 0.5 * d + rng.uniform(-0.3, 0.3))
    # Whole days of nonsense (a broken agent) and spikes within days: Theil-Sen ignores them.
    for day in (3, 11, 20, 27):
        samples += [(ORIGIN + timedelta(days=day, hours=h, minutes=30), 99.0) for h in range(30)]
    samples += [(ORIGIN + timedelta(days=d, minutes=7), 0.0) for d in range(0, 30, 2)]
    trend = fit(samples, now=NOW)
    assert trend is not None
    assert abs(trend.slope - 0.5) < 0.02
    # 50 + 0.5·d reaches 80 on day 60 (30 days from now) and 90 on day 80 (50 days).
    earliest, likely, latest = trend.crossing(80, Direction.ABOVE, NOW).days(NOW)
    assert abs(likely - 30) <= 1
    assert earliest <= likely <= latest
    assert latest - earliest < 5  # a clean trend: a narrow band
    _e, likely_critical, _l = trend.crossing(90, Direction.ABOVE, NOW).days(NOW)
    assert abs(likely_critical - 50) <= 1.5


def test_a_flat_series_has_no_forecast():
    trend = fit(hourly(lambda d: 40.0), now=NOW)
    assert trend is not None and trend.slope == 0
    crossing = trend.crossing(80, Direction.ABOVE, NOW)
    assert (crossing.earliest, crossing.likely, crossing.latest) == (None, None, None)
    assert describe(crossing.days(NOW)) == "not on the trend"


def test_a_trend_going_away_from_the_level_has_no_forecast():
    trend = fit(hourly(lambda d: 70 - 0.5 * d), now=NOW)
    assert trend.crossing(80, Direction.ABOVE, NOW).likely is None
    # ... but it does reach a "below" level: 70 - 0.5·d = 40 on day 60.
    _e, likely, _l = trend.crossing(40, Direction.BELOW, NOW).days(NOW)
    assert abs(likely - 30) <= 1


def test_noise_gives_a_wide_band():
    rng = random.Random(7)
    samples = [
        (ORIGIN + timedelta(days=d, hours=12), 50 + 0.3 * d + rng.gauss(0, 8)) for d in range(30)
    ]
    trend = fit(samples, now=NOW)
    earliest, likely, latest = trend.crossing(80, Direction.ABOVE, NOW).days(NOW)
    assert trend.low_slope < trend.slope < trend.high_slope
    assert earliest < likely
    assert latest is None or latest - earliest > 30  # weeks apart: read it with care


def test_a_level_already_passed_is_reached_now():
    trend = fit(hourly(lambda d: 85 + 0.1 * d), now=NOW)
    assert trend.crossing(80, Direction.ABOVE, NOW).days(NOW) == (0.0, 0.0, 0.0)
    assert describe((0.0, 0.0, 0.0)) == "reached"


def test_too_few_days_give_no_trend():
    samples = [(NOW - timedelta(days=d), 50.0 + d) for d in range(4)]
    assert fit(samples, now=NOW) is None
    assert describe(None) == "no forecast"


def test_daily_medians_weigh_each_day_once():
    day = ORIGIN + timedelta(hours=1)
    samples = [(day, 1.0), (day, 2.0), (day, 100.0), (ORIGIN + timedelta(days=1), 5.0)]
    assert daily_medians(samples) == [
        (ORIGIN.date(), 2.0),
        ((ORIGIN + timedelta(days=1)).date(), 5.0),
    ]


def test_describe_reads_as_likely_and_between():
    assert describe((9.2, 12.4, 16.6)) == "likely 12 days (between 9 and 17)"
    assert describe((0.6, 1.2, None)) == "likely 1 day (from 1, maybe never)"
