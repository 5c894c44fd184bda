"""Saved reports: who sees which (read helpers) and every write (services)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, QueryDict
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.reports.access import may_view_reports
from tuki.reports.filters import today as desk_today
from tuki.reports.indicators import INDICATORS, dimension
from tuki.reports.models import SavedReport, Schedule
from tuki.reports.periods import Period, bounds

STORED_KEYS = (
    "organisation",
    "agreement",
    "group",
    "kind",
    "priority",
    "service",
    "channel",
    "clock",
    "statistic",
    "trend",
    "start",
    "end",
)


# --- reads ------------------------------------------------------------------------------------


def visible_reports(user: User) -> QuerySet[SavedReport]:
    """The reports a person may open: their own and the shared ones (none without the
    permission to view reports)."""
    if not may_view_reports(user):
        return SavedReport.objects.none()
    return SavedReport.objects.filter(Q(owner=user) | Q(shared=True))


def get_report_for_user(user: User, pk: int) -> SavedReport:
    report = visible_reports(user).filter(pk=pk).first()
    if report is None:
        raise Http404("No such saved report")
    return report


def report_query(
    report: SavedReport, *, start: date | None = None, end: date | None = None
) -> QueryDict:
    """The report pages' query string for a saved report (its relative period, or the days
    given: a scheduled mail names the period it covers)."""
    query = QueryDict(mutable=True)
    for key, value in report.filters.items():
        if key in STORED_KEYS and value not in (None, ""):
            query[key] = str(value)
    query["period"] = report.period
    if start and end:
        query["period"], query["start"], query["end"] = (
            Period.CUSTOM,
            start.isoformat(),
            end.isoformat(),
        )
    if report.by:
        query["by"] = report.by
    return query


# --- writes -----------------------------------------------------------------------------------


def due_period(schedule: str, today: date) -> tuple[date, date]:
    """The period a schedule mails on `today`: the week or month that ended last."""
    return bounds(Period.LAST_WEEK if schedule == Schedule.WEEKLY else Period.LAST_MONTH, today)


def _check(actor: User, name: str, indicator: str, by: str, period: str, schedule: str) -> None:
    if not may_view_reports(actor):
        raise PermissionDenied("May not view reports")
    if not name.strip():
        raise ServiceError(_("Give the report a name."), field="name")
    if indicator and indicator not in INDICATORS:
        raise ServiceError(_("There is no such indicator."), field="indicator")
    if by and dimension(by) is None:
        raise ServiceError(_("There is no such breakdown."), field="by")
    if period not in Period.values:
        raise ServiceError(_("Choose a period."), field="period")
    if schedule not in Schedule.values:
        raise ServiceError(_("Choose when to mail it."), field="schedule")


def save_report(
    actor: User,
    *,
    name: str,
    indicator: str = "",
    filters: dict[str, Any] | None = None,
    by: str = "",
    period: str = Period.LAST_MONTH,
    shared: bool = False,
    schedule: str = Schedule.NEVER,
    recipients: Iterable[User] = (),
) -> SavedReport:
    """Keep a report under a name of the actor's. A scheduled one is mailed from the next
    period on (the period that ended before it was saved is not sent)."""
    name = name.strip()
    _check(actor, name, indicator, by, period, schedule)
    people = list(recipients)
    refused = [p for p in people if not p.is_active or not may_view_reports(p)]
    if refused:
        raise ServiceError(
            _("%(names)s may not view reports.") % {"names": ", ".join(map(str, refused))},
            field="recipients",
        )
    stored = {k: v for k, v in (filters or {}).items() if k in STORED_KEYS}
    with transaction.atomic():
        if SavedReport.objects.filter(owner=actor, name=name).exists():
            raise ServiceError(_("You already have a report with this name."), field="name")
        report = SavedReport(
            owner=actor,
            name=name,
            indicator=indicator,
            filters=stored,
            by=by,
            period=period,
            shared=shared,
            schedule=schedule,
        )
        if schedule:
            report.last_sent_period = due_period(schedule, desk_today())[0].isoformat()
        report.save()
        report.recipients.set([p for p in people if p.pk != actor.pk])
    return report


def delete_report(actor: User, report: SavedReport) -> None:
    """Its owner (or an administrator) deletes it; others who see a shared one may not."""
    if report.owner_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied("Not your report")
    report.delete()
