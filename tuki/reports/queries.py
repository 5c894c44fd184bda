"""The SQL under the indicators: which facts a cell counts and how their values aggregate.

One query per indicator answers the total, the rows of a breakdown and the previous period
(grouped by period and key). Counts, shares and means are exact sums. A percentile is read
from the values' histogram on a log scale (`bucket_expression`: 100 buckets per factor e,
each value counted at its bucket's middle, within 0.5 % of itself) rather than by sorting
every value: the database only counts (a hash aggregate, the same SQL on PostgreSQL and
SQLite), and Python interpolates between ranks as percentile_cont does.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import Floor, Ln, TruncMonth, TruncWeek

from tuki.reports.filters import Filters
from tuki.reports.models import TicketFact
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import CustomField, FieldType, visibility_q

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
# Breakdowns by a custom field: "custom.<key>", for the types with a few known values. The
# value is read from the ticket's JSON (Ticket.custom) through the fact's ticket.
CUSTOM_PREFIX = "custom."
CUSTOM_TYPES = frozenset({FieldType.CHOICE, FieldType.MULTI_CHOICE, FieldType.CHECKBOX})

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


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """percentile_cont in Python: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


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


def custom_dimensions() -> list[CustomField]:
    """The active custom fields reports break tickets down by, in their order."""
    return [f for f in custom_fields.definitions().fields if f.type in CUSTOM_TYPES]


def custom_field(by: str | None) -> CustomField | None:
    """The custom field a "custom.<key>" breakdown names (None: not one, or not active)."""
    if not by or not by.startswith(CUSTOM_PREFIX):
        return None
    found = custom_fields.field_by_key(by[len(CUSTOM_PREFIX) :])
    return found if found is not None and found.type in CUSTOM_TYPES else None


def keys_of(by: str | None, value: object) -> list[str]:
    """The row keys of a grouped value: one, except for a multi-choice field, where a
    ticket counts under each of its choices. SQLite hands a JSON value back as text or
    0/1, PostgreSQL as JSON: both read the same here."""
    field = custom_field(by)
    if field is None:
        return [key_of(by, value)]
    if field.type == FieldType.MULTI_CHOICE:
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                pass
        items = value if isinstance(value, list) else [value]
        keys = [str(v) for v in items if v not in (None, "")]
        return list(dict.fromkeys(keys)) or [NONE_KEY]
    if field.type == FieldType.CHECKBOX:
        if value in (True, "true", "1") or (isinstance(value, int) and value == 1):
            return ["true"]
        if value in (False, "false", "0") or (isinstance(value, int) and value == 0):
            return ["false"]
        return [NONE_KEY]
    return [NONE_KEY] if value is None or value == "" else [str(value)]


def group_expression(by: str, cohort: str) -> Any:
    if by.startswith(CUSTOM_PREFIX):
        return KeyTransform(by[len(CUSTOM_PREFIX) :], "ticket__custom")
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
    if by.startswith(CUSTOM_PREFIX):
        return keys_of(by, value)[0]
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
    for found in rows.order_by():
        row: dict[str, Any] = dict(found)
        for key in keys_of(by, row.pop("_key")):
            if key in result:  # a custom field's values read alike (SQLite 1, PostgreSQL true)
                result[key] = {k: (result[key][k] or 0) + (v or 0) for k, v in row.items()}
            else:
                result[key] = row  # week/month keys are unique: the bucket start
    return result


BUCKETS_PER_E = 100


def bucket_expression(column: str) -> Any:
    """The value's bucket: floor(100 * ln(1 + value)), for values >= 0."""
    return Floor(Ln(F(column) + Value(1.0)) * Value(float(BUCKETS_PER_E)))


def bucket_of(value: float) -> int:
    return math.floor(math.log(1.0 + value) * BUCKETS_PER_E)


def bucket_value(bucket: int) -> float:
    """What a value in this bucket counts as: the bucket's middle; the first bucket (under
    0.01) counts as 0, so that "no time at all" reads as 0."""
    if bucket <= 0:
        return 0.0
    return math.exp((bucket + 0.5) / BUCKETS_PER_E) - 1.0


