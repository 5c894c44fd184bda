"""The SQL under the indicators: which facts a cell counts and how their values aggregate.

PostgreSQL aggregates everything in the database (FILTER, percentile_cont); SQLite has no
percentile, so there the values are read and the same interpolation is done in Python
(`percentile`): both give the same results.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Avg, Count, F, FloatField, Q, QuerySet
from django.db.models.functions import TruncMonth, TruncWeek

from tuki.reports.filters import Filters
from tuki.reports.models import TicketFact
from tuki.tickets.models import visibility_q

# Dimension code -> fact column (time dimensions bucket the cohort's date instead).
COLUMNS = {
    "channel": "channel",
    "kind": "kind",
    "priority": "priority",
    "category": "category_id",
    "service": "service_id",
    "organisation": "organisation_id",
    "agreement": "agreement_id",
    "group": "group_id",
    "agent": "assignee_id",
}
TIME = ("day", "week", "month")
NONE_KEY = "none"

FILTER_COLUMNS = {
    "organisations": "organisation_id",
    "agreements": "agreement_id",
    "groups": "group_id",
    "kinds": "kind",
    "priorities": "priority",
    "services": "service_id",
    "channels": "channel",
}

FRACTIONS = {"median": 0.5, "p90": 0.9}


class Percentile(Aggregate):
    """PostgreSQL's percentile_cont(fraction) WITHIN GROUP (ORDER BY expression)."""

    function = "percentile_cont"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """percentile_cont in Python: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def in_database() -> bool:
    """Whether percentiles are computed by the database (PostgreSQL)."""
    return connection.vendor == "postgresql"


def facts(viewer: Any, filters: Filters) -> QuerySet[TicketFact]:
    """The facts of tickets `viewer` may see (the tickets' own rule, on the fact's columns:
    they carry the same names), within the filters other than the period."""
    qs = TicketFact.objects.filter(visibility_q(viewer))
    for name, column in FILTER_COLUMNS.items():
        values = getattr(filters, name)
        if values:
            qs = qs.filter(**{f"{column}__in": values})
    return qs


def cohort_q(cohort: str, start: date, end: date) -> Q:
    """Which tickets a period holds: created in it, resolved (last) in it, open at its end,
    or open at some time during it."""
    if cohort == "created":
        return Q(created_day__range=(start, end))
    if cohort == "resolved":
        return Q(resolved_day__range=(start, end))
    if cohort == "open":
        return Q(created_day__lte=end) & (Q(resolved_day__isnull=True) | Q(resolved_day__gt=end))
    if cohort == "active":
        return Q(created_day__lte=end) & (Q(resolved_day__isnull=True) | Q(resolved_day__gte=start))
    raise ValueError(cohort)


def cohort_day(cohort: str) -> str:
    return "resolved_day" if cohort == "resolved" else "created_day"


# --- time buckets ---------------------------------------------------------------------------


def bucket_start(by: str, day: date) -> date:
    if by == "week":
        return day - timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    return day


def bucket_end(by: str, first: date) -> date:
    if by == "week":
        return first + timedelta(days=6)
    if by == "month":
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return following - timedelta(days=1)
    return first


def buckets(by: str, start: date, end: date) -> list[tuple[date, date]]:
    """The buckets of a period, each cut to the period: (first day, last day)."""
    found = []
    first = bucket_start(by, start)
    while first <= end:
        last = bucket_end(by, first)
        found.append((max(first, start), min(last, end)))
        first = last + timedelta(days=1)
    return found


def group_expression(by: str, cohort: str) -> Any:
    column = cohort_day(cohort)
    if by == "week":
        return TruncWeek(column)
    if by == "month":
        return TruncMonth(column)
    if by == "day":
        return F(column)
    return F(COLUMNS[by])


def key_of(by: str | None, value: object) -> str:
    if by is None:
        return ""
    if value is None:
        return NONE_KEY
    if isinstance(value, date):
        return bucket_start(by, value).isoformat() if by in TIME else value.isoformat()
    return str(value)


# --- aggregates ------------------------------------------------------------------------------


def grouped(
    qs: QuerySet[TicketFact], by: str | None, cohort: str, aggregates: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """Run `aggregates` over qs, per key of `by` (one row "" when by is None)."""
    if by is None:
        return {"": qs.aggregate(**aggregates)}
    rows = qs.annotate(_key=group_expression(by, cohort)).values("_key").annotate(**aggregates)
    result: dict[str, dict[str, Any]] = {}
    for row in rows.order_by():
        key = key_of(by, row.pop("_key"))
        result[key] = row  # week/month keys are unique: the truncation is the bucket start
    return result


def values_by_key(
    qs: QuerySet[TicketFact], by: str | None, cohort: str, column: str
) -> dict[str, list[float]]:
    """The non-empty values of `column` per key (SQLite's percentiles)."""
    found: dict[str, list[float]] = {}
    qs = qs.filter(**{f"{column}__isnull": False})
    if by is None:
        found[""] = [float(v) for v in qs.values_list(column, flat=True)]
        return found
    rows = qs.annotate(_key=group_expression(by, cohort)).values_list("_key", column)
    for key, value in rows.order_by():
        found.setdefault(key_of(by, key), []).append(float(value))
    return found


def measure_aggregates(column: str, statistic: str, where: Q | None = None) -> dict[str, Any]:
    """count and value of a measure (minutes, a score) over the rows where it is set."""
    present = Q(**{f"{column}__isnull": False})
    if where is not None:
        present &= where
    found: dict[str, Any] = {"count": Count("pk", filter=present)}
    if statistic == "mean":
        found["value"] = Avg(column, filter=present)
    elif in_database():
        found["value"] = Percentile(column, fraction=FRACTIONS[statistic], filter=present)
    return found


def share_aggregates(share: Q, where: Q | None = None) -> dict[str, Any]:
    counted = where if where is not None else Q(pk__isnull=False)
    return {"count": Count("pk", filter=counted), "hits": Count("pk", filter=counted & share)}


def cumulative(
    qs: QuerySet[TicketFact], column: str, start: date, end: date
) -> tuple[int, dict[date, int]]:
    """How many facts have `column` before `start`, and how many on each day of the period."""
    before = qs.filter(**{f"{column}__lt": start}).count()
    per_day = dict(
        qs.filter(**{f"{column}__range": (start, end)})
        .values_list(column)
        .annotate(n=Count("pk"))
        .order_by()
        .values_list(column, "n")
    )
    return before, per_day


def running(before: int, per_day: dict[date, int], days: Iterable[date]) -> dict[date, int]:
    """The running total at the end of each of `days` (ascending)."""
    totals: dict[date, int] = {}
    total, last = before, None
    ordered = sorted(per_day)
    index = 0
    for day in days:
        while index < len(ordered) and ordered[index] <= day:
            total += per_day[ordered[index]]
            index += 1
        totals[day] = total
        last = day
    del last
    return totals
