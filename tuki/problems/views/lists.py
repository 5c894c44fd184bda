"""The problem list and the known-error list."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import SupportGroup
from tuki.cmdb import access as cmdb_access
from tuki.cmdb.models import SERVICE_LAYERS, AffectedItem
from tuki.lib.bounds import parse_id
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.problems import access, services
from tuki.problems.models import KnownErrorState, Problem
from tuki.problems.views.common import agent_required
from tuki.tickets.models import LinkType, StatusCategory, Ticket, TicketLink

PAGE_SIZE = 50
STATES = {
    "active": (StatusCategory.NEW, StatusCategory.OPEN, StatusCategory.PENDING),
    "resolved": (StatusCategory.RESOLVED,),
    "closed": (StatusCategory.CLOSED,),
}
STATE_CHOICES = [
    ("active", _("Open")),
    ("resolved", _("Resolved")),
    ("closed", _("Closed")),
    ("all", _("All")),
]


def _filtered(request: AuthenticatedHttpRequest) -> tuple[QuerySet[Ticket], dict[str, str]]:
    qs = access.problem_tickets(request.user)
    chosen = {
        "state": request.GET.get("state", "active"),
        "known": request.GET.get("known", ""),
        "group": request.GET.get("group", ""),
        "service": request.GET.get("service", ""),
    }
    if chosen["state"] in STATES:
        qs = qs.in_categories(STATES[chosen["state"]])
    if chosen["known"] == "yes":
        qs = qs.filter(problem__known_error=KnownErrorState.KNOWN)
    elif chosen["known"] == "no":
        qs = qs.exclude(problem__known_error=KnownErrorState.KNOWN)
    if (group := parse_id(chosen["group"])) is not None:
        qs = qs.filter(group_id=group)
    if (service := parse_id(chosen["service"])) is not None:
        named = AffectedItem.objects.filter(ci_id=service).values("ticket_id")
        via_incidents = TicketLink.objects.filter(
            type=LinkType.CAUSED_BY, source_id__in=named
        ).values("target_id")
        qs = qs.filter(Q(pk__in=named) | Q(pk__in=via_incidents))
    return qs, chosen


@agent_required
def problem_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    qs, chosen = _filtered(request)
    qs = (
        qs.select_related("status", "group", "problem")
        .annotate(incident_count=services.incident_count())
        .order_by("-pk")
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    now = timezone.now()
    for ticket in page.object_list:
        ticket.age_days = (now - ticket.created_at).days  # type: ignore[attr-defined]  # shown only
    service_items = (
        cmdb_access.items_visible_to(request.user)
        .filter(ci_class__layer__in=SERVICE_LAYERS)
        .order_by("name")
        .values_list("pk", "name")[:300]
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "problems",
        "page": page,
        "chosen": chosen,
        "states": STATE_CHOICES,
        "groups": list(SupportGroup.objects.order_by("name").values_list("pk", "name")),
        "services": list(service_items),
        "query": query.urlencode(),
    }
    return render(request, "problems/list.html", context)


@agent_required
def known_errors(request: AuthenticatedHttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    problems = (
        Problem.objects.filter(
            known_error=KnownErrorState.KNOWN,
            ticket__in=access.problem_tickets(request.user).values("pk"),
        )
        .select_related("ticket__status", "article")
        .order_by("-known_error_at", "-pk")
    )
    if q:
        number = Ticket.parse_number(q)
        match = (
            Q(ticket__title__icontains=q)
            | Q(ticket__description__icontains=q)
            | Q(root_cause__icontains=q)
            | Q(workaround__icontains=q)
        )
        if number is not None:
            match |= Q(pk=number[1])
        problems = problems.filter(match)
    page = Paginator(problems, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"nav": "problems", "page": page, "q": q}
    return render(request, "problems/known_errors.html", context)