def histogram_percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """percentile_cont over the histogram's values (each bucket's value times its count)."""
    n = sum(histogram.values())
    if not n:
        return None
    position = fraction * (n - 1)
    low, high = math.floor(position), math.ceil(position)
    values: dict[int, float] = {}
    seen = 0
    for bucket in sorted(histogram):
        count = histogram[bucket]
        for rank in (low, high):
            if seen <= rank < seen + count:
                values[rank] = bucket_value(bucket)
        seen += count
    return values[low] + (values[high] - values[low]) * (position - low)


@dataclass
class Sums:
    """One cell's running sums: how many, how many hit, the total, the histogram."""

    measure: str
    statistic: str
    count: int = 0
    hits: int = 0
    total: float = 0.0
    histogram: dict[int, int] = field(default_factory=dict)

    def add(self, row: dict[str, Any]) -> None:
        self.count += row["n"]
        self.hits += row.get("hits") or 0
        self.total += float(row.get("total") or 0)
        if row.get("_b") is not None:
            bucket = int(row["_b"])
            self.histogram[bucket] = self.histogram.get(bucket, 0) + row["n"]
        for key, count in (row.get("histogram") or {}).items():  # a rollup's (rollups.py)
            bucket = int(key)
            self.histogram[bucket] = self.histogram.get(bucket, 0) + count

    def value(self) -> float | None:
        if self.measure == "count":
            return float(self.count)
        if not self.count:
            return None
        if self.measure == "share":
            return 100.0 * self.hits / self.count
        if self.statistic == "mean":
            return self.total / self.count
        return histogram_percentile(self.histogram, FRACTIONS[self.statistic])


@dataclass
class Tally:
    measure: str  # count | share | stat | mean
    statistic: str  # median | p90 | mean

    def collect(self, rows: Iterable[dict[str, Any]]) -> tuple[dict[str, Sums], dict[str, Sums]]:
        now: dict[str, Sums] = {"": Sums(self.measure, self.statistic)}
        before: dict[str, Sums] = {"": Sums(self.measure, self.statistic)}
        for row in rows:
            cells = now if row["_now"] else before
            for key in {"", *row.get("_keys", [row["_key"]])}:
                if key not in cells:
                    cells[key] = Sums(self.measure, self.statistic)
                cells[key].add(row)
        return now, before


def in_period(day: str, start: date) -> Case:
    """True for a row of the period, False for one of the previous period."""
    return Case(
        When(**{f"{day}__gte": start}, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def tally_rows(
    qs: QuerySet[TicketFact],
    day: str,
    start: date,
    by: str | None,
    cohort: str,
    tally: Tally,
    column: str,
    share: Q | None,
) -> Iterator[dict[str, Any]]:
    """The grouped counts one indicator needs: per period (in it or before it), key and
    (for a percentile) bucket."""
    qs = qs.annotate(_now=in_period(day, start))
    group = ["_now"]
    if by is not None:
        qs = qs.annotate(_key=group_expression(by, cohort))
        group.append("_key")
    aggregates: dict[str, Any] = {"n": Count("pk")}
    if tally.measure == "share":
        aggregates["hits"] = Count("pk", filter=share)
    elif tally.statistic == "mean" and tally.measure in ("stat", "mean"):
        aggregates["total"] = Sum(column)
    elif tally.measure == "stat":
        qs = qs.annotate(_b=bucket_expression(column))
        group.append("_b")
    for found in qs.values(*group).annotate(**aggregates).order_by():
        row = dict(found)
        if by is not None and by.startswith(CUSTOM_PREFIX):
            row["_keys"] = keys_of(by, row.get("_key"))  # each of a multi-choice's values
            row["_key"] = row["_keys"][0]
        else:
            row["_key"] = key_of(by, row.get("_key")) if by is not None else ""
        yield row


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
