"""When will a metric reach its threshold? A robust trend with a confidence band.

1. The samples of the last `days` (30) become daily medians: one value per day, so that a
   burst of samples on one day weighs no more than a quiet day, and a spike within a day
   barely moves it.
2. Theil–Sen (`scipy.stats.theilslopes`) fits the line: its slope is the median of the
   slopes between every two days, so a few outlying days do not tilt it (up to ~29 % of
   them). It also gives the slope's confidence interval (`confidence`, 95 %).
3. Three lines through the fit's pivot (the median day, on the fitted line): the likely one
   with the fitted slope, and the two of the interval's ends. Where each crosses a level
   gives the earliest, likely and latest instant the level is reached. A line going away
   from the level (or flat) never crosses it: None. Nothing beyond `HORIZON_DAYS`.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from scipy.stats import theilslopes

from tuki.capacity.models import Direction

DAY = 86400.0
MIN_DAYS = 5  # fewer days of data give no forecast
HORIZON_DAYS = 2 * 365  # a crossing further away than this is not forecast
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Crossing:
    """When a level is reached: instants, earliest ≤ likely ≤ latest (latest None: maybe never).

    `now` is inside (all three equal `now`) when the trend is past the level already."""

    earliest: datetime | None
    likely: datetime | None
    latest: datetime | None

    def days(self, now: datetime) -> tuple[float | None, float | None, float | None]:
        def d(at: datetime | None) -> float | None:
            return None if at is None else max(0.0, (at - now).total_seconds() / DAY)

        return d(self.earliest), d(self.likely), d(self.latest)


@dataclass(frozen=True)
class Trend:
    """A Theil–Sen line over daily medians; x in days since `origin`."""

    origin: datetime
    slope: float  # per day
    low_slope: float
    high_slope: float
    pivot_x: float
    pivot_y: float
    points: list[tuple[date, float]]  # the daily medians it was fitted to

    def value_at(self, at: datetime, slope: float | None = None) -> float:
        x = (at - self.origin).total_seconds() / DAY
        return self.pivot_y + (self.slope if slope is None else slope) * (x - self.pivot_x)

    def _reach(self, slope: float, level: float, direction: str, now: datetime) -> datetime | None:
        current = self.value_at(now, slope)
        past = current >= level if direction == Direction.ABOVE else current <= level
        if past:
            return now
        towards = slope > 0 if direction == Direction.ABOVE else slope < 0
        if not towards:
            return None
        days = (level - current) / slope
        if not math.isfinite(days) or days > HORIZON_DAYS:
            return None
        return now + timedelta(days=days)

    def crossing(self, level: float, direction: str, now: datetime) -> Crossing:
        """When the trend reaches `level` (from below for "above", from above for "below")."""
        likely = self._reach(self.slope, level, direction, now)
        if likely is None and self.slope == 0:
            return Crossing(None, None, None)
        steep, shallow = (
            (self.high_slope, self.low_slope)
            if direction == Direction.ABOVE
            else (self.low_slope, self.high_slope)
        )
        earliest = self._reach(steep, level, direction, now)
        latest = self._reach(shallow, level, direction, now)
        if likely is None:
            return Crossing(earliest, None, None)
        return Crossing(earliest or likely, likely, latest)


def daily_medians(samples: Iterable[tuple[datetime, float]]) -> list[tuple[date, float]]:
    """One value per UTC day: the median of its samples, by day."""
    by_day: dict[date, list[float]] = defaultdict(list)
    for at, value in samples:
        if math.isfinite(value):
            by_day[at.astimezone(UTC).date()].append(value)
    return [(day, statistics.median(values)) for day, values in sorted(by_day.items())]


def fit(
    samples: Iterable[tuple[datetime, float]], *, now: datetime, days: int = 30
) -> Trend | None:
    """The trend of the samples of the `days` before `now`, or None with too few days."""
    start = now - timedelta(days=days)
    points = daily_medians((at, v) for at, v in samples if start <= at <= now)
    if len(points) < MIN_DAYS:
        return None
    origin = datetime.combine(points[0][0], datetime.min.time(), tzinfo=UTC)
    # A day's median stands at the middle of its day.
    xs = [(day - points[0][0]).days + 0.5 for day, _v in points]
    ys = [v for _d, v in points]
    # "joint": the intercept is the median of y - slope·x, which outlying days do not move
    # (the median of y alone would be pulled up or down by them).
    result = theilslopes(ys, xs, alpha=CONFIDENCE, method="joint")
    slope, low, high = float(result.slope), float(result.low_slope), float(result.high_slope)
    intercept = float(result.intercept)
    if not all(math.isfinite(v) for v in (slope, low, high, intercept)):
        return None
    pivot_x = statistics.median(xs)
    return Trend(
        origin=origin,
        slope=slope,
        low_slope=min(low, slope),
        high_slope=max(high, slope),
        pivot_x=pivot_x,
        pivot_y=intercept + slope * pivot_x,
        points=points,
    )
