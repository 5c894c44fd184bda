"""Voters decide, agents cancel; what follows for the approval and the ticket."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_noop

from tuki.accounts.models import User
from tuki.approvals.models import (
    Approval,
    ApprovalDecision,
    ApprovalStep,
    Decision,
    State,
    StepState,
    Via,
)
from tuki.approvals.services.notices import APPROVED_TEXT, REJECTED_TEXT, _interpolate, _notify
from tuki.approvals.services.requesting import AWAITING, _lock_ticket, _start
from tuki.approvals.services.templates import step_outcome
from tuki.lib.errors import ServiceError
from tuki.tickets import reasons, services as tickets
from tuki.tickets.models import ActorKind, EventAction, Kind, Status, StatusCategory, Ticket

MAX_COMMENT = 5000


def decide(
    actor: User,
    step: ApprovalStep,
    decision: str,
    comment: str = "",
    via: str = Via.WEB,
) -> ApprovalDecision:
    """One voter approves or rejects a step, once. A reject needs a comment (the requester is
    told why). Passing the last step approves; a rejected step rejects the approval."""
    if decision not in Decision.values:
        raise ServiceError(_("Approve or reject."), field="decision", code="invalid_decision")
    if via not in Via.values:
        raise ServiceError(_("Unknown channel."), field="via", code="invalid")
    comment = (comment or "").strip()
    if "\x00" in comment:
        raise ServiceError(_("Text may not contain NUL characters."), field="comment")
    if len(comment) > MAX_COMMENT:
        raise ServiceError(
            _("At most %(count)d characters.") % {"count": MAX_COMMENT},
            field="comment",
            code="too_long",
        )
    if decision == Decision.REJECT and not comment:
        raise ServiceError(
            _("Say why you reject: the requester will read it."),
            field="comment",
            code="required",
        )
    with transaction.atomic():
        # Locks in the order every writer takes them (ticket, approval, step): two voters
        # deciding at once are counted one after the other, and an agent cancelling the
        # ticket meanwhile waits or is waited for, never deadlocks.
        ticket_id = Approval.objects.filter(pk=step.approval_id).values("ticket_id")
        ticket = _lock_ticket(None, Ticket(pk=ticket_id[0]["ticket_id"]))
        approval = Approval.objects.select_for_update().get(pk=step.approval_id)
        step = ApprovalStep.objects.select_for_update().get(pk=step.pk)
        approval.ticket = ticket
        step.approval = approval
        if not step.voters.filter(pk=actor.pk).exists():
            raise PermissionDenied(_("You are not an approver of this step."))
        _check_open(approval, step)
        if step.decisions.filter(approver=actor).exists():
            raise ServiceError(
                _("You have already decided on this step."),
                field="decision",
                code="already_decided",
            )
        made = ApprovalDecision.objects.create(
            step=step, approver=actor, decision=decision, comment=comment, via=via
        )
        _record_decision(ticket, actor, step, made)
        _apply_outcome(actor, approval, step, made)
    return made


def closed_message(approval: Approval, step: ApprovalStep) -> str:
    """Why no decision can be taken on this step now, or "" when it is open."""
    if approval.state == State.APPROVED:
        return _("This approval is already decided: approved.")
    if approval.state == State.REJECTED:
        return _("This approval is already decided: rejected.")
    if approval.state == State.CANCELLED:
        return _("This approval was cancelled; nothing to decide any more.")
    if step.state == StepState.WAITING:
        return _("This step waits for an earlier step to be decided.")
    if step.state != StepState.PENDING:
        return _("This step is already decided: %(state)s.") % {
            "state": step.get_state_display().lower()
        }
    return ""


def _check_open(approval: Approval, step: ApprovalStep) -> None:
    message = closed_message(approval, step)
    if message:
        raise ServiceError(message, field="decision", code="step_closed")


def _record_decision(
    ticket: Ticket, actor: User, step: ApprovalStep, made: ApprovalDecision
) -> None:
    action = (
        EventAction.APPROVAL_APPROVED
        if made.decision == Decision.APPROVE
        else EventAction.APPROVAL_REJECTED
    )
    count = ApprovalStep.objects.filter(approval=step.approval_id).count()
    where = _("%(name)s, step %(position)d of %(count)d") % {
        "name": step.approval.name,
        "position": step.position,
        "count": count,
    }
    tickets.record_event(ticket, actor, action, field="approval", new=where, reason=made.comment)


def _apply_outcome(
    actor: User, approval: Approval, step: ApprovalStep, made: ApprovalDecision
) -> None:
    counts = step.decisions.aggregate(
        approvals=Count("pk", filter=Q(decision=Decision.APPROVE)),
        rejections=Count("pk", filter=Q(decision=Decision.REJECT)),
    )
    outcome = step_outcome(
        step.rule, step.voters.count(), counts["approvals"], counts["rejections"]
    )
    if not outcome:
        return
    now = timezone.now()
    step.state, step.decided_at = outcome, now
    step.save(update_fields=["state", "decided_at"])
    if outcome == StepState.REJECTED:
        _finish(approval, State.REJECTED, actor, made.comment)
        return
    following = approval.steps.filter(state=StepState.WAITING).order_by("position").first()
    if following is not None:
        following.approval = approval
        _start(following, None)
    else:
        _finish(approval, State.APPROVED, actor, made.comment)


def _finish(approval: Approval, state: str, actor: User, comment: str) -> None:
    """Close the approval, then move the ticket on (approved) or cancel it (rejected)."""
    approval.state, approval.decided_at = state, timezone.now()
    approval.save(update_fields=["state", "decided_at"])
    approval.steps.filter(state__in=(StepState.WAITING, StepState.PENDING)).update(
        state=StepState.CANCELLED, decided_at=approval.decided_at
    )
    ticket = approval.ticket
    if state == State.APPROVED:
        reason = reasons.english(reasons.APPROVED, name=approval.name, user=actor)
        target = _status_after_approval(ticket)
    else:
        reason = reasons.english(reasons.REJECTED, user=actor, comment=comment)
        target = _status_after_rejection(ticket)
    if ticket.status.key == AWAITING and target is not None:
        _as_system(ticket, target, reason)
    message = APPROVED_TEXT if state == State.APPROVED else REJECTED_TEXT
    text = _interpolate(message, number=ticket.number, title=ticket.title)
    people = [approval.requested_by, ticket.assignee, ticket.owner]
    _notify(
        list(dict.fromkeys(p for p in people if p is not None)),
        ticket,
        "approval_decided",
        text,
        actor,
    )


def _as_system(ticket: Ticket, target: Status, reason: str) -> None:
    # The approver may be no agent (a line manager): the approval moves the ticket.
    if tickets.current_acting() is not None:
        tickets.change_status(None, ticket, target, reason=reason)
        return
    with tickets.acting_as(ActorKind.SYSTEM, reason):
        tickets.change_status(None, ticket, target, reason=reason)


def _status_after_approval(ticket: Ticket) -> Status | None:
    """Changes go to Scheduled (a release waits for its deploy stage: releases/services.py); requests to In progress when someone has them, else Assigned.
    Only where the kind's workflow allows."""
    moves = {s.key: s for s in tickets.allowed_statuses(ticket)}
    if ticket.kind == Kind.CHANGE:
        prefer = ["scheduled", "assigned", "in_progress"]
    elif ticket.assignee_id:
        prefer = ["in_progress", "assigned"]
    else:
        prefer = ["assigned", "in_progress"]
    for key in prefer:
        if key in moves:
            return moves[key]
    return next((s for s in moves.values() if s.category == StatusCategory.OPEN), None)


