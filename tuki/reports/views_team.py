"""The team view of a support group for its lead and the desk manager (tuki/reports/team.py
says who sees what and what each figure means)."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy

from tuki.accounts.models import User
from tuki.lib.bounds import parse_id
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.reports import team as teams
from tuki.tickets.views.common import agent_required, sla_at_risk, with_sla
from tuki.tickets.views.lists import prepare_rows

LIST_SIZE = 8
PAGE_SIZE = 50


@agent_required
def index(request: AuthenticatedHttpRequest) -> HttpResponse:
    groups = list(teams.team_groups(request.user))
    if not groups:
        raise Http404("No team to show")
    if len(groups) == 1:
        return redirect("reports:team", pk=groups[0].pk)
    counts = teams.overview(request.user, groups, timezone.now())
    rows = [(group, counts.get(group.pk, teams.Load(None))) for group in groups]
    return render(request, "reports/team_index.html", {"rows": rows, "nav": "team"})


@agent_required
def team(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    groups = teams.team_groups(request.user)
    group = teams.get_team_for_user(request.user, pk, groups)
    now = timezone.now()
    ids = teams.status_ids_by_category()
    view = teams.team(request.user, group, now, ids)
    work = teams.work_of(request.user, group, ids).for_lists()
    view.oldest = list(with_sla(work).order_by("created_at", "id")[:LIST_SIZE])
    view.urgent = list(sla_at_risk(work, now)[:LIST_SIZE])
    prepare_rows([*view.oldest, *view.urgent], "organisation")
    context = {"team": view, "nav": "team", "several": groups[1:2].exists()}
    return render(request, "reports/team.html", context)


TITLES = {
    "active": gettext_lazy("Active tickets"),
    "pending": gettext_lazy("Pending tickets"),
    "at_risk": gettext_lazy("At risk"),
    "breached": gettext_lazy("Breached"),
    "intake": gettext_lazy("Today's intake"),
}


@agent_required
def tickets(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The tickets behind one number of the team view."""
    group = teams.get_team_for_user(request.user, pk)
    show = request.GET.get("show", "active")
    if show not in teams.SHOWS:
        show = "active"
    agent = request.GET.get("agent", "")
    now = timezone.now()
    qs = teams.tickets_of(request.user, group, show, agent, now).for_lists()
    order = ("created_at", "id") if show != "intake" else ("-created_at", "-id")
    page = Paginator(with_sla(qs).order_by(*order), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = prepare_rows(page.object_list, "organisation")
    agent_name = ""
    if agent == "none":
        agent_name = _("Unassigned")
    elif agent:
        number = parse_id(agent)
        agents = User.objects.filter(Q(is_agent=True) | Q(is_superuser=True))
        person = agents.filter(pk=number).first() if number is not None else None
        agent_name = str(person) if person else ""
    context = {
        "group": group,
        "page": page,
        "show": show,
        "agent": agent,
        "agent_name": agent_name,
        "title": TITLES[show],
        "nav": "team",
    }
    return render(request, "reports/team_tickets.html", context)
