"""What every workspace view shares: who may enter, and how results and errors come back."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Exists, F, JSONField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect

from tuki.lib.htmx import is_fragment_request

View = Callable[..., HttpResponseBase]
QS = TypeVar("QS", bound=QuerySet[Any])


def is_agent(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def agent_required(view: View | None = None, *, hide: bool = False) -> Any:
    """Agents and administrators only. Anonymous users sign in first; requesters go to the
    portal, or get a 404 for ticket URLs (`hide=True`) so ticket ids leak nothing."""

    def decorator(func: View) -> View:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not is_agent(request.user):
                if hide:
                    raise Http404("Not in the workspace")
                return redirect("portal:home")
            return func(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def with_sla(qs: QS) -> QS:
    """Each ticket's most urgent open SLA clock, as columns of the same query.

    `sla_deadline` and `sla_warn_at` of the open clock due first (running, or breached and
    still unanswered; the lists sort by it), and `sla_shown`: what the sla app's reading
    needs (sla/reading.py `read_row`) of the clock a row shows — the one due first, else the
    paused one with the least time left — as one JSON object: its `metric`, `state`,
    business minutes `left` (target less used, for a paused clock), `calendar` and that
    calendar's `version` (its `updated_at`). The clocks are read through the relation the
    sla app adds to Ticket, so tickets never imports sla.
    """
    try:
        clocks = qs.model._meta.get_field("sla_clocks").related_model._default_manager
    except FieldDoesNotExist:
        return qs
    mine = clocks.filter(ticket=OuterRef("pk"))
    due_q = Q(state="running") | Q(state="breached", stopped_at__isnull=True)
    due = mine.filter(due_q).order_by("deadline")
    left = F("target_minutes") - F("elapsed_minutes")
    # A paused clock has no deadline: the due ones come first.
    shown = (
        mine.filter(due_q | Q(state="paused"))
        .order_by(F("deadline").asc(nulls_last=True), left)
        .annotate(
            shown=JSONObject(
                metric="metric",
                state="state",
                left=left,
                calendar="calendar_id",
                version="calendar__updated_at",
            )
        )
    )
    return qs.annotate(
        sla_deadline=Subquery(due.values("deadline")[:1]),
        sla_warn_at=Subquery(due.values("warn_at")[:1]),
        sla_shown=Subquery(shown.values("shown")[:1], output_field=JSONField()),
    )


def sla_at_risk(qs: QuerySet[Any], now: datetime) -> QuerySet[Any]:
    """Tickets with an open clock past its first warning or its deadline, due first first."""
    clocks = qs.model._meta.get_field("sla_clocks").related_model._default_manager
    risky = clocks.filter(ticket=OuterRef("pk"), stopped_at__isnull=True).filter(
        Q(state="running", warn_at__lte=now)
        | Q(state="running", deadline__lte=now)
        | Q(state="breached")
    )
    return with_sla(qs.filter(Exists(risky))).order_by(F("sla_deadline").asc(nulls_last=True))


def go_to(request: HttpRequest, url: str) -> HttpResponse:
    """After a successful POST: a full navigation, for htmx requests too."""
    if is_fragment_request(request):
        return HttpResponseClientRedirect(url)
    return redirect(url)
