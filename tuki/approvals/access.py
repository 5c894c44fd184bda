"""Who may see which approvals. The only way views and the API fetch them.

- A step is open to its voters (an approver need not see the ticket otherwise: they see the
  ticket's summary on the decision page, never its conversation);
- approvals of a ticket are open to whoever may see the ticket (tickets/access.py);
- anything else is a 404, never a 403, so ids leak nothing.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from tuki.accounts.models import User
from tuki.approvals.models import (
    Approval,
    ApprovalDecision,
    ApprovalStep,
    ApprovalTemplate,
    State,
    StepState,
)
from tuki.tickets.access import ticket_visible
from tuki.tickets.models import Ticket


def waiting_for(user: User) -> QuerySet[ApprovalStep]:
    """Open steps where this user is a voter and has not decided yet, oldest first."""
    if not user.is_authenticated or not user.is_active:
        return ApprovalStep.objects.none()
    return (
        ApprovalStep.objects.filter(
            state=StepState.PENDING, approval__state=State.PENDING, voters=user
        )
        .exclude(decisions__approver=user)
        .select_related(
            "approval__ticket__status", "approval__ticket__requester", "approval__requested_by"
        )
        .order_by("started_at", "id")
    )


def decided_by(user: User, limit: int = 20) -> list[ApprovalDecision]:
    return list(
        ApprovalDecision.objects.filter(approver=user)
        .select_related("step__approval__ticket")
        .order_by("-decided_at", "-id")[:limit]
    )


def get_step_for_voter(user: User, step_id: int) -> ApprovalStep:
    """A step this user may decide on (or did); otherwise Http404."""
    if not user.is_authenticated or not user.is_active:
        raise Http404("No such step")
    step = (
        ApprovalStep.objects.filter(pk=step_id, voters=user)
        .select_related("approval__ticket__status", "approval__ticket__requester", "group")
        .first()
    )
    if step is None:
        raise Http404("No such step")
    return step


def get_approval_for_user(user: User, approval_id: int) -> Approval:
    """An approval of a ticket this user may see; otherwise Http404."""
    approval = (
        Approval.objects.filter(ticket_visible(user), pk=approval_id)
        .select_related("ticket")
        .first()
    )
    if approval is None:
        raise Http404("No such approval")
    return approval


def templates_for(ticket: Ticket) -> list[ApprovalTemplate]:
    return [t for t in ApprovalTemplate.objects.filter(is_active=True) if t.fits(ticket.kind)]


def get_template_for_staff(user: User, template_id: int) -> ApprovalTemplate:
    if not (user.is_staff or user.is_superuser):
        raise Http404("No such template")
    template = ApprovalTemplate.objects.filter(pk=template_id).first()
    if template is None:
        raise Http404("No such template")
    return template
