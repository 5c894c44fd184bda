"""The change workflow that cannot be skipped (docs/changes.md, "Workflow"): a guard of
tuki/tickets/guards.py, asked by every status move of a change through every door (pages,
API, bulk actions, rules, approvals).

- A normal change reaches Scheduled, In progress, Resolved or Closed only when its latest
  approval (cancelled ones aside) is approved; an emergency change the same, by the
  emergency board (ECAB); a standard change only when it comes from an approved template.
  Cancelled is always open.
- Awaiting approval is entered only with a pending approval ("Request CAB approval").

The guard costs at most three queries.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from tuki.approvals.models import Approval, State
from tuki.changes.models import Change, ChangeSettings, ChangeType, TemplateState
from tuki.lib.errors import ServiceError
from tuki.tickets.models import Kind, StatusCategory

if TYPE_CHECKING:
    from tuki.accounts.models import User
    from tuki.tickets.models import Status, Ticket

AWAITING = "awaiting_approval"
CANCELLED = "cancelled"
GUARDED = frozenset({"scheduled", "in_progress"})
KEY = "changes.approval"


def needs_approval(status: Status) -> bool:
    if status.key == CANCELLED:
        return False
    return status.key in GUARDED or status.category in (
        StatusCategory.RESOLVED,
        StatusCategory.CLOSED,
    )


def _refuse(message: str, code: str) -> None:
    raise ServiceError(message, field="status", code=code)


def check(ticket: Ticket, old: Status, new: Status, actor: User | None) -> None:
    if ticket.kind != Kind.CHANGE:
        return
    if new.key == AWAITING:
        if not Approval.objects.filter(ticket_id=ticket.pk, state=State.PENDING).exists():
            _refuse(
                _(
                    "A change waits for approval only when its advisory board is asked: "
                    "use “Request CAB approval”."
                ),
                "no_pending_approval",
            )
        return
    if not needs_approval(new):
        return
    check_state(ticket, new)


def check_state(ticket: Ticket, target: Status) -> None:
    """Refuse unless the change may be in `target` (a guarded status) now."""
    change = Change.objects.filter(pk=ticket.pk).select_related("template").first()
    change_type = change.change_type if change is not None else ChangeType.NORMAL
    if change_type == ChangeType.STANDARD:
        assert change is not None
        template = change.template
        if template is None or template.state != TemplateState.APPROVED:
            _refuse(_("A standard change comes from an approved template."), "template_required")
        return
    latest = (
        Approval.objects.filter(ticket_id=ticket.pk)
        .exclude(state=State.CANCELLED)
        .order_by("-created_at", "-pk")
        .only("pk", "state", "template_id")
        .first()
    )
    if latest is None or latest.state != State.APPROVED:
        _refuse(
            _("A %(type)s change goes to %(status)s only once its advisory board approved it.")
            % {"type": ChangeType(change_type).label.lower(), "status": target.label},
            "approval_required",
        )
        return
    if change_type == ChangeType.EMERGENCY:
        ecab_id = ChangeSettings.load().ecab_id
        if ecab_id is None or latest.template_id != ecab_id:
            _refuse(
                _("An emergency change must be approved by the emergency advisory board."),
                "ecab_required",
            )


def register() -> None:
    from tuki.tickets import guards

    guards.register(guards.Guard(key=KEY, kinds=(Kind.CHANGE,), check=check))
