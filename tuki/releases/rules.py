"""The rules a release and a deployment keep (docs/releases.md, "The rules"), shared by the
stage moves, the workflow guard and the deployment gate. Each costs a fixed number of
queries whatever the number of changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.approvals.models import Approval, State as ApprovalState
from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change, ChangeType
from tuki.releases.models import Release
from tuki.tickets.models import Ticket

# The statuses in which a change or a release may be deployed.
DEPLOYABLE_STATUSES = ("scheduled", "in_progress")


def latest_approvals(ticket_ids: Iterable[int]) -> dict[int, str]:
    """The state of each ticket's latest approval (tickets without one are absent)."""
    ids = list(ticket_ids)
    states: dict[int, str] = {}
    if not ids:
        return states
    rows = (
        Approval.objects.filter(ticket_id__in=ids)
        .order_by("ticket_id", "-created_at", "-id")
        .values_list("ticket_id", "state")
    )
    for ticket_id, state in rows:
        states.setdefault(ticket_id, state)
    return states


def change_is_approved(change: Change, approval_state: str | None) -> bool:
    """Approved through the approvals engine, or a standard change from an approved template
    (its `template` must be loaded)."""
    if change.change_type == ChangeType.STANDARD and change.template_id is not None:
        if change.template is not None and change.template.is_approved:
            return True
    return approval_state == ApprovalState.APPROVED


def change_not_approved_reason(number: str, approval_state: str | None) -> str:
    if approval_state == ApprovalState.PENDING:
        return _("%(number)s is waiting for CAB approval") % {"number": number}
    if approval_state == ApprovalState.REJECTED:
        return _("%(number)s was rejected by its approvers") % {"number": number}
    return _("%(number)s has not been approved") % {"number": number}


def release_approval_reason(number: str, approval_state: str | None) -> str:
    if approval_state == ApprovalState.APPROVED:
        return ""
    if approval_state == ApprovalState.PENDING:
        return _("%(number)s is waiting for its release approval") % {"number": number}
    if approval_state == ApprovalState.REJECTED:
        return _("%(number)s was rejected by its approvers") % {"number": number}
    return _("%(number)s has no release approval: ask for one first") % {"number": number}


def periods_over(
    start: datetime,
    end: datetime,
    ticket_ids: Iterable[int],
    *,
    freezes_only: bool = False,
) -> list[BlackoutPeriod]:
    """The blackout periods (or only the freezes) overlapping [start, end) that hold every
    item or one of the items the tickets name."""
    qs = BlackoutPeriod.objects.filter(starts_at__lt=end, ends_at__gt=start).filter(
        Q(items__isnull=True) | Q(items__affected_by__ticket_id__in=list(ticket_ids))
    )
    if freezes_only:
        qs = qs.filter(kind=BlackoutKind.FREEZE)
    return list(qs.distinct().order_by("starts_at", "pk"))


def _local(moment: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return timezone.localtime(moment).strftime(fmt)


def period_reason(period: BlackoutPeriod) -> str:
    if period.kind == BlackoutKind.FREEZE:
        text = _("release freeze '%(name)s' until %(end)s")
    else:
        text = _("blackout '%(name)s' until %(end)s")
    return text % {"name": period.name, "end": _local(period.ends_at)}


def window_text(start: datetime, end: datetime) -> str:
    same_day = timezone.localtime(start).date() == timezone.localtime(end).date()
    end_text = _local(end, "%H:%M") if same_day else _local(end)
    return f"{_local(start)}–{end_text}"


def deploy_blockers(release: Release, changes: list[Change]) -> list[str]:
    """Why the release may not enter its deploy stage (or the ticket "Scheduled"): its
    approval, each grouped change's approval, its window, and the freezes over its window.
    `changes` with `ticket` and `template` loaded. Empty: it may."""
    number = f"REL-{release.ticket_id}"
    states = latest_approvals([release.ticket_id, *(c.ticket_id for c in changes)])
    reasons: list[str] = []
    approval = release_approval_reason(number, states.get(release.ticket_id))
    if approval:
        reasons.append(approval)
    for change in changes:
        state = states.get(change.ticket_id)
        if not change_is_approved(change, state):
            reasons.append(change_not_approved_reason(f"CHG-{change.ticket_id}", state))
    if release.planned_start is None or release.planned_end is None:
        reasons.append(_("%(number)s has no planned window") % {"number": number})
    else:
        ticket_ids = [release.ticket_id, *(c.ticket_id for c in changes)]
        for period in periods_over(
            release.planned_start, release.planned_end, ticket_ids, freezes_only=True
        ):
            reasons.append(period_reason(period))
    return reasons


def grouped_changes(release: Release) -> list[Change]:
    return list(
        Change.objects.filter(releases=release)
        .select_related("ticket__status", "template")
        .order_by("ticket_id")
    )


def release_of(ticket: Ticket) -> Release:
    """The ticket's release row (made if missing: a ticket switched to release a moment ago)."""
    release, _created = Release.objects.get_or_create(ticket=ticket)
    return release
