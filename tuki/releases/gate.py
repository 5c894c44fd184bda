"""The deployment gate (docs/releases.md, "The deployment gate"): a pipeline asks whether
a change or a release may be deployed now; the answer is recorded (Deployment) and signed.

Allowed only when the change (or the release and every change it groups) is approved (or a
standard change from an approved template), its ticket is Scheduled or In progress, now is
inside its planned window, and no blackout or release freeze covers it. A number the caller
may not see is refused the same way as one that does not exist: nothing of it is told.

A fixed number of queries whatever the number of changes: the ticket, the changes (a
release), the approvals, the blackout periods, the insert.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.changes.models import Change, ChangeType
from tuki.releases import rules, signing
from tuki.releases.models import Deployment, Release
from tuki.tickets.models import Kind, Ticket


@dataclass
class Question:
    subject: str  # "CHG-12" or "REL-7" as asked
    environment: str = ""
    pipeline: str = ""
    ref: str = ""


def _window(start: datetime | None, end: datetime | None) -> dict[str, str | None]:
    return {
        "start": start.isoformat() if start else None,
        "end": end.isoformat() if end else None,
    }


def _check_window(number: str, start: datetime | None, end: datetime | None, now: datetime) -> str:
    if start is None or end is None:
        return _("%(number)s has no planned window") % {"number": number}
    if not (start <= now < end):
        return _("%(number)s is outside its window %(window)s") % {
            "number": number,
            "window": rules.window_text(start, end),
        }
    return ""


def _check_status(number: str, ticket: Ticket) -> str:
    if ticket.status.key in rules.DEPLOYABLE_STATUSES:
        return ""
    return _("%(number)s is not scheduled (its status is %(status)s)") % {
        "number": number,
        "status": ticket.status.label,
    }


def _periods(now: datetime, ticket_ids: list[int], emergency: bool) -> list[str]:
    reasons = []
    for period in rules.periods_over(now, now + timedelta(microseconds=1), ticket_ids):
        if emergency and period.allow_emergency:
            continue
        reasons.append(rules.period_reason(period))
    return reasons


def _judge_change(ticket: Ticket, now: datetime) -> tuple[list[str], Change | None]:
    number = ticket.number
    change = getattr(ticket, "change", None)
    if change is None:
        return [_("%(number)s has no change plan") % {"number": number}], None
    state = rules.latest_approvals([ticket.pk]).get(ticket.pk)
    reasons = []
    if not rules.change_is_approved(change, state):
        reasons.append(rules.change_not_approved_reason(number, state))
    reasons.append(_check_status(number, ticket))
    reasons.append(_check_window(number, change.planned_start, change.planned_end, now))
    reasons += _periods(now, [ticket.pk], change.change_type == ChangeType.EMERGENCY)
    return [r for r in reasons if r], change


def _judge_release(ticket: Ticket, now: datetime) -> tuple[list[str], Release | None]:
    number = ticket.number
    release = getattr(ticket, "release", None)
    if release is None:
        return [_("%(number)s is not a release you can see") % {"number": number}], None
    changes = rules.grouped_changes(release)
    states = rules.latest_approvals([ticket.pk, *(c.ticket_id for c in changes)])
    reasons = [rules.release_approval_reason(number, states.get(ticket.pk))]
    for change in changes:
        state = states.get(change.ticket_id)
        if not rules.change_is_approved(change, state):
            reasons.append(rules.change_not_approved_reason(f"CHG-{change.ticket_id}", state))
    reasons.append(_check_status(number, ticket))
    reasons.append(_check_window(number, release.planned_start, release.planned_end, now))
    reasons += _periods(now, [ticket.pk, *(c.ticket_id for c in changes)], False)
    return [r for r in reasons if r], release


def ask(user: User, question: Question) -> dict[str, Any]:
    """Judge, record and sign; the answer as the API returns it."""
    now = timezone.now()
    subject = question.subject.strip()[:40]
    parsed = Ticket.parse_number(subject)
    kind = parsed[0] if parsed else None
    ticket = None
    if parsed and kind in (Kind.CHANGE, Kind.RELEASE) and (user.is_agent or user.is_superuser):
        related = "change__template" if kind == Kind.CHANGE else "release"
        ticket = (
            Ticket.objects.visible_to(user)
            .select_related("status", related)
            .filter(kind=kind, pk=parsed[1])
            .first()
        )
    change: Change | None = None
    release: Release | None = None
    window: dict[str, str | None] = _window(None, None)
    if ticket is None:
        reasons = [
            _("%(number)s is not a change or release you can see") % {"number": subject or "?"}
        ]
    elif kind == Kind.CHANGE:
        reasons, change = _judge_change(ticket, now)
        if change is not None:
            window = _window(change.planned_start, change.planned_end)
    else:
        reasons, release = _judge_release(ticket, now)
        if release is not None:
            window = _window(release.planned_start, release.planned_end)
    allowed = not reasons
    reason = _("Allowed") if allowed else "; ".join(reasons)
    answer: dict[str, Any] = {
        "allowed": allowed,
        "reason": reason,
        "change": subject if kind != Kind.RELEASE else None,
        "release": subject if kind == Kind.RELEASE else None,
        "environment": question.environment,
        "pipeline": question.pipeline,
        "ref": question.ref,
        "window": window,
        "checked_at": now.isoformat(),
        "key_id": signing.key_id(),
    }
    answer["signature"] = signing.sign(answer)
    Deployment.objects.create(
        release=release,
        change=change,
        subject=subject,
        environment=question.environment[:60],
        pipeline=question.pipeline[:200],
        ref=question.ref[:200],
        requested_by=user,
        requested_at=now,
        allowed=allowed,
        reason=reason,
        signature=answer["signature"],
        key_id=answer["key_id"],
    )
    return answer
