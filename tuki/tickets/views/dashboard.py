"""The agent's start page: what to do now."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tuki.accounts.models import SupportGroup, User
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.models import (
    ACTIVE_CATEGORIES,
    StatusCategory,
    Ticket,
    status_ids_by_category,
)
from tuki.tickets.views.common import agent_required, sla_at_risk, with_sla
from tuki.tickets.views.lists import prepare_rows

LIST_SIZE = 8


def _sections(user: User, active: Q, ids: dict[str, list[int]]) -> dict[str, Q]:
    groups = user.group_ids
    pending, resolved = ids[StatusCategory.PENDING], ids[StatusCategory.RESOLVED]
    return {
        "mine": active & Q(assignee=user),
        "unassigned": active & Q(group__in=groups, assignee__isnull=True),
        "waiting": Q(assignee=user, status_id__in=pending) | Q(owner=user, status_id__in=resolved),
        "groups": active & Q(group__in=groups),
    }


@agent_required
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    visible = Ticket.objects.visible_to(request.user)
    ids = status_ids_by_category()  # by status id: see models.status_ids
    active = Q(status_id__in=[pk for category in ACTIVE_CATEGORIES for pk in ids[category]])
    sections = _sections(request.user, active, ids)
    # Counted over the rows of some section only: the filter lets the database use its
    # indexes instead of reading every ticket to count a few.
    relevant = sections["mine"] | sections["unassigned"] | sections["waiting"] | sections["groups"]
    counts = visible.filter(relevant).aggregate(
        **{name: Count("pk", filter=q) for name, q in sections.items()}
    )
    rows = with_sla(visible.for_lists()).order_by("priority", "-updated_at")
    recent = with_sla(visible.for_lists()).filter(sections["groups"]).order_by("-updated_at")
    # Breaches coming in the work of my groups, mine, and what my desk answers for.
    owned = Q(owner=request.user) & active
    mine_or_owned = sections["groups"] | sections["mine"] | owned
    at_risk = sla_at_risk(visible.for_lists().filter(mine_or_owned), timezone.now())
    lists = {
        "mine": list(rows.filter(sections["mine"])[:LIST_SIZE]),
        "unassigned": list(rows.filter(sections["unassigned"])[:LIST_SIZE]),
        "waiting": list(rows.filter(sections["waiting"])[:LIST_SIZE]),
        "recent": list(recent[:LIST_SIZE]),
        "at_risk": list(at_risk[:LIST_SIZE]),
    }
    # The organisations of all five lists in one query.
    prepare_rows([t for tickets in lists.values() for t in tickets], "organisation")
    # Leads and managers of groups get a link to their team view (tuki/reports/views_team.py).
    leads = request.user.is_superuser or (
        SupportGroup.objects.filter(manager=request.user, is_active=True).exists()
    )
    context = {"nav": "dashboard", "counts": counts, "leads": leads, **lists}
    return render(request, "tickets/dashboard.html", context)
