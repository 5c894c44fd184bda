"""The agent's start page: what to do now."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tuki.tickets.models import ACTIVE_CATEGORIES, StatusCategory, Ticket, status_ids
from tuki.tickets.views.common import agent_required, sla_at_risk, with_sla

LIST_SIZE = 8


def _sections(user: object, active: Q) -> dict[str, Q]:
    groups = user.group_ids  # type: ignore[attr-defined]
    pending = status_ids([StatusCategory.PENDING])
    resolved = status_ids([StatusCategory.RESOLVED])
    return {
        "mine": active & Q(assignee=user),
        "unassigned": active & Q(group__in=groups, assignee__isnull=True),
        "waiting": Q(assignee=user, status_id__in=pending) | Q(owner=user, status_id__in=resolved),
        "groups": active & Q(group__in=groups),
    }


@agent_required
def dashboard(request: HttpRequest) -> HttpResponse:
    visible = Ticket.objects.visible_to(request.user)
    active = Q(status_id__in=status_ids(ACTIVE_CATEGORIES))
    sections = _sections(request.user, active)
    # Counted over the rows of some section only: the filter lets the database use its
    # indexes instead of reading every ticket to count a few.
    relevant = sections["mine"] | sections["unassigned"] | sections["waiting"] | sections["groups"]
    counts = visible.filter(relevant).aggregate(
        **{name: Count("pk", filter=q) for name, q in sections.items()}
    )
    rows = with_sla(visible.with_related()).order_by("priority", "-updated_at")
    recent = with_sla(visible.with_related()).filter(sections["groups"]).order_by("-updated_at")
    # Breaches coming in the work of my groups, mine, and what my desk answers for.
    owned = Q(owner=request.user) & active
    mine_or_owned = sections["groups"] | sections["mine"] | owned
    at_risk = sla_at_risk(visible.with_related().filter(mine_or_owned), timezone.now())
    context = {
        "nav": "dashboard",
        "counts": counts,
        "mine": list(rows.filter(sections["mine"])[:LIST_SIZE]),
        "unassigned": list(rows.filter(sections["unassigned"])[:LIST_SIZE]),
        "waiting": list(rows.filter(sections["waiting"])[:LIST_SIZE]),
        "recent": list(recent[:LIST_SIZE]),
        "at_risk": list(at_risk[:LIST_SIZE]),
    }
    return render(request, "tickets/dashboard.html", context)
