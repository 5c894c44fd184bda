"""The indicators, defined once (docs/reports.md has the full definitions).

Every figure is read from `reports.TicketFact` (one row per ticket, kept current from the
ticket's events: tuki/reports/facts.py) and only over tickets the viewer may see. This is
the contract report pages, dashboards, exports and imports build on
(`compute`, `summary`, `tickets_behind`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import chain
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from tuki.knowledge.models import Deflection, DeflectionOutcome
from tuki.lib.bounds import parse_id
from tuki.reports import queries, rollups
from tuki.reports.filters import FilterError, Filters, day_bounds, desk_day
from tuki.reports.labels import labels_for
from tuki.reports.models import TicketFact
from tuki.sla.models import Agreement
from tuki.tickets import fields as custom_fields
from tuki.tickets.models import FieldType, Ticket

__all__ = [
    "DIMENSIONS",
    "INDICATORS",
    "Cell",
    "Dimension",
    "FilterError",
    "Filters",
    "Indicator",
    "Result",
    "agreed_target",
    "compute",
    "deflections_behind",
    "summary",
    "tickets_behind",
]

CLOCKS = ("business", "calendar")
STATISTICS = ("median", "p90", "mean")
# The "met" indicators' target: an agreement's own, else settings.SLA_TARGET_PERCENT.


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str | Promise  # lazy-translated
    unit: str  # "count" | "percent" | "minutes" | "score" | "number"
    higher_is_better: bool
    description: str | Promise  # one sentence; docs/reports.md has the full definition


@dataclass(frozen=True)
class Dimension:
    code: str
    label: str | Promise
    is_time: bool = False


@dataclass
class Cell:
    key: str  # stable key of the row ("" for the total), used in drill-down URLs
    label: str
    value: float | None  # None when nothing to measure
    count: int  # how many tickets are behind the value
    previous: float | None = None  # same cell in the previous period (compare=True)
    target: float | None = None  # the target when one applies (SLA met %)


@dataclass
class Result:
    indicator: Indicator
    filters: Filters
    by: str | None
    total: Cell
    rows: list[Cell] = field(default_factory=list)


@dataclass(frozen=True)
class _Spec:
    """How an indicator is computed: its tickets (`cohort` and `where`) and their value.

    measure: "count" (how many), "share" (percent of them where `share`), "stat" (median,
    p90 or mean of `column`, by clock when `business` is set), "mean" (of `column`).
    """

    cohort: str  # created | resolved | open | active | deflections
    measure: str
    column: str = ""
    business: str = ""  # the business-time column, chosen by clock="business"
    share: Q | None = None
    where: Q | None = None
    has_target: bool = False  # compared with the agreed share of clocks met (`target`)


def _i(code: str, label: Promise, unit: str, better: bool, description: Promise) -> Indicator:
    return Indicator(code, label, unit, better, description)


INDICATORS: dict[str, Indicator] = {
    i.code: i
    for i in (
        _i("volume", _("Tickets"), "count", False, _("Tickets registered in the period.")),
        _i(
            "first_contact_resolution",
            _("First-contact resolution"),
            "percent",
            True,
            _("Share of the period's tickets the service desk resolved at first contact."),
        ),
        _i(
            "first_response_time",
            _("First response time"),
            "minutes",
            False,
            _("Time from registration to the first public reply by an agent."),
        ),
        _i(
            "resolve_time",
            _("Time to resolve"),
            "minutes",
            False,
            _("Time from registration to the last resolution, of tickets resolved in the period."),
        ),
        _i(
            "sla_response_met",
            _("Response target met"),
            "percent",
            True,
            _("Share of decided first-response clocks that met their target."),
        ),
        _i(
            "sla_resolution_met",
            _("Resolution target met"),
            "percent",
            True,
            _("Share of tickets resolved in the period whose resolution clocks met their target."),
        ),
        _i(
            "ola_met",
            _("Group targets met (OLA)"),
            "percent",
            True,
            _("Share of tickets resolved in the period whose group clocks all met their target."),
        ),
        _i("backlog", _("Backlog"), "count", False, _("Tickets open at the end of the period.")),
        _i(
            "backlog_age",
            _("Backlog age (days)"),
            "number",
            False,
            _("Age in days, at the end of the period, of the tickets then open."),
        ),
        _i(
            "reopen_rate",
            _("Reopen rate"),
            "percent",
            False,
            _("Share of tickets resolved in the period that were reopened at least once."),
        ),
        _i(
            "reassignments",
            _("Reassignments per ticket"),
            "number",
            False,
            _("Mean number of moves between groups of the period's tickets."),
        ),
        _i(
            "escalation_rate",
            _("Escalated to second line"),
            "percent",
            False,
            _("Share of the period's tickets that went to a second- or third-line group."),
        ),
        _i(
            "pending_time",
            _("Pending time"),
            "minutes",
            False,
            _("Time spent waiting (pending) by tickets resolved in the period."),
        ),
        _i(
            "workload",
            _("Workload"),
            "count",
            False,
            _("Tickets open at some time during the period, by where they are now."),
        ),
        _i(
            "deflections",
            _("Deflections"),
            "count",
            True,
            _("Requests that ended with a knowledge article instead of a ticket."),
        ),
        _i(
            "satisfaction",
            _("Satisfaction"),
            "score",
            True,
            _("Mean answered survey score (1-5) of tickets resolved in the period."),
        ),
    )
}

SPECS: dict[str, _Spec] = {
    "volume": _Spec("created", "count"),
    "first_contact_resolution": _Spec("created", "share", share=Q(first_contact=True)),
    "first_response_time": _Spec(
        "created", "stat", column="first_response_minutes", business="first_response_business"
    ),
    "resolve_time": _Spec(
        "resolved", "stat", column="resolve_minutes", business="resolve_business"
    ),
    "sla_response_met": _Spec(
        "created",
        "share",
        share=Q(sla_response_met=True),
        where=Q(sla_response_met__isnull=False),
        has_target=True,
    ),
    "sla_resolution_met": _Spec(
        "resolved",
        "share",
        share=Q(sla_resolution_met=True),
        where=Q(sla_resolution_met__isnull=False),
        has_target=True,
    ),
    "ola_met": _Spec(
        "resolved",
        "share",
        share=Q(ola_met=True),
        where=Q(ola_met__isnull=False),
        has_target=True,
    ),
    "backlog": _Spec("open", "count"),
    "backlog_age": _Spec("open", "age"),
    "reopen_rate": _Spec("resolved", "share", share=Q(reopen_count__gt=0)),
    "reassignments": _Spec("created", "mean", column="hops"),
    "escalation_rate": _Spec("created", "share", share=Q(escalated=True)),
    "pending_time": _Spec("resolved", "stat", column="pending_minutes"),
    "workload": _Spec("active", "count"),
    "deflections": _Spec("deflections", "count"),
    "satisfaction": _Spec("resolved", "mean", column="satisfaction"),
}

DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        Dimension("channel", _("Channel")),
        Dimension("kind", _("Kind")),
        Dimension("category", _("Category")),
        Dimension("service", _("Service")),
        Dimension("organisation", _("Organisation")),
        Dimension("agreement", _("Agreement")),
        Dimension("group", _("Group")),
        Dimension("priority", _("Priority")),
        Dimension("agent", _("Agent")),
        Dimension("day", _("Day"), is_time=True),
        Dimension("week", _("Week"), is_time=True),
        Dimension("month", _("Month"), is_time=True),
    )
}


def dimension(code: str | None) -> Dimension | None:
    """A breakdown: a fixed one, or "custom.<key>" for an active choice, multi-choice or
    checkbox custom field (labelled in the reader's language)."""
    if code is None:
        return None
    found = DIMENSIONS.get(code)
    if found is not None:
        return found
    field = queries.custom_field(code)
    return Dimension(code, custom_fields.label(field)) if field is not None else None


def dimensions() -> dict[str, Dimension]:
    """Every breakdown: the fixed ones, then the custom fields'."""
    custom = {
        queries.CUSTOM_PREFIX + f.key: Dimension(
            queries.CUSTOM_PREFIX + f.key, custom_fields.label(f)
        )
        for f in queries.custom_dimensions()
    }
    return {**DIMENSIONS, **custom}


# The summary's indicators, in the order a report shows them.
HEADLINE = tuple(INDICATORS)


def _check(code: str, by: str | None, clock: str, statistic: str) -> None:
    if code not in INDICATORS:
        raise FilterError("indicator", str(_("Unknown indicator.")))
    if by is not None and dimension(by) is None:
        raise FilterError("by", str(_("Unknown breakdown.")))
    if clock not in CLOCKS:
        raise FilterError("clock", str(_("Choose business or calendar time.")))
    if statistic not in STATISTICS:
        raise FilterError("statistic", str(_("Choose median, p90 or mean.")))


def compute(
    viewer: Any,
    code: str,
    filters: Filters,
    by: str | None = None,
    *,
    compare: bool = False,
    clock: str = "business",
    statistic: str = "median",
    agreed: float | None = None,
) -> Result:
    """One indicator over the period, in total and per row of `by`; with the previous
    period beside each cell when `compare`. Raises FilterError for an unknown code,
    breakdown, clock or statistic. `agreed`: the target, when the caller has read it
    (agreed_target)."""
    _check(code, by, clock, statistic)
    spec = SPECS[code]
    values, previous = _values(viewer, spec, filters, by, clock, statistic, compare)
    zero = 0.0 if spec.measure == "count" else None
    if compare and by in queries.TIME:
        # The previous period's rows beside this one's, aligned from the end (a month with
        # the month before it, even where the period's start cuts a month short).
        earlier = [previous.get(k, (zero, 0)) for k in _keys(by, filters.previous())]
        keys = _keys(by, filters)
        aligned = dict(zip(reversed(keys), reversed(earlier), strict=False))
        previous = {"": previous.get("", (zero, 0)), **aligned}
    total_value, total_count = values.pop("", (zero, 0))
    goal = target(spec, filters) if agreed is None or not spec.has_target else agreed
    total = Cell("", str(_("Total")), total_value, total_count, target=goal)
    if compare:
        total.previous = previous.get("", (zero, 0))[0]
    rows = _rows(by, filters, spec, values, previous if compare else None)
    return Result(INDICATORS[code], filters, by, total, rows)


def summary(viewer: Any, filters: Filters, *, compare: bool = False) -> list[Result]:
    """Every headline indicator's total over the period (business clock, median): the same
    figures as `compute`, with one query for all the indicators of a cohort (registered,
    resolved) instead of one each."""
    totals: dict[str, tuple[tuple[float | None, int], tuple[float | None, int]]] = {}
    for cohort in ("created", "resolved"):
        codes = [c for c in HEADLINE if SPECS[c].cohort == cohort]
        # One histogram per query: two multiply its groups (slower than a query more).
        stats = [c for c in codes if SPECS[c].measure == "stat"]
        codes = [c for c in codes if c not in stats[1:]]
        totals.update(_cohort_totals(viewer, filters, cohort, codes, compare))
    # The backlog is the count of the tickets whose age backlog_age reads: one query less.
    ages = compute(viewer, "backlog_age", filters)
    backlog = Cell("", str(_("Total")), float(ages.total.count), ages.total.count)
    if compare:
        earlier = compute(viewer, "backlog_age", filters.previous()).total
        ages.total.previous, backlog.previous = earlier.value, float(earlier.count)
    done = {"backlog_age": ages, "backlog": Result(INDICATORS["backlog"], filters, None, backlog)}
    results = []
    goal: float | None = None
    for code in HEADLINE:
        spec = SPECS[code]
        if code in done:
            results.append(done[code])
            continue
        if code not in totals:
            results.append(compute(viewer, code, filters, compare=compare))
            continue
        (value, count), (before, _count) = totals[code]
        if spec.has_target and goal is None:
            goal = agreed_target(filters)
        total = Cell("", str(_("Total")), value, count, target=goal if spec.has_target else None)
        if compare:
            total.previous = before
        results.append(Result(INDICATORS[code], filters, None, total, []))
    return results


def _cohort_totals(
    viewer: Any, filters: Filters, cohort: str, codes: list[str], compare: bool
) -> dict[str, tuple[tuple[float | None, int], tuple[float | None, int]]]:
    day = queries.cohort_day(cohort)
    first = filters.previous().start if compare else filters.start
    statistic = {code: "mean" if SPECS[code].measure == "mean" else "median" for code in codes}
    sums = {
        code: (
            queries.Sums(SPECS[code].measure, statistic[code]),
            queries.Sums(SPECS[code].measure, statistic[code]),
        )
        for code in codes
    }
    qs = queries.facts(viewer, filters)
    if rollups.sees_unrestricted(viewer) and filters.is_empty_beyond_period():
        part = rollups.split(day, first, filters.end, filters.start)
        qs = qs.filter(part.facts_q())
        figures = {_figure(SPECS[code], "business"): code for code in codes}
        rows = rollups.cohort_rows(cohort, "", None, figures, part.months, filters.start, by=None)
        for row in rows:
            sums[figures[row["figure"]]][0 if row["_now"] else 1].add(row)
    else:
        qs = qs.filter(**{f"{day}__range": (first, filters.end)})
    qs = qs.annotate(_now=queries.in_period(day, filters.start))
    group = ["_now"]
    aggregates: dict[str, Any] = {}
    for index, code in enumerate(codes):
        spec = SPECS[code]
        column = _clock_column(spec, "business")
        where = population(spec, column)
        aggregates[f"n{index}"] = Count("pk", filter=where)
        if spec.measure == "share":
            aggregates[f"hits{index}"] = Count("pk", filter=where & (spec.share or Q()))
        elif spec.measure == "mean":
            aggregates[f"total{index}"] = Sum(column, filter=where)
        elif spec.measure == "stat":
            qs = qs.annotate(**{f"_b{index}": queries.bucket_expression(column)})
            group.append(f"_b{index}")
    for found in qs.values(*group).annotate(**aggregates).order_by():
        for index, code in enumerate(codes):
            row = {
                "n": found[f"n{index}"],
                "hits": found.get(f"hits{index}"),
                "total": found.get(f"total{index}"),
                "_b": found.get(f"_b{index}") if found[f"n{index}"] else None,
            }
            sums[code][0 if found["_now"] else 1].add(row)
    return {
        code: ((_round(now.value()), now.count), (_round(before.value()), before.count))
        for code, (now, before) in sums.items()
    }


def deflections_behind(
    filters: Filters, by: str | None = None, key: str | None = None
) -> QuerySet[Deflection]:
    """The deflections behind the deflections indicator's number (the total, or one time
    bucket's), newest first: they have no tickets behind them. Raises FilterError for a
    row the breakdown cannot have."""
    start, end = filters.start, filters.end
    if by is not None and key:
        if by not in queries.TIME:
            raise FilterError("key", str(_("No such row.")))
        first = _parse_day(key)
        if queries.bucket_start(by, first) != first or not (
            queries.bucket_start(by, start) <= first <= end
        ):
            raise FilterError("key", str(_("No such row.")))
        start, end = max(first, start), min(queries.bucket_end(by, first), end)
    return Deflection.objects.filter(
        outcome=DeflectionOutcome.SOLVED,
        created_at__gte=day_bounds(start),
        created_at__lt=day_bounds(end + timedelta(days=1)),
    ).order_by("-created_at", "-id")


def tickets_behind(
    viewer: Any, code: str, filters: Filters, by: str | None = None, key: str | None = None
) -> QuerySet[Ticket]:
    """Exactly the tickets behind one cell (the total when `key` is None or ""), newest
    first, limited to what `viewer` may see. Raises FilterError for a key the breakdown
    cannot have."""
    _check(code, by, "business", "median")
    spec = SPECS[code]
    if spec.cohort == "deflections":
        return Ticket.objects.none()
    qs = queries.facts(viewer, filters)
    start, end = filters.start, filters.end
    if by is not None and key:
        if by in queries.TIME:
            first = _parse_day(key)
            if queries.bucket_start(by, first) != first or not (
                queries.bucket_start(by, start) <= first <= end
            ):
                raise FilterError("key", str(_("No such row.")))
            start, end = max(first, start), min(queries.bucket_end(by, first), end)
        else:
            qs = qs.filter(_key_q(by, key))
    qs = qs.filter(queries.cohort_q(spec.cohort, start, end))
    qs = qs.filter(population(spec, _clock_column(spec, "business")))
    if by is not None and key and _is_multi(by) and key != queries.NONE_KEY:
        qs = _with_choice(qs, by, key)
    return Ticket.objects.filter(pk__in=qs.values("pk")).order_by("-id")


# --- internals -------------------------------------------------------------------------------


def _clock_column(spec: _Spec, clock: str) -> str:
    return spec.business if spec.business and clock == "business" else spec.column


def population(spec: _Spec, column: str) -> Q:
    """Which of the cohort's tickets the value counts (the cell's count)."""
    where = spec.where if spec.where is not None else Q()
    if spec.measure == "stat":
        # Both clocks are set together: the same tickets behind either.
        where &= Q(**{f"{spec.column}__isnull": False})
    elif spec.measure == "mean":
        where &= Q(**{f"{column}__isnull": False})
    return where


def _values(
    viewer: Any,
    spec: _Spec,
    filters: Filters,
    by: str | None,
    clock: str,
    statistic: str,
    compare: bool = False,
) -> tuple[dict[str, tuple[float | None, int]], dict[str, tuple[float | None, int]]]:
    """key -> (value, count) for the total ("") and each row of `by`, for the period and
    (when `compare`) the previous one."""
    if spec.cohort in ("created", "resolved"):
        return _cohort_values(viewer, spec, filters, by, clock, statistic, compare)
    now = _snapshot_values(viewer, spec, filters, by, statistic)
    before = _snapshot_values(viewer, spec, filters.previous(), by, statistic) if compare else {}
    return now, before


def _snapshot_values(
    viewer: Any, spec: _Spec, filters: Filters, by: str | None, statistic: str
) -> dict[str, tuple[float | None, int]]:
    if spec.cohort == "deflections":
        return _deflections(filters, by)
    if by in queries.TIME:
        return _snapshots(viewer, spec, filters, by)
    if by is None and rollups.sees_unrestricted(viewer) and filters.is_empty_beyond_period():
        return _span_totals(viewer, spec, filters, statistic)
    qs = queries.facts(viewer, filters).filter(
        queries.cohort_q(spec.cohort, filters.start, filters.end)
    )
    if spec.measure == "age":
        found = _ages(qs, None, spec, statistic, filters.end)
        if by is not None:
            found.update(_ages(qs, by, spec, statistic, filters.end))
        return found
    found = {"": (float(n := qs.count()), n)}
    if by is not None:
        rows = queries.grouped(qs, by, spec.cohort, {"count": Count("pk")})
        found.update({k: (float(r["count"]), r["count"]) for k, r in rows.items()})
    return found


def _span_totals(
    viewer: Any,
    spec: _Spec,
    filters: Filters,
    statistic: str,
    source: rollups.Spans | None = None,
) -> dict[str, tuple[float | None, int]]:
    """The backlog, its age and the workload in total, from the rolled spans and the facts
    they leave out (rollups.open_by_day): the same tickets as cohort_q's."""
    since = filters.start if spec.cohort == "active" else None
    days = rollups.open_by_day(
        source or rollups.spans(), queries.facts(viewer, filters), filters.end, since
    )
    count = sum(days.values())
    if spec.measure != "age":
        return {"": (float(count), count)}
    ages = [float((filters.end - day).days) for day, n in days.items() for _ in range(n)]
    return {"": (_round(_statistic(ages, statistic)), count)}


def _statistic(values: list[float], statistic: str) -> float | None:
    if statistic == "mean":
        return sum(values) / len(values) if values else None
    return queries.percentile(values, queries.FRACTIONS[statistic])


def _cohort_values(
    viewer: Any,
    spec: _Spec,
    filters: Filters,
    by: str | None,
    clock: str,
    statistic: str,
    compare: bool,
) -> tuple[dict[str, tuple[float | None, int]], dict[str, tuple[float | None, int]]]:
    """The total, the rows and the previous period, from the rollups of the clean months
    (when they can answer: `_rollup_route`) and one query over the facts of the rest,
    grouped by period, key and (for a percentile) the value's bucket (queries.bucket)."""
    column = _clock_column(spec, clock)
    day = queries.cohort_day(spec.cohort)
    first = filters.previous().start if compare else filters.start
    stat = "mean" if spec.measure == "mean" else statistic
    tally = queries.Tally(spec.measure, stat)
    qs = queries.facts(viewer, filters).filter(population(spec, column))
    route = _rollup_route(viewer, spec, filters, by)
    rolled: Iterable[dict[str, Any]] = ()
    if route is not None:
        part = rollups.split(day, first, filters.end, filters.start)
        qs = qs.filter(part.facts_q())
        dimension, keys = route
        rolled = rollups.cohort_rows(
            spec.cohort, dimension, keys, [_figure(spec, clock)], part.months, filters.start, by=by
        )
    else:
        qs = qs.filter(**{f"{day}__range": (first, filters.end)})
    live = queries.tally_rows(qs, day, filters.start, by, spec.cohort, tally, column, spec.share)
    now, before = tally.collect(chain(rolled, live))
    return _finish(now), _finish(before)


def _figure(spec: _Spec, clock: str) -> str:
    """The rollup figure an indicator reads (rollups.py): a time's histogram is by column."""
    if spec.measure == "count":
        return rollups.COUNT
    if spec.measure == "stat":
        return _clock_column(spec, clock)
    return next(code for code, s in SPECS.items() if s is spec)


def _rollup_route(
    viewer: Any, spec: _Spec, filters: Filters, by: str | None
) -> tuple[str, list[str] | None] | None:
    """Which rollup rows answer (dimension, keys), or None when only the facts can: the
    rollups hold each figure per month in total and per key of one dimension, so at most
    one dimension may be filtered or broken down by."""
    if not rollups.sees_unrestricted(viewer) or by in ("day", "week"):
        return None
    if by is not None and by.startswith(queries.CUSTOM_PREFIX):
        return None  # the rollups know no custom fields: the facts answer
    chosen = [name for name in rollups.FILTER_DIMENSIONS if getattr(filters, name)]
    breakdown = by if by is not None and by not in queries.TIME else None
    if len(chosen) > 1:
        return None
    if chosen:
        dimension = rollups.FILTER_DIMENSIONS[chosen[0]]
        if breakdown not in (None, dimension):
            return None
        return dimension, [str(value) for value in getattr(filters, chosen[0])]
    return (breakdown, None) if breakdown else ("", None)


def _finish(
    cells: dict[str, queries.Sums],
) -> dict[str, tuple[float | None, int]]:
    return {key: (_round(sums.value()), sums.count) for key, sums in cells.items()}


def _ages(
    qs: QuerySet[TicketFact], by: str | None, spec: _Spec, statistic: str, end: date
) -> dict[str, tuple[float | None, int]]:
    """Backlog age: days from creation to the period's end (read in Python: the backlog is
    the open tickets, few beside all)."""
    per_key: dict[str, list[float]] = {}
    column = "created_day"
    if by is None:
        rows: Any = ((None, d) for d in qs.values_list(column, flat=True))
    else:
        rows = qs.annotate(_key=queries.group_expression(by, spec.cohort)).values_list(
            "_key", column
        )
    for key, created in rows:
        for row_key in queries.keys_of(by, key):
            per_key.setdefault(row_key, []).append(float((end - created).days))
    found: dict[str, tuple[float | None, int]] = {}
    for key, ages in per_key.items():
        found[key] = (_round(_statistic(ages, statistic)), len(ages))
    return found or ({"": (None, 0)} if by is None else {})


def _snapshots(
    viewer: Any, spec: _Spec, filters: Filters, by: str
) -> dict[str, tuple[float | None, int]]:
    """Backlog (open at each bucket's end) and workload (open during each bucket) per time
    bucket, from running totals of tickets created and resolved: open(d) = created up to d
    minus resolved (last) up to d."""
    qs = queries.facts(viewer, filters)
    found: dict[str, tuple[float | None, int]] = {}
    total_q = queries.cohort_q(spec.cohort, filters.start, filters.end)
    if (
        spec.measure == "age"
        and rollups.sees_unrestricted(viewer)
        and filters.is_empty_beyond_period()
    ):
        source = rollups.spans()
        found[""] = _span_totals(viewer, spec, filters, "median", source)[""]
        for first, last in queries.buckets(by, filters.start, filters.end):
            bucket = replace(filters, start=first, end=last)
            found[first.isoformat()] = _span_totals(viewer, spec, bucket, "median", source)[""]
        return found
    if spec.measure == "age":
        total = _ages(qs.filter(total_q), None, spec, "median", filters.end)
        found[""] = total[""]
        for first, last in queries.buckets(by, filters.start, filters.end):
            rows = _ages(
                qs.filter(queries.cohort_q("open", first, last)), None, spec, "median", last
            )
            found[first.isoformat()] = rows.get("", (None, 0))
        return found
    spans = queries.buckets(by, filters.start, filters.end)
    if rollups.sees_unrestricted(viewer) and filters.is_empty_beyond_period():
        source = rollups.spans()
        created = rollups.cumulative(source, qs, "created_day", filters.start, filters.end)
        resolved = rollups.cumulative(source, qs, "resolved_day", filters.start, filters.end)
        days = rollups.open_by_day(
            source, qs, filters.end, filters.start if spec.cohort == "active" else None
        )
        open_count = sum(days.values())
    else:
        created = queries.cumulative(qs, "created_day", filters.start, filters.end)
        resolved = queries.cumulative(qs, "resolved_day", filters.start, filters.end)
        open_count = qs.filter(total_q).count()
    ends = [last for _first, last in spans]
    starts_before = [date.fromordinal(first.toordinal() - 1) for first, _last in spans]
    made = queries.running(*created, ends)
    done = queries.running(*resolved, sorted(set(ends + starts_before)))
    for (first, last), before in zip(spans, starts_before, strict=True):
        resolved_by = done[last] if spec.cohort == "open" else done[before]
        count = made[last] - resolved_by
        found[first.isoformat()] = (float(count), count)
    found[""] = (float(open_count), open_count)
    return found


def _deflections(filters: Filters, by: str | None) -> dict[str, tuple[float | None, int]]:
    rows = Deflection.objects.filter(
        outcome=DeflectionOutcome.SOLVED,
        created_at__gte=day_bounds(filters.start),
        created_at__lt=day_bounds(filters.end + timedelta(days=1)),
    )
    found: dict[str, tuple[float | None, int]] = {}
    instants = list(rows.values_list("created_at", flat=True))
    found[""] = (float(len(instants)), len(instants))
    if by in queries.TIME:
        for instant in instants:
            key = queries.key_of(by, desk_day(instant))
            value, count = found.get(key, (0.0, 0))
            found[key] = (float(count + 1), count + 1)
    return found


def _keys(by: str, filters: Filters) -> list[str]:
    return [
        first.isoformat() if by == "day" else queries.bucket_start(by, first).isoformat()
        for first, _last in queries.buckets(by, filters.start, filters.end)
    ]


def _rows(
    by: str | None,
    filters: Filters,
    spec: _Spec,
    values: dict[str, tuple[float | None, int]],
    previous: dict[str, tuple[float | None, int]] | None,
) -> list[Cell]:
    if by is None:
        return []
    zero = 0.0 if spec.measure == "count" else None
    if by in queries.TIME:
        keys = _keys(by, filters)
    else:
        keys = sorted(values, key=lambda k: (-values[k][1], k))
        if by == "priority":
            keys = sorted(values, key=lambda k: (k == queries.NONE_KEY, k))
    labels = labels_for(by, keys)
    targets = _agreement_targets(keys if by == "agreement" else [])
    shared = target(spec, filters) if by != "agreement" else None  # once, not per row
    cells = []
    for key in keys:
        value, count = values.get(key, (zero, 0))
        goal = shared
        if by == "agreement" and spec.has_target:
            goal = targets.get(key, _desk_target())
        cell = Cell(key, labels.get(key, key), value, count, target=goal)
        if previous is not None:
            cell.previous = previous.get(key, (zero, 0))[0]
        cells.append(cell)
    return cells


def target(spec: _Spec, filters: Filters) -> float | None:
    """The share of clocks promised to be met, for a "met" indicator: the agreement's own
    when the report is about one agreement (filtered to it, or to an organisation with one
    agreement), else the desk's (settings.SLA_TARGET_PERCENT)."""
    return agreed_target(filters) if spec.has_target else None


def agreed_target(filters: Filters) -> float:
    """`target` for any "met" indicator of these filters (one query at most)."""
    rows = None
    if len(filters.agreements) == 1:
        rows = Agreement.objects.filter(pk=filters.agreements[0])
    elif not filters.agreements and len(filters.organisations) == 1:
        rows = Agreement.objects.filter(organisation_id=filters.organisations[0])
    if rows is not None:
        found = list(rows.values_list("target_percent", flat=True)[:2])
        if len(found) == 1 and found[0] is not None:
            return float(found[0])
    return _desk_target()


def _desk_target() -> float:
    return float(settings.SLA_TARGET_PERCENT)


def _agreement_targets(keys: list[str]) -> dict[str, float]:
    ids = [number for key in keys if (number := parse_id(key))]
    if not ids:
        return {}
    rows = Agreement.objects.filter(pk__in=ids, target_percent__isnull=False)
    pairs = rows.values_list("pk", "target_percent")
    return {str(pk): float(goal) for pk, goal in pairs if goal is not None}


def _key_q(by: str, key: str) -> Q:
    field = queries.custom_field(by)
    if field is not None:
        lookup = f"ticket__custom__{field.key}"
        if key == queries.NONE_KEY:
            return Q(**{f"{lookup}__isnull": True})
        if field.type == FieldType.CHECKBOX:
            if key not in ("true", "false"):
                raise FilterError("key", str(_("No such row.")))
            return Q(**{lookup: key == "true"})
        if field.type == FieldType.MULTI_CHOICE:
            return Q(**{f"{lookup}__icontains": key})  # loose; _with_choice checks each value
        return Q(**{lookup: key})
    column = queries.COLUMNS[by]
    if key == queries.NONE_KEY:
        return Q(**{f"{column}__isnull": True})
    if column.endswith("_id") or by == "priority":
        number = parse_id(key)
        if number is None:
            raise FilterError("key", str(_("No such row.")))
        return Q(**{column: number})
    return Q(**{column: key})


def _is_multi(by: str) -> bool:
    field = queries.custom_field(by)
    return field is not None and field.type == FieldType.MULTI_CHOICE


def _with_choice(qs: QuerySet[TicketFact], by: str, key: str) -> QuerySet[TicketFact]:
    """The facts whose multi-choice value holds `key` exactly: the text search of _key_q
    finds the candidates, their values are checked here (the same on SQLite and PostgreSQL)."""
    pairs = qs.annotate(_value=queries.group_expression(by, "created")).values_list("pk", "_value")
    return qs.filter(pk__in=[pk for pk, value in pairs if key in queries.keys_of(by, value)])


def _parse_day(key: str) -> date:
    try:
        return date.fromisoformat(key)
    except ValueError:
        raise FilterError("key", str(_("No such row."))) from None


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)
