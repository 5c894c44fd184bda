"""Capacity pages: the report for agents (/capacity/) and the thresholds for administrators."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Case, F, IntegerField, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.capacity import access, presenting, services
from tuki.capacity.forms import ReportFilters, ThresholdForm
from tuki.capacity.models import Series, State, Threshold
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.models import Ticket

View = Callable[..., HttpResponse]
PAGE_SIZE = 50


def _door(allowed: Callable[[Any], bool]) -> Callable[[View], View]:
    """Anonymous visitors sign in; whoever `allowed` refuses gets a 404."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise Http404("No such page")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


readers_only = _door(access.may_read)
admins_only = _door(access.is_admin)


def _days_from(now: datetime, at: datetime | None) -> float | None:
    return None if at is None else max(0.0, (at - now).total_seconds() / 86400)


@require_GET
@readers_only
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Items by soonest forecast breach, the current breaches first; by class and group."""
    filters = ReportFilters(request.GET or None)
    rows = (
        access.series_visible_to(request.user)
        .filter(threshold__isnull=False)
        .select_related("ci", "ci__ci_class", "ci__support_group", "threshold")
    )
    if filters.is_valid():
        data = filters.cleaned_data
        if data.get("ci_class"):
            rows = rows.filter(ci__ci_class=data["ci_class"])
        if data.get("group"):
            rows = rows.filter(ci__support_group=data["group"])
        if data.get("breached"):
            rows = rows.exclude(state=State.OK)
    rows = rows.annotate(
        severity=Case(
            When(state=State.CRITICAL, then=Value(0)),
            When(state=State.WARNING, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("severity", F("next_breach_at").asc(nulls_last=True), "ci__name", "metric", "pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    series: list[Series] = list(page.object_list)
    ticket_ids = [s.ticket_id for s in series if s.ticket_id]
    tickets = (
        {t.pk: t for t in Ticket.objects.visible_to(request.user).filter(pk__in=ticket_ids)}
        if ticket_ids
        else {}
    )
    now = timezone.now()
    lines = [
        {
            "series": s,
            "ticket": tickets.get(s.ticket_id) if s.ticket_id else None,
            "state_class": presenting.STATE_CLASSES.get(State(s.state), "secondary"),
            "warning": _forecast(now, s, "warning"),
            "critical": _forecast(now, s, "critical")
            if s.threshold is not None and s.threshold.critical is not None
            else "",
        }
        for s in series
    ]
    # The first item's own panel, as on its CI page: its chart and forecast, live.
    top = series[0].ci if series else None
    panel = presenting.panel_context(request.user, top) if top is not None else None
    context = {
        "nav": "capacity",
        "filters": filters,
        "page": page,
        "lines": lines,
        "panel": panel,
        "query": _query_without_page(request),
        "may_edit": access.is_admin(request.user),
    }
    return render(request, "capacity/report.html", context)


WHEN = ("earliest", "likely", "latest")


def _forecast(now: datetime, s: Series, level: str) -> str:
    if s.forecast_at is None or s.slope_per_day is None:
        return presenting.describe(None)
    return presenting.describe([_days_from(now, getattr(s, f"{level}_{w}")) for w in WHEN])


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


# --- thresholds ------------------------------------------------------------------------------


@require_GET
@admins_only
def threshold_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    thresholds = Threshold.objects.select_related("ci", "ci_class", "group", "category").order_by(
        "metric", "ci_class__name", "ci__name", "pk"
    )
    page = Paginator(thresholds, 100).get_page(request.GET.get("page"))
    return render(request, "capacity/threshold_list.html", {"nav": "manage", "page": page})


def _editor(
    request: HttpRequest, form: ThresholdForm, threshold: Threshold | None, status: int = 200
) -> HttpResponse:
    context = {"nav": "manage", "form": form, "threshold": threshold}
    return render(request, "capacity/threshold_edit.html", context, status=status)


@admins_only
def threshold_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial: dict[str, Any] = {"scope": "item", "is_active": True}
        if request.GET.get("item"):
            initial["item"] = request.GET["item"][:255]
        return _editor(request, ThresholdForm(initial=initial), None)
    form = ThresholdForm(request.POST)
    if form.is_valid():
        try:
            services.create_threshold(request.user, **form.target(), **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Threshold saved."))
            return redirect("capacity:thresholds")
    return _editor(request, form, None, status=422)


def _initial(threshold: Threshold) -> dict[str, Any]:
    return {
        "scope": "item" if threshold.ci_id else "class",
        "item": threshold.ci.name if threshold.ci else "",
        "ci_class": threshold.ci_class,
        "metric": threshold.metric,
        "direction": threshold.direction,
        "warning": threshold.warning,
        "critical": threshold.critical,
        "hysteresis": threshold.hysteresis,
        "group": threshold.group,
        "category": threshold.category,
        "is_active": threshold.is_active,
    }


@admins_only
def threshold_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    threshold = access.get_threshold_for_user(request.user, pk)
    if request.method != "POST":
        form = ThresholdForm(initial=_initial(threshold), threshold=threshold)
        return _editor(request, form, threshold)
    form = ThresholdForm(request.POST, initial=_initial(threshold), threshold=threshold)
    if form.is_valid():
        try:
            services.update_threshold(request.user, threshold, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Threshold saved."))
            return redirect("capacity:thresholds")
    return _editor(request, form, threshold, status=422)


@require_POST
@admins_only
def threshold_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    threshold = access.get_threshold_for_user(request.user, pk)
    services.delete_threshold(request.user, threshold)
    messages.success(request, _("Threshold deleted."))
    return redirect("capacity:thresholds")
