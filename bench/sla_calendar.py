"""SLA deadline arithmetic: computations per second on a typical office calendar.

The calendar is Helsinki, Monday to Friday 08:00-16:00, Finnish public holidays and two
custom closed days. Deadlines are 4 hours, 3 working days (24 h of business time) and
30 working days (240 h), from starts spread over two years, so weekends, holidays, DST
changes and the year end all occur.

- warm: one schedule reused, as `Calendar.schedule()` gives a worker (its per-day and
  per-week caches are filled after the first pass);
- cold: a new schedule for every computation (caches empty, holiday sets still cached
  per process), the worst case;
- elapsed: business minutes between each start and its deadline, warm.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, time as clock, timedelta
from zoneinfo import ZoneInfo

from tuki.calendars.arithmetic import Schedule, add_business_minutes, business_minutes_between

HELSINKI = ZoneInfo("Europe/Helsinki")
DEADLINES = {"4 h": 4 * 60, "3 days": 3 * 8 * 60, "30 days": 30 * 8 * 60}


def office() -> Schedule:
    return Schedule(
        time_zone="Europe/Helsinki",
        week={day: ((clock(8), clock(16)),) for day in range(5)},
        closed_days=frozenset({date(2026, 12, 31), date(2027, 5, 13)}),
        holiday_country="FI",
    )


def starts(count: int = 1000) -> list[datetime]:
    rng = random.Random(4)
    first = datetime(2026, 1, 1, tzinfo=HELSINKI)
    return [first + timedelta(minutes=rng.randrange(2 * 365 * 24 * 60)) for _ in range(count)]


def per_second(work: Callable[[int], object], seconds: float) -> float:
    """Calls of `work(i)` per second, i = 0, 1, 2, ... for about `seconds`."""
    calls = 0
    started = time.perf_counter()
    deadline = started + seconds
    while True:
        for _ in range(50):
            work(calls)
            calls += 1
        now = time.perf_counter()
        if now >= deadline:
            return calls / (now - started)


def run(seconds: float) -> Iterator[tuple[str, float, str]]:
    instants = starts()
    n = len(instants)
    warm = office()
    for label, minutes in DEADLINES.items():
        for start in instants:  # fill the caches: "warm" means after the first pass
            add_business_minutes(warm, start, minutes)

        def deadline_warm(i: int, minutes: int = minutes) -> object:
            return add_business_minutes(warm, instants[i % n], minutes)

        yield f"deadline {label}, warm", per_second(deadline_warm, seconds), "/s"
    for label, minutes in DEADLINES.items():

        def deadline_cold(i: int, minutes: int = minutes) -> object:
            return add_business_minutes(office(), instants[i % n], minutes)

        yield f"deadline {label}, cold", per_second(deadline_cold, seconds), "/s"
    for label, minutes in DEADLINES.items():
        ends = [add_business_minutes(warm, start, minutes) for start in instants]

        def elapsed_warm(i: int, ends: list[datetime] = ends) -> object:
            return business_minutes_between(warm, instants[i % n], ends[i % n])

        yield f"elapsed {label}, warm", per_second(elapsed_warm, seconds), "/s"
