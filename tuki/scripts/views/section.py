"""The ticket page's section: the scripts followed on this ticket, as readable transcripts.

The section costs the ticket page no query: it is shown on tickets registered by phone
(where scripts run) and loads its content with htmx. A run recorded through the API on
another ticket has its transcript note in that ticket's timeline.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from tuki.lib.http import AuthenticatedHttpRequest
from tuki.scripts import services, tree
from tuki.scripts.models import ScriptRun
from tuki.scripts.views.common import agent_required
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Channel

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    if ticket.channel != Channel.PHONE:
        return None
    return {"url": reverse("scripts:ticket_runs", args=[ticket.number])}


@require_GET
@agent_required
def ticket_runs(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = ticket_access.get_ticket_for_user(request.user, number)
    runs = list(
        ScriptRun.objects.filter(ticket=ticket)
        .select_related("version__script")
        .order_by("started_at", "id")
    )
    shown = []
    for run in runs:
        node = tree.nodes(run.version.tree).get(run.outcome_node or run.dropped_at) or {}
        shown.append(
            {"run": run, "steps": services.transcript(run), "end_text": node.get("text", "")}
        )
    return render(request, "scripts/partials/ticket_runs.html", {"script_runs": shown})
