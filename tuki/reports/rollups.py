"""Monthly rollups of the report facts: what lets a year's report read a few thousand rows
instead of every ticket (docs/reports.md, "How the figures are computed").

Three tables (models.py):
- `Rollup`: per month and cohort (registered or resolved in the month), every figure's
  sums, in total and per key of each dimension; a time's histogram in total only.
- `RollupSpan`: how many tickets were registered on one day and resolved on another (or
  are open), for the backlog, its age and the workload on any day.
- `RollupMonth`: whether a month's rollups hold its facts as they are now.

Reading is exact, never stale. Only a viewer who sees every unrestricted ticket reads the
rollups (they leave restricted tickets out), and only the *clean* months wholly inside the
period (rolled after their last change). Everything else is read from the facts and added:
partial months, changed months, and the restricted tickets the viewer may see. Counts, sums
and histograms add, so the figures are the same either way; tests/test_rollups.py holds
them equal on random data.

Writing: `facts.refresh` marks the months a fact leaves or enters (`mark`, in the fact's own
transaction); the periodic job `roll_changed` queues `tasks.roll_months`, which rolls them
(`roll`). A fact that changes while its month is being rolled moves the month's mark, so
the month stays unclean and is read from the facts until the next roll.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.utils import timezone

from tuki.reports import queries
from tuki.reports.filters import today
from tuki.reports.models import Rollup, RollupMonth, RollupSpan, TicketFact

COHORT_DAY = {"created": "created_day", "resolved": "resolved_day"}
# The figure every cohort has: how many tickets it holds.
COUNT = "count"
# Filter field -> the dimension its values are keys of.
FILTER_DIMENSIONS = {
    "organisations": "organisation",
    "agreements": "agreement",
    "groups": "group",
    "kinds": "kind",
    "priorities": "priority",
    "services": "service",
    "channels": "channel",
}


# --- months ----------------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def month_end(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def whole_months(first: date, last: date) -> list[date]:
    """The months lying wholly inside [first, last]."""
    month = month_of(first) if first.day == 1 else month_end(first) + timedelta(days=1)
    found = []
    while month_end(month) <= last:
        found.append(month)
        month = month_end(month) + timedelta(days=1)
    return found


def clean_months(months: Iterable[date] | None = None) -> set[date]:
    """Of `months` (every month when None), those whose rollups are current."""
    qs = RollupMonth.objects.filter(rolled_version=F("version"))
    if months is not None:
        wanted = list(months)
        if not wanted:
            return set()
        qs = qs.filter(month__range=(min(wanted), max(wanted)), month__in=wanted)
    return set(qs.values_list("month", flat=True))


def ranges(months: Iterable[date]) -> list[tuple[date, date]]:
    """Months as day ranges, neighbours joined."""
    found: list[tuple[date, date]] = []
    for month in sorted(months):
        if found and found[-1][1] + timedelta(days=1) == month:
            found[-1] = (found[-1][0], month_end(month))
        else:
            found.append((month, month_end(month)))
    return found


def day_q(column: str, spans: Iterable[tuple[date, date]]) -> Q:
    """`column` falls in one of the day ranges (nothing when there are none)."""
    q = Q(pk__in=[])
    for first, last in spans:
        q |= Q(**{f"{column}__range": (first, last)})
    return q


def sees_unrestricted(viewer: Any) -> bool:
    """Whether `viewer` sees every unrestricted ticket (tickets.models.visibility_q): only
    such a viewer reads the rollups."""
    if not getattr(viewer, "is_authenticated", False) or not viewer.is_active:
        return False
    return bool(viewer.is_superuser or (viewer.is_agent and viewer.sees_all_tickets))


@dataclass(frozen=True)
class Split:
    """How a span of days is read: whole clean months from the rollups, the rest (and the
    restricted tickets of the rolled months) from the facts."""

    column: str  # the fact's day column the cohort is by
    months: tuple[date, ...]
    live: tuple[tuple[date, date], ...]

    def facts_q(self) -> Q:
        """The facts still to read beside the rollups."""
        rolled = day_q(self.column, ranges(self.months))
        return day_q(self.column, self.live) | (Q(restricted=True) & rolled)


def split(column: str, first: date, last: date, start: date | None = None) -> Split:
    """Read [first, last] (with the previous period [first, start - 1] beside the period
    [start, last]: a month the two share is read from the facts)."""
    wanted = whole_months(first, last)
    if start is not None and first < start:
        before = start - timedelta(days=1)
        wanted = whole_months(first, before) + whole_months(start, last)
    clean = sorted(clean_months(wanted))
    live: list[tuple[date, date]] = []
    day = first
    for month in clean:
        if day < month:
            live.append((day, month - timedelta(days=1)))
        day = month_end(month) + timedelta(days=1)
    if day <= last:
        live.append((day, last))
    return Split(column, tuple(clean), tuple(live))


# --- reading the cohorts ---------------------------------------------------------------------


def cohort_rows(
    cohort: str,
    dimension: str,
    keys: Iterable[str] | None,
    figures: Iterable[str],
    months: Iterable[date],
    start: date,
    *,
    by: str | None,
) -> Iterator[dict[str, Any]]:
    """The rolled sums as queries.tally_rows gives the facts' ({_now, _key, n, hits,
    total}, a time's `histogram`, and the `figure`), `_now` for a month in the period
    [start, ...] and `_key` the key of `by` (the month, or the dimension's key)."""
    months = list(months)
    if not months:
        return
    qs = Rollup.objects.filter(
        cohort=cohort,
        dimension=dimension,
        figure__in=list(figures),
        month__range=(min(months), max(months)),
        month__in=months,
    )
    if keys is not None:
        qs = qs.filter(key__in=list(keys))
    columns = ("figure", "month", "key", "n", "hits", "total", "histogram")
    for row in qs.values(*columns).order_by():
        month = row.pop("month")
        key = row.pop("key")
        row["_now"] = month >= start
        if by in queries.TIME:
            row["_key"] = queries.key_of(by, month)
        else:
            row["_key"] = key if by is not None else ""
        yield row


# --- reading the spans -----------------------------------------------------------------------


@dataclass(frozen=True)
class Spans:
    """Where the spans of tickets registered up to a day are read: the rolled spans of clean
    months, the facts for the rest (and for the restricted tickets of clean months)."""

    clean: tuple[tuple[date, date], ...]  # created-day ranges read from RollupSpan

    def rolled(self, end: date) -> QuerySet[RollupSpan]:
        return RollupSpan.objects.filter(day_q("created_day", self.clean), created_day__lte=end)

    def live(self, visible: QuerySet[TicketFact], end: date) -> QuerySet[TicketFact]:
        """Of the visible facts registered up to `end`, those the rolled spans leave out."""
        rolled = day_q("created_day", self.clean)
        return visible.filter(created_day__lte=end).filter(~rolled | Q(restricted=True))


def spans() -> Spans:
    return Spans(tuple(ranges(clean_months())))


def open_by_day(
    source: Spans, visible: QuerySet[TicketFact], end: date, since: date | None = None
) -> dict[date, int]:
    """Day of registration -> how many of that day's visible tickets were open at the end
    of `end` (since=None), or at some time in [since, end]."""
    after = end if since is None else since - timedelta(days=1)
    still_open = Q(resolved_day__isnull=True) | Q(resolved_day__gt=after)
    found: dict[date, int] = {}
    rolled = source.rolled(end).filter(still_open).values("created_day").annotate(total=Sum("n"))
    for row in rolled.order_by():
        found[row["created_day"]] = found.get(row["created_day"], 0) + row["total"]
    live = source.live(visible, end).filter(still_open).values("created_day")
    for row in live.annotate(total=Count("pk")).order_by():
        found[row["created_day"]] = found.get(row["created_day"], 0) + row["total"]
    return found


def cumulative(
    source: Spans, visible: QuerySet[TicketFact], column: str, start: date, end: date
) -> tuple[int, dict[date, int]]:
    """queries.cumulative over the visible tickets: how many have `column` (created_day or
    resolved_day) before `start`, and how many on each day of [start, end]."""
    parts: list[tuple[QuerySet[Any], Any]] = [
        (source.rolled(end), Sum("n")),
        (source.live(visible, end), Count("pk")),
    ]
    before = 0
    per_day: dict[date, int] = {}
    for qs, measure in parts:
        before += qs.filter(**{f"{column}__lt": start}).aggregate(total=measure)["total"] or 0
        rows = qs.filter(**{f"{column}__range": (start, end)}).values(column)
        for row in rows.annotate(total=measure).order_by():
            per_day[row[column]] = per_day.get(row[column], 0) + row["total"]
    return before, per_day


# --- writing ---------------------------------------------------------------------------------


def mark(days: Iterable[date | None]) -> None:
    """The facts of these days changed: their months are unclean until rolled again. Call
    inside the transaction that writes the facts (months in order: no deadlocks)."""
    months = sorted({month_of(day) for day in days if day is not None})
    if not months:
        return
    now = timezone.now()
    table = connection.ops.quote_name(RollupMonth._meta.db_table)
    rows = ", ".join(["(%s, 1, %s)"] * len(months))
    params: list[Any] = []
    for month in months:
        params += [month, now]
    with connection.cursor() as cursor:
        # A counter, not a time: two changes in the same instant still differ.
        cursor.execute(
            f"INSERT INTO {table} (month, version, changed_at) VALUES {rows} "
            f"ON CONFLICT (month) DO UPDATE SET version = {table}.version + 1, "
            "changed_at = excluded.changed_at",
            params,
        )


def changed_months(before: date | None = None) -> list[date]:
    """The months changed since their last roll (those before `before`, if given)."""
    qs = RollupMonth.objects.exclude(rolled_version=F("version"))
    if before is not None:
        qs = qs.filter(month__lt=before)
    return list(qs.order_by("month").values_list("month", flat=True))


def roll_changed() -> int:
    """Periodic job: queue the roll of every changed month but the current one, which
    changes all day (reports read it from its facts; it is rolled once it is over). Quick:
    it only enqueues, and the task is safe to run twice. Returns how many months."""
    from tuki.reports import tasks

    months = changed_months(before=month_of(today()))
    if months:
        tasks.roll_months.enqueue([m.isoformat() for m in months])
    return len(months)


def roll_all() -> int:
    """Roll every changed month now (after a rebuild, an import or a bench load)."""
    return sum(roll(month) for month in changed_months())


def roll(month: date) -> bool:
    """Recompute one month's rollups from its facts. True when the month is clean after;
    False when a fact changed meanwhile (or another worker is rolling it)."""
    state = RollupMonth.objects.filter(month=month).values_list("version", flat=True).first()
    if state is None:
        return False
    last = month_end(month)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_try_advisory_xact_lock(%s, %s)", [7421, month.toordinal()]
                )
                if not cursor.fetchone()[0]:
                    return False
        Rollup.objects.filter(month=month).delete()
        RollupSpan.objects.filter(created_day__range=(month, last)).delete()
        Rollup.objects.bulk_create(_rollup_rows(month, last), batch_size=2000)
        RollupSpan.objects.bulk_create(_span_rows(month, last), batch_size=2000)
        done = RollupMonth.objects.filter(month=month, version=state).update(
            rolled_version=state, rolled_at=timezone.now()
        )
    return bool(done)


