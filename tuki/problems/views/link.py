"""Linking incidents picked in the ticket queue to a problem: the queue's selection is
posted here (`tickets`, several), the agent picks the problem, and the links are made by
the problem's link view."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import redirect, render

from tuki.lib.http import AuthenticatedHttpRequest
from tuki.problems import access
from tuki.problems.views.common import agent_required, posted_ids

PROBLEMS_SHOWN = 100


@agent_required
def link_select(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method != "POST":
        return redirect("tickets:queue")
    ids = posted_ids(request, "tickets")
    incidents = list(
        access.incidents_visible_to(request.user)
        .filter(pk__in=ids)
        .select_related("status")
        .order_by("pk")
    )
    problems = list(
        access.problem_tickets(request.user)
        .active()
        .select_related("status")
        .order_by("-pk")[:PROBLEMS_SHOWN]
    )
    context = {
        "nav": "problems",
        "incidents": incidents,
        "skipped": len(ids) - len(incidents),
        "problems": problems,
    }
    return render(request, "problems/link.html", context)
