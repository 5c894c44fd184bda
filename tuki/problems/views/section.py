"""The "Problem" section of the ticket page (registered in tickets/sections.py from
ProblemsConfig.ready()).

On an incident: the problem it is linked to, a form to link it to an open problem, and
"create a problem from this incident". On a problem: the root cause, the workaround, the
known-error state, the analysis notes, the linked incidents, similar open incidents from the
radar, and resolving with the incidents. The ticket page spends no query on it: the section
loads its content from here. Its forms post to the views below, which go back to the ticket.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.problems import access, radar, services
from tuki.problems.models import AnalysisMethod, RootCauseCategory
from tuki.problems.views.common import agent_required, error_message, posted_ids
from tuki.tickets.models import Kind, ResolutionCode, Ticket

OPEN_PROBLEMS_SHOWN = 50


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: agents, on incidents and problems; costs the page nothing."""
    if not access.may_use(user) or ticket.kind not in (Kind.INCIDENT, Kind.PROBLEM):
        return None
    return {"url": reverse("problems:section", args=[ticket.pk]), "kind": ticket.kind}


def _ticket(user: User, pk: int) -> Ticket:
    found = (
        Ticket.objects.visible_to(user)
        .with_related()
        .filter(pk=pk, kind__in=(Kind.INCIDENT, Kind.PROBLEM))
        .first()
    )
    if found is None:
        raise Http404("No such ticket")
    return found


@agent_required
def section(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request.user, pk)
    if ticket.kind == Kind.INCIDENT:
        return render(
            request, "problems/partials/incident.html", _incident_context(request, ticket)
        )
    return render(request, "problems/partials/problem.html", _problem_context(request, ticket))


def _incident_context(request: AuthenticatedHttpRequest, ticket: Ticket) -> dict[str, Any]:
    problem = services.problem_of_incident(ticket)
    if (
        problem is not None
        and not access.problem_tickets(request.user).filter(pk=problem.pk).exists()
    ):
        problem = None  # linked to a problem this agent may not see: say nothing of it
    open_problems = (
        access.problem_tickets(request.user).active().order_by("-pk").values_list("pk", "title")
    )
    return {
        "ticket": ticket,
        "problem": problem,
        "can_work": access.can_work(request.user, ticket),
        "open_problems": [
            (f"PRB-{pk}", title) for pk, title in open_problems[:OPEN_PROBLEMS_SHOWN]
        ],
    }


def _problem_context(request: AuthenticatedHttpRequest, ticket: Ticket) -> dict[str, Any]:
    problem = services.problem_for(ticket)
    user = request.user
    linked = (
        services.linked_incidents(ticket)
        .filter(pk__in=access.incidents_visible_to(user).values("pk"))
        .select_related("status")
        .order_by("-pk")
    )
    incidents = list(linked[:100])
    return {
        "ticket": ticket,
        "problem": problem,
        "notes": list(problem.notes.select_related("author")),
        "incidents": incidents,
        "active_incidents": sum(1 for t in incidents if t.is_active),
        "similar": radar.similar_incidents(user, ticket) if ticket.is_active else [],
        "can_work": access.can_work(user, ticket),
        "categories": RootCauseCategory.choices,
        "methods": AnalysisMethod.choices,
        "codes": ResolutionCode.choices,
        "article": problem.article,
    }


def _problem(request: AuthenticatedHttpRequest, pk: int) -> tuple[Ticket, Any]:
    ticket = access.get_problem_ticket(request.user, pk)
    return ticket, services.problem_for(ticket)


def _back(request: AuthenticatedHttpRequest, ticket: Ticket, done: str, call: Any) -> HttpResponse:
    try:
        call()
    except ServiceError as exc:
        error_message(request, exc)
    else:
        messages.success(request, done)
    return redirect(ticket)


@require_POST
@agent_required
def problem_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket, problem = _problem(request, pk)
    changes = {f: request.POST[f] for f in services.DETAIL_FIELDS if f in request.POST}
    return _back(
        request,
        ticket,
        _("Problem details saved."),
        lambda: services.update_problem(request.user, problem, **changes),
    )


@require_POST
@agent_required
def problem_note(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket, problem = _problem(request, pk)
    return _back(
        request,
        ticket,
        _("Analysis note added."),
        lambda: services.add_analysis_note(
            request.user,
            problem,
            method=request.POST.get("method", ""),
            body=request.POST.get("body", ""),
        ),
    )


@require_POST
@agent_required
def problem_known_error(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket, problem = _problem(request, pk)
    return _back(
        request,
        ticket,
        _("Known error published in the knowledge base."),
        lambda: services.mark_known_error(request.user, problem),
    )


@require_POST
@agent_required
def problem_resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket, problem = _problem(request, pk)
    return _back(
        request,
        ticket,
        _("Problem resolved."),
        lambda: services.resolve_problem(
            request.user,
            problem,
            code=request.POST.get("code", ""),
            resolution=request.POST.get("resolution", ""),
            incidents=request.POST.get("incidents", ""),
        ),
    )


@agent_required
def problem_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """POST `incidents` (ids, several): link them to the problem (from the queue, the radar's
    similar incidents). GET: back to the problem."""
    ticket, problem = _problem(request, pk)
    if request.method != "POST":
        return redirect(ticket)
    ids = posted_ids(request, "incidents")
    incidents = list(access.incidents_visible_to(request.user).filter(pk__in=ids).order_by("pk"))

    def link() -> None:
        if not incidents:
            raise ServiceError(_("Pick at least one incident."), field="incidents", code="required")
        count = services.link_incidents(request.user, problem, incidents)
        messages.success(request, _("Incidents linked: %(count)d.") % {"count": count})

    try:
        link()
    except ServiceError as exc:
        error_message(request, exc)
    return redirect(ticket)


@require_POST
@agent_required
def incident_link(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = access.get_incident(request.user, pk)
    number = request.POST.get("problem", "").strip()

    def link() -> None:
        try:
            target = access.get_problem_ticket(request.user, number)
        except Http404:
            raise ServiceError(
                _("No open problem %(number)s.") % {"number": number[:20]},
                field="problem",
                code="unknown_problem",
            ) from None
        services.link_incidents(request.user, services.problem_for(target), [incident])

    return _back(request, incident, _("Incident linked to the problem."), link)


@require_POST
@agent_required
def incident_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    incident = access.get_incident(request.user, pk)
    try:
        problem = services.create_problem_from_incident(request.user, incident)
    except ServiceError as exc:
        error_message(request, exc)
        return redirect(incident)
    messages.success(request, _("%(number)s registered.") % {"number": problem.ticket.number})
    return redirect(problem.ticket)
