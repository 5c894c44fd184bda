"""{% load approvals %}: the approvals panel of the ticket page, in a fixed number of queries
(steps with their approval and group, voters, decisions, and the templates for the request
form), whatever the number of approvals, steps and decisions. Other kinds cost nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import template
from django.db.models import Prefetch

from tuki.approvals import access
from tuki.approvals.models import (
    APPROVABLE_KINDS,
    Approval,
    ApprovalDecision,
    ApprovalStep,
    State,
    StepState,
)

register = template.Library()


@dataclass
class VoterRow:
    user: Any
    decision: ApprovalDecision | None


@dataclass
class StepView:
    step: ApprovalStep
    voters: list[VoterRow]
    can_decide: bool


@dataclass
class ApprovalView:
    approval: Approval
    steps: list[StepView] = field(default_factory=list)


@register.simple_tag(takes_context=True)
def approvals_panel(context: template.Context, ticket: Any) -> dict[str, Any]:
    if ticket.kind not in APPROVABLE_KINDS:
        return {"show": False}
    request = context.get("request")
    user = getattr(request, "user", None)
    steps = (
        ApprovalStep.objects.filter(approval__ticket=ticket)
        .select_related("approval__requested_by", "group")
        .prefetch_related(
            "voters",
            Prefetch("decisions", ApprovalDecision.objects.select_related("approver")),
        )
        .order_by("-approval__created_at", "-approval_id", "position")
    )
    views: dict[int, ApprovalView] = {}
    for step in steps:
        view = views.setdefault(step.approval_id, ApprovalView(step.approval))
        by_voter = {d.approver_id: d for d in step.decisions.all()}
        voters = [VoterRow(v, by_voter.get(v.pk)) for v in step.voters.all()]
        mine = user is not None and any(v.user.pk == user.pk for v in voters)
        can = (
            user is not None
            and mine
            and step.state == StepState.PENDING
            and step.approval.state == State.PENDING
            and user.pk not in by_voter
        )
        view.steps.append(StepView(step, voters, can))
    approvals = list(views.values())
    is_agent = bool(user and (user.is_agent or user.is_superuser))
    pending = any(a.approval.state == State.PENDING for a in approvals)
    may_request = is_agent and ticket.is_active and not pending
    return {
        "show": True,
        "approvals": approvals,
        "pending": pending,
        "is_agent": is_agent,
        "may_request": may_request,
        "templates": access.templates_for(ticket) if may_request else [],
    }
