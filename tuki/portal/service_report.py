"""A client organisation's service levels in the portal: last month's and this month's SLA
met %, volume and times for the requester's own organisation.

Who: requesters who may see their organisation's tickets (`User.sees_organisation_tickets`,
the client's contacts); everyone else gets a 404. The figures are the reports engine's
(tuki/reports/indicators.py), computed as the viewer: they count only the tickets the viewer
may see, and only their own organisation's (the filter is the viewer's organisation, never
a parameter of the request).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.reports.filters import Filters, today
from tuki.reports.indicators import INDICATORS, Cell, Indicator, agreed_target, compute

CODES = ("volume", "sla_response_met", "sla_resolution_met", "first_response_time", "resolve_time")


def may_see_service_levels(user: User) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and user.sees_organisation_tickets
        and user.organisation_id
        and not (user.is_agent or user.is_superuser)
    )


def months(day: date, organisation: int) -> tuple[Filters, Filters]:
    """Last month and this month up to `day`, of one organisation."""
    current = Filters(start=day.replace(day=1), end=day, organisations=(organisation,))
    end = current.start - timedelta(days=1)
    return Filters(start=end.replace(day=1), end=end, organisations=(organisation,)), current


def display(value: float | None, unit: str) -> str:
    """A figure as the page reads it; times are business hours and minutes."""
    if value is None:
        return "—"
    if unit == "percent":
        return _("%(value)s %%") % {"value": number_format(value, 1)}
    if unit == "minutes":
        hours, minutes = divmod(round(value), 60)
        if hours:
            return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}
        return _("%(minutes)d min") % {"minutes": minutes}
    return number_format(value, 0 if unit == "count" else 1)


@dataclass
class Line:
    indicator: Indicator
    last: Cell
    current: Cell

    @property
    def last_text(self) -> str:
        return display(self.last.value, self.indicator.unit)

    @property
    def current_text(self) -> str:
        return display(self.current.value, self.indicator.unit)

    @property
    def target_text(self) -> str:
        target = self.current.target
        return display(target, self.indicator.unit) if target is not None else ""

    def below_target(self, cell: Cell) -> bool:
        return cell.value is not None and cell.target is not None and cell.value < cell.target

    @property
    def last_below(self) -> bool:
        return self.below_target(self.last)

    @property
    def current_below(self) -> bool:
        return self.below_target(self.current)


@login_required
def service_levels(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not may_see_service_levels(user):
        raise Http404("No service level report")
    assert user.organisation_id is not None
    last, current = months(today(), user.organisation_id)
    agreed = agreed_target(last)  # the organisation's agreement's, else the desk's
    lines = [
        Line(
            INDICATORS[code],
            compute(user, code, last, agreed=agreed).total,
            compute(user, code, current, agreed=agreed).total,
        )
        for code in CODES
    ]
    context = {
        "nav": "portal_sla",
        "organisation": user.organisation,
        "lines": lines,
        "last_label": date_format(last.start, "YEAR_MONTH_FORMAT"),
        "current_label": date_format(current.start, "YEAR_MONTH_FORMAT"),
    }
    return render(request, "portal/service_levels.html", context)