def _rollup_rows(month: date, last: date) -> Iterator[Rollup]:
    from tuki.reports.indicators import SPECS, population

    for cohort, column in COHORT_DAY.items():
        base = TicketFact.objects.filter(restricted=False, **{f"{column}__range": (month, last)})
        specs = {code: spec for code, spec in SPECS.items() if spec.cohort == cohort}
        aggregates: dict[str, Any] = {COUNT: Count("pk")}
        for code, spec in specs.items():
            if spec.measure not in ("share", "mean"):
                continue
            where = population(spec, spec.column)
            aggregates[f"{code}__n"] = Count("pk", filter=where)
            if spec.measure == "share":
                aggregates[f"{code}__hits"] = Count("pk", filter=where & (spec.share or Q()))
            else:
                aggregates[f"{code}__total"] = Sum(spec.column, filter=where)
        figures = [code for code in aggregates if "__" not in code] + [
            code for code in specs if f"{code}__n" in aggregates
        ]
        for dimension in ("", *queries.COLUMNS):
            if dimension:
                field = queries.COLUMNS[dimension]
                rows: Iterable[dict[str, Any]] = (
                    base.values(field).annotate(**aggregates).order_by()
                )
            else:
                field = ""
                rows = [base.aggregate(**aggregates)]
            for row in rows:
                key = queries.key_of(dimension, row[field]) if dimension else ""
                for figure in figures:
                    n = row[figure] if figure == COUNT else row[f"{figure}__n"]
                    hits = row.get(f"{figure}__hits") or 0
                    total = float(row.get(f"{figure}__total") or 0)
                    if n or hits or total:
                        yield Rollup(
                            month=month,
                            cohort=cohort,
                            dimension=dimension,
                            key=key,
                            figure=figure,
                            n=n,
                            hits=hits,
                            total=total,
                        )
        for spec in specs.values():
            if spec.measure == "stat":
                yield from _histograms(
                    month, cohort, base.filter(population(spec, spec.column)), spec
                )


