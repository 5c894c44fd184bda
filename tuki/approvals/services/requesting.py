"""Asking for approval: the ticket waits in "Awaiting approval", the first step starts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.approvals.models import (
    APPROVABLE_KINDS,
    Approval,
    ApprovalStep,
    ApprovalTemplate,
    State,
    StepState,
)
from tuki.approvals.services.notices import REQUESTED_TEXT, _interpolate, _mail_voter, _notify
from tuki.approvals.services.templates import StepSpec, clean_steps
from tuki.lib.errors import ServiceError
from tuki.tickets import reasons, services as tickets
from tuki.tickets.models import EventAction, Ticket

AWAITING = "awaiting_approval"


def _specs_for(ticket: Ticket, template: ApprovalTemplate | None, steps: Any) -> list[StepSpec]:
    if template is None and steps is None:
        raise ServiceError(
            _("Choose an approval template or give the steps."), field="template", code="required"
        )
    if steps is not None:
        return clean_steps(steps)
    assert template is not None
    if not template.is_active:
        raise ServiceError(_("This template is inactive."), field="template", code="inactive")
    if not template.fits(ticket.kind):
        raise ServiceError(
            _("This template is not for %(kind)s tickets.")
            % {"kind": ticket.get_kind_display().lower()},
            field="template",
            code="wrong_kind",
        )
    try:
        return clean_steps(template.steps)
    except ServiceError as exc:
        raise ServiceError(
            _("The template %(name)s needs fixing: %(error)s")
            % {"name": template.name, "error": exc.message},
            field="template",
            code="invalid_template",
        ) from None


def request_approval(
    actor: User | None,
    ticket: Ticket,
    template: ApprovalTemplate | None = None,
    steps: Sequence[dict[str, Any]] | None = None,
) -> Approval:
    """Put a request or change on hold until its approvers decide; mail the first step's.

    actor=None is a rule (inside tickets.services.acting_as) or the system. Agents only."""
    if actor is not None and not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only agents may ask for approval."))
    if ticket.kind not in APPROVABLE_KINDS:
        raise ServiceError(
            _("Only service requests, changes and releases wait for approval."),
            field="ticket",
            code="kind_not_approvable",
        )
    specs = _specs_for(ticket, template, steps)
    with transaction.atomic():
        locked = _lock_ticket(actor, ticket)
        if not locked.is_active:
            raise ServiceError(
                _("This ticket is no longer active."), field="ticket", code="not_active"
            )
        if Approval.objects.filter(ticket=locked, state=State.PENDING).exists():
            raise ServiceError(
                _("This ticket is already waiting for an approval."),
                field="ticket",
                code="already_pending",
            )
        name = template.name if template is not None else _("Approval")
        approval = Approval.objects.create(
            ticket=locked,
            template=template,
            name=name,
            requested_by=actor,
            previous_status=locked.status,
        )
        created = _create_steps(approval, specs)
        if locked.status.key != AWAITING:
            reason = reasons.english(reasons.APPROVAL_REQUESTED, name=name)
            tickets.change_status(actor, locked, AWAITING, reason=reason)
        locked = Ticket.objects.with_related().get(pk=locked.pk)
        approval.ticket = locked
        tickets.record_event(
            locked, actor, EventAction.APPROVAL_REQUESTED, field="approval", new=name
        )
        _start(created[0], actor)
    return approval


def _lock_ticket(actor: User | None, ticket: Ticket) -> Ticket:
    qs = Ticket.objects.all() if actor is None else Ticket.objects.visible_to(actor)
    if qs.select_for_update().filter(pk=ticket.pk).values_list("pk", flat=True).first() is None:
        raise PermissionDenied(_("You cannot see this ticket."))
    return Ticket.objects.with_related().get(pk=ticket.pk)


def _create_steps(approval: Approval, specs: list[StepSpec]) -> list[ApprovalStep]:
    created = []
    for position, spec in enumerate(specs, start=1):
        step = ApprovalStep.objects.create(
            approval=approval, position=position, rule=spec.rule, group=spec.group
        )
        step.approvers.set(spec.users)
        step.voters.set(spec.voters)
        created.append(step)
    return created


def _start(step: ApprovalStep, actor: User | None) -> None:
    """Open a step and ask its voters (mail now, in their language; in-app if available)."""
    step.state, step.started_at = StepState.PENDING, timezone.now()
    step.save(update_fields=["state", "started_at"])
    ticket = step.approval.ticket
    voters = list(step.voters.all())
    for voter in voters:
        _mail_voter(voter, step, ticket)
    # In the app only (no ticket: notifications mails nothing without one), since the mail
    # above already carries the approver's own link; voters who cannot see the ticket are
    # told too, the link goes to the decision page.
    _notify(
        voters,
        None,
        "approval_requested",
        _interpolate(REQUESTED_TEXT, number=ticket.number, title=ticket.title),
        actor=actor,
        url=reverse("approvals:step", args=[step.pk]),
    )
