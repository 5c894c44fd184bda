"""The alerts pages for agents: the list with its filters and one alert; and the section
the CI page shows (registered in apps.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from tuki.lib.bounds import parse_id
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.monitoring import access
from tuki.monitoring.models import AlertState, Severity
from tuki.tickets.views.common import agent_required

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.cmdb.models import ConfigurationItem

PAGE_SIZE = 50


@require_GET
@agent_required(hide=True)
def alert_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    alerts = access.alerts_visible_to(request.user).select_related("ci", "group__ticket")
    state = request.GET.get("state", "")
    severity = request.GET.get("severity", "")
    ci = parse_id(request.GET.get("ci", ""))
    if state in AlertState.values:
        alerts = alerts.filter(state=state)
    else:
        state = ""
    if severity in Severity.values:
        alerts = alerts.filter(severity=severity)
    else:
        severity = ""
    if ci is not None:
        alerts = alerts.filter(ci_id=ci)
    page = Paginator(alerts.order_by("-last_seen", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = "&".join(
        f"{k}={v}" for k, v in (("state", state), ("severity", severity), ("ci", ci or "")) if v
    )
    context = {
        "nav": "monitoring",
        "page": page,
        "state": state,
        "severity": severity,
        "ci": ci,
        "query": query,
        "states": AlertState.choices,
        "severities": Severity.choices,
    }
    return render(request, "monitoring/alert_list.html", context)


@require_GET
@agent_required(hide=True)
def alert_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    alert = access.get_alert_for_user(request.user, pk)
    context = {
        "nav": "monitoring",
        "alert": alert,
        "labels": sorted(alert.labels.items()),
        "annotations": sorted(alert.annotations.items()),
    }
    return render(request, "monitoring/alert_detail.html", context)


def ci_panel_context(user: User, ci: ConfigurationItem) -> dict[str, Any] | None:
    """The CI page's section: its recent alerts (two queries), or nothing to show."""
    if not access.may_read(user):
        return None
    alerts = access.recent_for_item(user, ci)
    if not alerts:
        return None
    return {"alerts": alerts, "ci": ci}
