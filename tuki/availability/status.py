"""The status page: each service's state now, ongoing outages with their public notice,
maintenance ahead, and 90 days of history as one bar per day.

Who sees which services:
- /portal/status/ (signed in): a requester sees the services of their organisation's
  agreements in force (every active service when the desk has no agreements at all);
  agents and administrators see every active service.
- /status/ (anyone, only when TUKI_STATUS_PAGE_PUBLIC is true): the services marked public.
Only public fields are shown: the outage's title and notice, never its ticket or items.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuki.availability import notices
from tuki.availability.models import SEVERITY, Outage, State
from tuki.availability.presenting import duration
from tuki.cmdb.models import MaintenanceWindow
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.sla.models import Agreement, Service

HISTORY_DAYS = 90
AHEAD_LIMIT = 20


def services_for_requester(user: object) -> QuerySet[Service]:
    active = Service.objects.filter(is_active=True).order_by("name", "pk")
    if getattr(user, "is_agent", False) or getattr(user, "is_superuser", False):
        return active
    today = timezone.localdate()
    in_force = Agreement.objects.filter(is_active=True, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    )
    if not Agreement.objects.exists():
        return active
    organisation_id = getattr(user, "organisation_id", None)
    if not organisation_id:
        return active.none()
    mine = in_force.filter(organisation_id=organisation_id)
    # An agreement without services covers every service.
    if mine.filter(services__isnull=True).exists():
        return active
    return active.filter(agreements__in=mine).distinct()


def public_services() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True, public_status__is_public=True).order_by(
        "name", "pk"
    )


@dataclass
class Day:
    day: date
    state: State = State.OPERATIONAL
    minutes: float = 0  # wall-clock minutes of unplanned outage that day

    @property
    def title(self) -> str:
        day = date_format(self.day, "DATE_FORMAT")
        if self.state == State.OPERATIONAL:
            return _("%(day)s: no outage") % {"day": day}
        label = State(self.state).label
        if self.minutes:
            return _("%(day)s: %(state)s, %(time)s") % {
                "day": day,
                "state": label,
                "time": duration(self.minutes),
            }
        return _("%(day)s: %(state)s") % {"day": day, "state": label}


@dataclass
class Ahead:
    starts_at: datetime
    ends_at: datetime | None
    title: str
    notice: str = ""


@dataclass
class Line:
    service: Service
    state: State = State.OPERATIONAL
    ongoing: list[Outage] = field(default_factory=list)
    ahead: list[Ahead] = field(default_factory=list)
    days: list[Day] = field(default_factory=list)

    @property
    def uptime(self) -> str:
        """The share of the 90 days' wall-clock time without an unplanned outage."""
        down = sum(d.minutes for d in self.days)
        total = len(self.days) * 24 * 60
        if not total:
            return ""
        value = max(0.0, (total - down) / total * 100)
        return _("%(value)s %% uptime") % {"value": f"{value:.2f}"}


def _worse(a: State, b: State) -> State:
    return a if SEVERITY[a] >= SEVERITY[b] else b


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time()))


def _fill_days(line: Line, outages: Iterable[Outage], first: date, now: datetime) -> None:
    days = {first + timedelta(days=n): Day(first + timedelta(days=n)) for n in range(HISTORY_DAYS)}
    for outage in outages:
        start = max(outage.starts_at, _local_midnight(first))
        stop = min(outage.ends_at or now, now)
        day = timezone.localtime(start).date()
        while start < stop and day in days:
            next_midnight = _local_midnight(day + timedelta(days=1))
            piece_end = min(stop, next_midnight)
            entry = days[day]
            entry.state = _worse(entry.state, outage.state)
            if not outage.planned:
                entry.minutes += (piece_end - start).total_seconds() / 60 * outage.weight
            start, day = next_midnight, day + timedelta(days=1)
    line.days = list(days.values())


def build(services: Sequence[Service], now: datetime | None = None) -> list[Line]:
    """The status of each service; a fixed number of queries."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - timedelta(days=HISTORY_DAYS - 1)
    lines = {s.pk: Line(s) for s in services}
    by_service: dict[int, list[Outage]] = defaultdict(list)
    rows = Outage.objects.filter(service_id__in=lines).filter(
        Q(ends_at__isnull=True) | Q(ends_at__gt=_local_midnight(first))
    )
    for outage in rows.order_by("starts_at", "pk"):
        assert outage.service_id is not None
        by_service[outage.service_id].append(outage)
    windows = MaintenanceWindow.objects.filter(
        ci__service_id__in=lines, ends_at__gt=now
    ).select_related("ci")
    for window in windows.order_by("starts_at", "pk")[: AHEAD_LIMIT * 5]:
        line = lines[window.ci.service_id]  # type: ignore[index]
        line.ahead.append(Ahead(window.starts_at, window.ends_at, _("Planned maintenance")))
        if window.starts_at <= now:
            line.state = _worse(line.state, State.MAINTENANCE)
    for service_id, outages in by_service.items():
        line = lines[service_id]
        for outage in outages:
            if outage.is_ongoing(now):
                line.ongoing.append(outage)
                line.state = _worse(line.state, outage.state)
            elif outage.planned and outage.starts_at > now:
                line.ahead.append(
                    Ahead(outage.starts_at, outage.ends_at, outage.title, outage.notice)
                )
        _fill_days(line, outages, first, now)
    for line in lines.values():
        if not line.days:
            _fill_days(line, [], first, now)
        line.ahead = sorted(line.ahead, key=lambda a: a.starts_at)[:AHEAD_LIMIT]
    return list(lines.values())


def overall(lines: Sequence[Line]) -> State:
    state = State.OPERATIONAL
    for line in lines:
        state = _worse(state, line.state)
    return state


def _render(request: HttpRequest, services: Sequence[Service], public: bool) -> HttpResponse:
    lines = build(services)
    context = {
        "nav": "portal_status",
        "lines": lines,
        "notices": notices.collected(public),
        "overall": overall(lines),
        "public": public,
        "history_days": HISTORY_DAYS,
        "now": timezone.now(),
    }
    return render(request, "availability/status.html", context)


@require_GET
@login_required
def portal_status(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _render(request, list(services_for_requester(request.user)), public=False)


@require_GET
def public_status(request: HttpRequest) -> HttpResponse:
    """Anyone, when the desk publishes its status page; otherwise signed-in people go to
    their portal's page and anonymous visitors get a 404."""
    if not settings.STATUS_PAGE_PUBLIC:
        if request.user.is_authenticated:
            return redirect("portal:status")
        raise Http404("No public status page")
    return _render(request, list(public_services()), public=True)
