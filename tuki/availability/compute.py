"""Availability figures of a service over a period, within its agreed service hours.

Definitions (docs/operations.md, Availability management):

1. The period is cut at now: time that has not happened yet is not agreed service time.
2. Outages are clipped to the period; an ongoing one lasts until now.
3. Planned outages are merged (their union) and taken out of the service hours:
   AST (agreed service time) = business minutes of the period − planned business minutes.
4. Unplanned outages are merged: where several overlap, the time counts once, with the
   largest share lost (1 for a full outage, the degradation for a partial one). Their time
   inside a planned outage is not counted again.
   downtime = Σ business minutes of each merged piece × its share.
5. availability % = (AST − downtime) / AST × 100 (none when AST is 0).
6. MTRS = mean business minutes of the unplanned outages (each one whole, unmerged).
   MTBF = (AST − downtime) / number of unplanned outages (ITIL: uptime / failures).

`figures()` is pure (no database); `report()` loads what it needs in a fixed number of
queries whatever the number of services and outages.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from django.db.models import Prefetch, Q
from django.utils import timezone

from tuki.availability.models import AvailabilityTarget, Outage
from tuki.calendars.arithmetic import Schedule, business_minutes_between
from tuki.calendars.models import Calendar
from tuki.sla.models import Agreement, Service

ALWAYS_OPEN = Schedule(time_zone="UTC", always_open=True)
Interval = tuple[datetime, datetime]


class OutageLike(Protocol):
    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def planned(self) -> bool: ...
    @property
    def weight(self) -> float: ...


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime
    weight: float


@dataclass(frozen=True)
class Figures:
    business_minutes: float  # service hours in the period (up to now)
    planned_minutes: float  # of those, in planned outages
    ast_minutes: float  # agreed service time: business − planned
    downtime_minutes: float  # weighted unplanned downtime inside AST
    availability: float | None  # percent; None when AST is 0
    mtrs_minutes: float | None
    mtbf_minutes: float | None
    outages: int  # unplanned outages in the period
    planned_outages: int


def union(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping intervals covering the same instants."""
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def merge_weighted(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping pieces, each with the largest weight of the spans covering it;
    touching pieces of the same weight are joined."""
    items = [s for s in spans if s.end > s.start]
    cuts = sorted({s.start for s in items} | {s.end for s in items})
    pieces: list[Span] = []
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        weights = [s.weight for s in items if s.start <= lo and s.end >= hi]
        if not weights:
            continue
        weight = max(weights)
        if pieces and pieces[-1].end == lo and pieces[-1].weight == weight:
            pieces[-1] = Span(pieces[-1].start, hi, weight)
        else:
            pieces.append(Span(lo, hi, weight))
    return pieces


def _clip(outage: OutageLike, start: datetime, end: datetime) -> Interval | None:
    lo = max(outage.starts_at, start)
    hi = min(outage.ends_at or end, end)
    return (lo, hi) if hi > lo else None


def figures(
    schedule: Schedule,
    start: datetime,
    end: datetime,
    outages: Iterable[OutageLike],
    *,
    now: datetime | None = None,
) -> Figures:
    """The availability figures of one service from `start` to `end` (see the module doc)."""
    end = min(end, now or timezone.now())
    if end <= start:
        return Figures(0, 0, 0, 0, None, None, None, 0, 0)
    planned_spans: list[Interval] = []
    unplanned: list[tuple[Interval, float]] = []
    for outage in outages:
        clipped = _clip(outage, start, end)
        if clipped is None:
            continue
        if outage.planned:
            planned_spans.append(clipped)
        else:
            unplanned.append((clipped, outage.weight))
    planned = union(planned_spans)
    business = business_minutes_between(schedule, start, end)
    ast = business_minutes_between(schedule, start, end, planned)
    pieces = merge_weighted(Span(lo, hi, w) for (lo, hi), w in unplanned)
    downtime = sum(
        business_minutes_between(schedule, p.start, p.end, planned) * p.weight for p in pieces
    )
    failures = len(unplanned)
    durations = [business_minutes_between(schedule, lo, hi) for (lo, hi), _w in unplanned]
    uptime = ast - downtime
    return Figures(
        business_minutes=business,
        planned_minutes=business - ast,
        ast_minutes=ast,
        downtime_minutes=downtime,
        availability=(ast - downtime) / ast * 100 if ast > 0 else None,
        mtrs_minutes=sum(durations) / failures if failures else None,
        mtbf_minutes=uptime / failures if failures else None,
        outages=failures,
        planned_outages=len(planned_spans),
    )


# --- with the database --------------------------------------------------------------------


@dataclass(frozen=True)
class ServiceReport:
    service: Service
    figures: Figures
    target: Decimal | None
    calendar_name: str

    @property
    def met(self) -> bool | None:
        if self.target is None or self.figures.availability is None:
            return None
        return Decimal(str(round(self.figures.availability, 6))) >= self.target


def default_hours() -> tuple[Schedule, str]:
    """The desk's default calendar, or around the clock when there is none (read only)."""
    calendar = Calendar.objects.filter(is_default=True).first()
    if calendar is None:
        return ALWAYS_OPEN, ""
    return calendar.schedule(), calendar.name


def agreement_of(organisation_id: int, first: date, last: date) -> Agreement | None:
    """The organisation's active agreement in force during the period (the latest one)."""
    return (
        Agreement.objects.filter(
            organisation_id=organisation_id, is_active=True, valid_from__lte=last
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .select_related("calendar")
        .prefetch_related("services", "availability_targets")
        .order_by("-valid_from", "-pk")
        .first()
    )


def covers(agreement: Agreement, service_id: int) -> bool:
    ids = {s.pk for s in agreement.services.all()}
    return not ids or service_id in ids


def target_of(agreement: Agreement, service_id: int) -> Decimal | None:
    """The agreement's target for the service: its own, else the agreement-wide one."""
    wide = None
    for target in agreement.availability_targets.all():
        if target.service_id == service_id:
            return target.percent
        if target.service_id is None:
            wide = target.percent
    return wide


def outages_by_service(
    service_ids: Sequence[int], start: datetime, end: datetime
) -> dict[int, list[Outage]]:
    found: dict[int, list[Outage]] = defaultdict(list)
    rows = (
        Outage.objects.filter(service_id__in=service_ids, starts_at__lt=end)
        .filter(Q(ends_at__isnull=True) | Q(ends_at__gt=start))
        .order_by("starts_at", "pk")
    )
    for outage in rows:
        assert outage.service_id is not None
        found[outage.service_id].append(outage)
    return found


def report(
    services: Sequence[Service],
    start: datetime,
    end: datetime,
    *,
    organisation_id: int | None = None,
    now: datetime | None = None,
) -> list[ServiceReport]:
    """Figures per service. For an organisation: its agreement's services, calendar and
    targets; else the default calendar and, as target, the strictest agreement's."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end).date()
    schedule, calendar_name = default_hours()
    agreements: list[Agreement]
    if organisation_id is not None:
        agreement = agreement_of(organisation_id, first, last)
        if agreement is None:
            return []
        agreements = [agreement]
        services = [s for s in services if covers(agreement, s.pk)]
        if agreement.calendar is not None:
            schedule, calendar_name = agreement.calendar.schedule(), agreement.calendar.name
    else:
        agreements = list(
            Agreement.objects.filter(is_active=True, valid_from__lte=last)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
            .prefetch_related(
                "services",
                Prefetch("availability_targets", queryset=AvailabilityTarget.objects.all()),
            )
        )
    outages = outages_by_service([s.pk for s in services], start, end)
    lines = []
    for service in services:
        targets = [
            t
            for a in agreements
            if covers(a, service.pk)
            for t in [target_of(a, service.pk)]
            if t is not None
        ]
        lines.append(
            ServiceReport(
                service=service,
                figures=figures(schedule, start, end, outages.get(service.pk, []), now=now),
                target=max(targets) if targets else None,
                calendar_name=calendar_name,
            )
        )
    return lines