def _status_after_rejection(ticket: Ticket) -> Status | None:
    moves = tickets.allowed_statuses(ticket)
    for status in moves:
        if status.key == "cancelled":
            return status
    return next((s for s in moves if s.category == StatusCategory.CLOSED), None)


def cancel_approval(actor: User, approval: Approval, *, reason: str = "") -> Approval:
    """An agent withdraws a pending approval; the ticket returns to where it was."""
    if not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only agents may cancel an approval."))
    with transaction.atomic():
        ticket = _lock_ticket(actor, approval.ticket)
        approval = Approval.objects.select_for_update().get(pk=approval.pk)
        if approval.state != State.PENDING:
            raise ServiceError(
                _("Only a pending approval can be cancelled."), field="approval", code="closed"
            )
        _close_pending(approval, ticket, actor, reason)
        if ticket.status.key == AWAITING:
            target = _status_after_cancel(ticket, approval)
            if target is not None:
                message = reasons.english(reasons.APPROVAL_CANCELLED, name=approval.name)
                tickets.change_status(actor, ticket, target, reason=reason or message)
    return approval


def _close_pending(approval: Approval, ticket: Ticket, actor: User | None, reason: str) -> None:
    approval.state, approval.decided_at = State.CANCELLED, timezone.now()
    approval.save(update_fields=["state", "decided_at"])
    approval.steps.filter(state__in=(StepState.WAITING, StepState.PENDING)).update(
        state=StepState.CANCELLED, decided_at=approval.decided_at
    )
    tickets.record_event(
        ticket,
        actor,
        EventAction.APPROVAL_CANCELLED,
        field="approval",
        new=approval.name,
        reason=reason,
    )


def _status_after_cancel(ticket: Ticket, approval: Approval) -> Status | None:
    moves = {s.key: s for s in tickets.allowed_statuses(ticket)}
    previous = approval.previous_status
    if previous is not None and previous.key in moves:
        return previous
    return moves.get("assigned") or next(
        (s for s in moves.values() if s.category == StatusCategory.OPEN), None
    )


def ticket_left_waiting(ticket: Ticket) -> None:
    """The ticket left "Awaiting approval" by another way (an agent cancelled or moved it):
    its pending approval is withdrawn. Called inside the service's transaction."""
    if ticket.status.key == AWAITING:
        return
    for approval in Approval.objects.filter(ticket=ticket, state=State.PENDING):
        reason = reasons.english(reasons.LEFT_STATUS, status=gettext_noop("Awaiting approval"))
        _close_pending(approval, ticket, None, reason)
