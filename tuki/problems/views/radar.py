"""The problem radar page: proposals, "Create problem" and "Dismiss"."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.problems import radar, services
from tuki.problems.views.common import agent_required, error_message, posted_ids
from tuki.tickets.models import Ticket


@agent_required
def radar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "nav": "problems",
        "proposals": radar.proposals(request.user),
        "min_incidents": radar.min_incidents(),
        "days": radar.window_days(),
    }
    return render(request, "problems/radar.html", context)


def _incidents(request: AuthenticatedHttpRequest) -> list[Ticket]:
    ids = posted_ids(request, "incidents")
    return list(radar.candidates(request.user).filter(pk__in=ids).order_by("pk"))


@require_POST
@agent_required
def radar_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    incidents = _incidents(request)
    title = request.POST.get("title", "") or (incidents[0].title if incidents else "")
    try:
        if not incidents:
            raise ServiceError(
                _("These incidents are no longer proposed."), field="incidents", code="gone"
            )
        problem = services.create_problem(
            request.user,
            title=title,
            description=_("Opened from the problem radar: %(numbers)s")
            % {"numbers": ", ".join(t.number for t in incidents)},
            incidents=incidents,
            category=incidents[0].category
            if len({t.category_id for t in incidents}) == 1
            else None,
        )
    except ServiceError as exc:
        error_message(request, exc)
        return redirect("problems:radar")
    messages.success(
        request, _("%(number)s registered with its incidents.") % {"number": problem.ticket.number}
    )
    return redirect(problem.ticket)


@require_POST
@agent_required
def radar_dismiss(request: AuthenticatedHttpRequest) -> HttpResponse:
    incidents = _incidents(request)
    try:
        services.dismiss_incidents(request.user, incidents)
    except ServiceError as exc:
        error_message(request, exc)
    else:
        messages.success(request, _("Proposal dismissed."))
    return redirect("problems:radar")
