"""Approvals: the only way to write them (DESIGN.md, services.py is the only way in).

request_approval puts a service request or change on hold ("Awaiting approval") and asks the
first step's voters; decide records one voter's approve or reject and, when a step's rule is
met or can no longer be met (models.py explains the rules), starts the next step, or moves
the ticket on (approved) or cancels it (rejected); cancel_approval withdraws it.

Ticket changes go through tickets/services.py. Approvers need not be agents (a requester's
line manager approves new hardware), so the moves that follow a decision are made by the
system on the approval's behalf, with the decision named as the reason.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import (
    APPROVABLE_KINDS,
    Approval,
    ApprovalDecision,
    ApprovalStep,
    ApprovalTemplate,
    Decision,
    Rule,
    State,
    StepState,
    Via,
)
from tuki.tickets import reasons
from tuki.tickets import services as tickets
from tuki.tickets.models import ActorKind, Kind, Status, StatusCategory, Ticket
from tuki.tickets.services import ServiceError

LINK_SALT = "tuki.approvals.link"
LINK_MAX_AGE = timedelta(days=14)
MAX_STEPS = 10
MAX_COMMENT = 5000
AWAITING = "awaiting_approval"


# --- rules -----------------------------------------------------------------------------------


def needed(rule: str, voters: int) -> int:
    """How many approvals pass a step of this many voters."""
    if rule == Rule.ALL:
        return voters
    if rule == Rule.MAJORITY:
        return voters // 2 + 1  # more than half: 2 of 3, 3 of 4
    return 1


def step_outcome(rule: str, voters: int, approvals: int, rejections: int) -> str:
    """APPROVED when the rule is met, REJECTED when it can no longer be met, else ""."""
    if voters <= 0:
        return ""
    target = needed(rule, voters)
    if approvals >= target:
        return StepState.APPROVED
    if voters - rejections < target:
        return StepState.REJECTED
    return ""


# --- steps definitions -----------------------------------------------------------------------


@dataclass(frozen=True)
class StepSpec:
    """One step as asked for: its rule, named approvers and group; `voters` resolved."""

    rule: str
    users: tuple[User, ...]
    group: SupportGroup | None
    voters: tuple[User, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "users": [u.pk for u in self.users],
            "group": self.group.pk if self.group else None,
        }


def _ids(value: Any, field: str) -> list[int]:
    items = value if isinstance(value, list | tuple) else [value] if value else []
    ids = []
    for item in items:
        pk = getattr(item, "pk", item)
        if isinstance(pk, bool) or not isinstance(pk, int) and not str(pk).isdigit():
            raise ServiceError(_("Give people by their id."), field=field, code="invalid")
        ids.append(int(pk))
    return list(dict.fromkeys(ids))


def clean_step(data: Any, index: int) -> StepSpec:
    prefix = f"steps.{index}"
    if not isinstance(data, dict):
        raise ServiceError(_("Each step needs a rule and approvers."), field=prefix)
    rule = data.get("rule") or Rule.ANY
    if rule not in Rule.values:
        raise ServiceError(
            _("Choose any, all or majority."), field=f"{prefix}.rule", code="invalid_rule"
        )
    user_ids = _ids(data.get("users") or [], f"{prefix}.users")
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    if len(users) != len(user_ids):
        raise ServiceError(
            _("Some of these people do not exist or are inactive."),
            field=f"{prefix}.users",
            code="unknown_user",
        )
    group = None
    group_value = data.get("group")
    if group_value not in (None, ""):
        group_id = _ids(group_value, f"{prefix}.group")[0]
        group = SupportGroup.objects.filter(pk=group_id, is_active=True).first()
        if group is None:
            raise ServiceError(
                _("This group does not exist or is inactive."),
                field=f"{prefix}.group",
                code="unknown_group",
            )
    voters = {u.pk: u for u in users}
    if group is not None:
        voters.update({u.pk: u for u in group.members.filter(is_active=True)})
    if not voters:
        raise ServiceError(
            _("Name at least one approver, or a group with active members."),
            field=f"{prefix}.users",
            code="no_approvers",
        )
    ordered = tuple(sorted(voters.values(), key=lambda u: (u.full_name, u.pk)))
    return StepSpec(rule, tuple(users), group, ordered)


def clean_steps(steps: Any) -> list[StepSpec]:
    """Validate a steps definition (list of {"rule", "users", "group"}); errors name the step."""
    if not isinstance(steps, list | tuple) or not steps:
        raise ServiceError(_("Add at least one step."), field="steps", code="required")
    if len(steps) > MAX_STEPS:
        raise ServiceError(
            _("At most %(count)d steps.") % {"count": MAX_STEPS}, field="steps", code="too_many"
        )
    return [clean_step(step, index) for index, step in enumerate(steps)]


def _require_staff(actor: User) -> None:
    if not (actor.is_staff or actor.is_superuser):
        raise PermissionDenied(_("Only administrators manage approval templates."))


def _clean_template(name: str, kinds: Iterable[str], steps: Any) -> tuple[str, list[str], list]:
    name = (name or "").strip()
    if not name:
        raise ServiceError(_("A name is required."), field="name", code="required")
    if len(name) > 120:
        raise ServiceError(_("At most 120 characters."), field="name", code="too_long")
    kinds = list(dict.fromkeys(kinds or []))
    if any(kind not in APPROVABLE_KINDS for kind in kinds):
        raise ServiceError(
            _("Only service requests and changes wait for approval."),
            field="kinds",
            code="invalid_kind",
        )
    return name, kinds, [spec.as_json() for spec in clean_steps(steps)]


def create_template(
    actor: User,
    *,
    name: str,
    steps: Any,
    kinds: Iterable[str] = (),
    description: str = "",
    is_active: bool = True,
) -> ApprovalTemplate:
    _require_staff(actor)
    name, kinds, cleaned = _clean_template(name, kinds, steps)
    if ApprovalTemplate.objects.filter(name__iexact=name).exists():
        raise ServiceError(_("This name is taken."), field="name", code="duplicate")
    return ApprovalTemplate.objects.create(
        name=name,
        kinds=kinds,
        steps=cleaned,
        description=description or "",
        is_active=is_active,
        created_by=actor,
    )


def update_template(
    actor: User,
    template: ApprovalTemplate,
    *,
    name: str,
    steps: Any,
    kinds: Iterable[str] = (),
    description: str = "",
    is_active: bool = True,
) -> ApprovalTemplate:
    """Edits apply to approvals requested from now on; running ones keep their steps."""
    _require_staff(actor)
    name, kinds, cleaned = _clean_template(name, kinds, steps)
    taken = ApprovalTemplate.objects.filter(name__iexact=name).exclude(pk=template.pk)
    if taken.exists():
        raise ServiceError(_("This name is taken."), field="name", code="duplicate")
    template.name, template.kinds, template.steps = name, kinds, cleaned
    template.description, template.is_active = description or "", is_active
    template.updated_at = timezone.now()
    template.save()
    return template


def delete_template(actor: User, template: ApprovalTemplate) -> None:
    """Past approvals keep their name and steps; the template link becomes empty."""
    _require_staff(actor)
    template.delete()


# --- request ---------------------------------------------------------------------------------


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
            _("Only service requests and changes wait for approval."),
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
        tickets.record_event(locked, actor, "approval_requested", field="approval", new=name)
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


def link_token(user: User, step: ApprovalStep) -> str:
    return signing.dumps({"u": user.pk, "s": step.pk}, salt=LINK_SALT)


def read_link_token(token: str) -> tuple[int, int]:
    """(user id, step id); raises signing.SignatureExpired or signing.BadSignature."""
    data = signing.loads(token, salt=LINK_SALT, max_age=LINK_MAX_AGE)
    if not isinstance(data, dict) or not {"u", "s"} <= set(data):
        raise signing.BadSignature("Not an approval link")
    return int(data["u"]), int(data["s"])


def link_url(user: User, step: ApprovalStep) -> str:
    path = reverse("approvals:link", args=[link_token(user, step)])
    return settings.SITE_URL.rstrip("/") + path


def _mail_voter(voter: User, step: ApprovalStep, ticket: Ticket) -> None:
    from tuki.mail.outbound import plan_notice

    if not voter.email:
        return
    context = {
        "approver": voter,
        "ticket": ticket,
        "step": step,
        "approval": step.approval,
        "steps_count": step.approval.steps.count(),
        "link": link_url(voter, step),
        "days": LINK_MAX_AGE.days,
    }
    with translation.override(voter.language or settings.LANGUAGE_CODE):
        subject = render_to_string("emails/approval_request_subject.txt", context).strip()
        text = render_to_string("emails/approval_request.txt", context)
    plan_notice(ticket, to_address=voter.email, subject=subject, text=text, what="approval")


REQUESTED_TEXT = gettext_lazy("Your approval is requested: %(number)s %(title)s")
APPROVED_TEXT = gettext_lazy("Approved: %(number)s %(title)s")
REJECTED_TEXT = gettext_lazy("Rejected: %(number)s %(title)s")


def _interpolate(text: Promise, **params: object) -> Promise:
    """Translated when rendered: notifications renders each in its recipient's language."""
    return lazy(lambda: str(text) % params, str)()


def _notify(
    users: list[User],
    ticket: Ticket | None,
    kind: str,
    text: Promise,
    actor: User | None,
    url: str = "",
) -> None:
    """Notifications (tuki.notifications: in the app, and mail by preference)."""
    try:
        from tuki.notifications.services import notify
    except ImportError:  # an install without the notifications app
        return
    users = [u for u in users if u is not None]
    if users:
        notify(users, ticket, kind, text, actor=actor, url=url)


# --- decide ----------------------------------------------------------------------------------


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
    action = "approval_approved" if made.decision == Decision.APPROVE else "approval_rejected"
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
    """Changes go to Scheduled; requests to In progress when someone has them, else Assigned.
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


# --- cancel ----------------------------------------------------------------------------------


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
        ticket, actor, "approval_cancelled", field="approval", new=approval.name, reason=reason
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