def _histograms(
    month: date, cohort: str, base: QuerySet[TicketFact], spec: Any
) -> Iterator[Rollup]:
    """A time's rows: per key of each dimension (and in total), the population's count,
    the sum of the values and their histogram (a value left empty counts, in no bucket)."""
    for column in dict.fromkeys(c for c in (spec.column, spec.business) if c):
        for dimension in ("", *queries.COLUMNS):
            field = queries.COLUMNS.get(dimension, "")
            group = [field, "_b"] if field else ["_b"]
            rows = (
                base.annotate(_b=queries.bucket_expression(column))
                .values(*group)
                .annotate(n=Count("pk"), total=Sum(column))
                .order_by()
            )
            cells: dict[str, Rollup] = {}
            for row in rows:
                key = queries.key_of(dimension, row[field]) if dimension else ""
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = Rollup(
                        month=month,
                        cohort=cohort,
                        dimension=dimension,
                        key=key,
                        figure=column,
                        histogram={},
                    )
                cell.n += row["n"]
                cell.total += float(row["total"] or 0)
                if row["_b"] is not None:
                    bucket = str(int(row["_b"]))
                    cell.histogram[bucket] = cell.histogram.get(bucket, 0) + row["n"]
            yield from cells.values()


def _span_rows(month: date, last: date) -> Iterator[RollupSpan]:
    rows = (
        TicketFact.objects.filter(restricted=False, created_day__range=(month, last))
        .values("created_day", "resolved_day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield RollupSpan(
            created_day=row["created_day"], resolved_day=row["resolved_day"], n=row["n"]
        )
