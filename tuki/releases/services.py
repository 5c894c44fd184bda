"""Every write of release management (docs/releases.md): releases, their stages and
changes, freezes, and the deployment log. Views, the API and the gate call these.

Stages and the ticket status move together (STATUS_OF_STAGE); the ticket's status moves only
through `tuki.tickets.services`, where the release guard (guards.py) asks the same rules, so
no other door (the ticket page, the API, a bulk action, a rule) skips them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.approvals.models import Approval, State as ApprovalState
from tuki.changes.models import BlackoutKind, BlackoutPeriod, Change
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.errors import ServiceError
from tuki.releases import access, rules
from tuki.releases.models import STAGE_ORDER, Release, ReleaseChange, Stage
from tuki.tickets import services as tickets
from tuki.tickets.models import EventAction, Kind, ResolutionCode, Ticket

# The ticket status a stage puts the release in (docs/releases.md). Build and test keep an
# open ticket ("Assigned": the release workflow has no way from New to In progress); deploy
# is "Scheduled" until the deployment starts (`mark_deployed`: "In progress").
STATUS_OF_STAGE = {
    Stage.BUILD: "assigned",
    Stage.TEST: "assigned",
    Stage.APPROVE: "awaiting_approval",
    Stage.DEPLOY: "scheduled",
    Stage.REVIEW: "resolved",
    Stage.DONE: "closed",
}
# And back: the stage a status move by another door puts the release in (receivers.py).
STAGE_OF_STATUS = {
    "awaiting_approval": Stage.APPROVE,
    "scheduled": Stage.DEPLOY,
    "in_progress": Stage.DEPLOY,
    "resolved": Stage.REVIEW,
    "closed": Stage.DONE,
}
# Which stage may follow which: forward one at a time; back to build or test from test and
# approve (rework before deployment).
NEXT_STAGES = {
    Stage.BUILD: {Stage.TEST},
    Stage.TEST: {Stage.BUILD, Stage.APPROVE},
    Stage.APPROVE: {Stage.BUILD, Stage.TEST, Stage.DEPLOY},
    Stage.DEPLOY: {Stage.REVIEW},
    Stage.REVIEW: {Stage.DONE},
    Stage.DONE: set(),
}
MAX_VERSION = 100
MAX_ENVIRONMENT = 60
MAX_TEXT = 20000


def _require_writer(actor: User, release: Release) -> None:
    if not access.may_change(actor, release):
        raise PermissionDenied(_("You may not change this release."))


def _lock(actor: User, release: Release) -> Release:
    """Re-read the release under a row lock, through what the actor may see."""
    visible = Ticket.objects.visible_to(actor).select_for_update().filter(pk=release.pk)
    if visible.values_list("pk", flat=True).first() is None:
        raise PermissionDenied(_("You cannot see this release."))
    locked = Release.objects.select_for_update().select_related("ticket__status").get(pk=release.pk)
    return locked


def _clean_text(value: Any, field: str, limit: int) -> str:
    text = str(value or "").strip()
    if "\x00" in text:
        raise ServiceError(_("Text may not contain NUL characters."), field=field)
    if len(text) > limit:
        raise ServiceError(
            _("At most %(count)d characters.") % {"count": limit}, field=field, code="too_long"
        )
    return text


def _clean_window(start: datetime | None, end: datetime | None) -> None:
    if (start is None) != (end is None):
        raise ServiceError(
            _("Give both the start and the end of the window."),
            field="planned_end" if end is None else "planned_start",
            code="required",
        )
    if start is not None and end is not None and end <= start:
        raise ServiceError(
            _("The window must end after it starts."), field="planned_end", code="invalid"
        )


def create_release(
    actor: User,
    *,
    title: str,
    version: str = "",
    environment: str = "production",
    planned_start: datetime | None = None,
    planned_end: datetime | None = None,
    description: str = "",
    group: SupportGroup | None = None,
) -> Release:
    """A new release ticket (REL-n) in the build stage, the actor its requester."""
    if not access.may_read(actor):
        raise PermissionDenied(_("Only agents may plan releases."))
    version = _clean_text(version, "version", MAX_VERSION)
    environment = _clean_text(environment, "environment", MAX_ENVIRONMENT) or "production"
    _clean_window(planned_start, planned_end)
    with transaction.atomic():
        ticket = tickets.create_ticket(
            actor,
            title=title,
            requester=actor,
            description=description,
            kind=Kind.RELEASE,
            group=group,
        )
        release = rules.release_of(ticket)
        release.version = version
        release.environment = environment
        release.planned_start, release.planned_end = planned_start, planned_end
        release.updated_at = timezone.now()
        release.save()
        release.ticket = ticket
    return release


EDITABLE = ("version", "environment", "planned_start", "planned_end", "review")


def update_release(actor: User, release: Release, **changes: Any) -> Release:
    """Change the version, environment, window or review. A window cannot move while the
    release is being deployed or after."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ServiceError(_("Unknown field."), field=sorted(unknown)[0], code="unknown")
    _require_writer(actor, release)
    with transaction.atomic():
        locked = _lock(actor, release)
        values: dict[str, Any] = {
            "version": locked.version,
            "environment": locked.environment,
            "planned_start": locked.planned_start,
            "planned_end": locked.planned_end,
            "review": locked.review,
        }
        values.update(changes)
        values["version"] = _clean_text(values["version"], "version", MAX_VERSION)
        values["environment"] = (
            _clean_text(values["environment"], "environment", MAX_ENVIRONMENT) or "production"
        )
        values["review"] = _clean_text(values["review"], "review", MAX_TEXT)
        _clean_window(values["planned_start"], values["planned_end"])
        window_moved = (values["planned_start"], values["planned_end"]) != (
            locked.planned_start,
            locked.planned_end,
        )
        if window_moved and STAGE_ORDER.index(locked.stage) >= STAGE_ORDER.index(Stage.DEPLOY):
            raise ServiceError(
                _("The window cannot move once the release is being deployed."),
                field="planned_start",
                code="locked",
            )
        changed = [k for k, v in values.items() if getattr(locked, k) != v]
        for key in changed:
            setattr(locked, key, values[key])
        if changed:
            locked.updated_at = timezone.now()
            locked.save(update_fields=[*changed, "updated_at"])
            for key in changed:
                if key != "review":
                    tickets.record_event(
                        locked.ticket,
                        actor,
                        EventAction.FIELD,
                        field=f"release_{key}",
                        new=str(values[key] or ""),
                        touch=True,
                    )
    return locked


def _check_stage(locked: Release, stage: str) -> None:
    if stage not in Stage.values:
        raise ServiceError(_("Choose a stage."), field="stage", code="invalid")
    if stage == locked.stage:
        raise ServiceError(_("The release is already in this stage."), field="stage", code="same")
    if stage not in NEXT_STAGES[Stage(locked.stage)]:
        raise ServiceError(
            _("A release cannot go from %(old)s to %(new)s.")
            % {"old": Stage(locked.stage).label, "new": Stage(stage).label},
            field="stage",
            code="stage_not_allowed",
        )
    number = locked.ticket.number
    if stage == Stage.APPROVE:
        latest = rules.latest_approvals([locked.pk]).get(locked.pk)
        if latest not in (ApprovalState.PENDING, ApprovalState.APPROVED):
            raise ServiceError(
                _("Ask for the release's approval first (%(number)s has none pending).")
                % {"number": number},
                field="stage",
                code="approval_required",
            )
    elif stage == Stage.DEPLOY:
        blockers = rules.deploy_blockers(locked, rules.grouped_changes(locked))
        if blockers:
            raise ServiceError("; ".join(blockers), field="stage", code="deploy_blocked")
    elif stage == Stage.REVIEW and locked.deployed_at is None:
        raise ServiceError(
            _("Record the deployment first: the review comes after it."),
            field="stage",
            code="not_deployed",
        )


def _move_status(actor: User, locked: Release, stage: str) -> None:
    ticket = locked.ticket
    target = STATUS_OF_STAGE[Stage(stage)]
    current = ticket.status.key
    if current == target:
        return
    if stage in (Stage.BUILD, Stage.TEST):
        allowed = {s.key for s in tickets.allowed_statuses(ticket)}
        if target in allowed:
            tickets.change_status(actor, ticket, target, reason=_("Release stage"))
        return
    if stage == Stage.APPROVE:
        return  # asking for the approval put it there; an approved one moved it on
    if stage == Stage.REVIEW:
        if current == "scheduled":
            tickets.change_status(actor, ticket, "in_progress", reason=_("Release deployed"))
        tickets.resolve_ticket(
            actor, ticket, code=ResolutionCode.SOLVED, resolution=_("Release deployed")
        )
        return
    if stage == Stage.DONE:
        tickets.close_ticket(actor, ticket)
        return
    allowed = {s.key for s in tickets.allowed_statuses(ticket)}
    if target not in allowed and "awaiting_approval" in allowed:
        # An approved release waits in Assigned; the release workflow reaches Scheduled from
        # Awaiting approval only (the approval is already decided: nothing is asked again).
        tickets.change_status(actor, ticket, "awaiting_approval", reason=_("Release stage"))
        ticket.refresh_from_db()
    tickets.change_status(actor, ticket, target, reason=_("Release stage"))


def move_stage(actor: User, release: Release, stage: str) -> Release:
    """Move the release to `stage` if the rules allow (docs/releases.md, "Stages"); the
    ticket's status follows."""
    _require_writer(actor, release)
    with transaction.atomic():
        locked = _lock(actor, release)
        _check_stage(locked, stage)
        old = locked.stage
        _move_status(actor, locked, stage)
        locked.refresh_from_db(fields=["stage"])
        locked.ticket.refresh_from_db()
        locked.stage = stage
        locked.updated_at = timezone.now()
        locked.save(update_fields=["stage", "updated_at"])
        tickets.record_event(
            locked.ticket,
            actor,
            EventAction.FIELD,
            field="release_stage",
            old=Stage(old).label,
            new=Stage(stage).label,
            touch=True,
        )
    return locked


def mark_deployed(actor: User, release: Release) -> Release:
    """The deployment started (or is done): the ticket goes In progress, `deployed_at` set."""
    _require_writer(actor, release)
    with transaction.atomic():
        locked = _lock(actor, release)
        if locked.stage != Stage.DEPLOY:
            raise ServiceError(
                _("Only a release in its deploy stage can be deployed."),
                field="stage",
                code="not_deploying",
            )
        if locked.deployed_at is not None:
            raise ServiceError(
                _("This release is already deployed."), field="stage", code="already_deployed"
            )
        if locked.ticket.status.key == "scheduled":
            tickets.change_status(actor, locked.ticket, "in_progress", reason=_("Deploying"))
        locked.deployed_at = timezone.now()
        locked.updated_at = locked.deployed_at
        locked.save(update_fields=["deployed_at", "updated_at"])
        tickets.record_event(
            locked.ticket, actor, EventAction.FIELD, field="release_deployed", new="yes", touch=True
        )
    return locked


def _change_for(actor: User, ref: str | Ticket) -> Change:
    """The change the actor may see, by CHG-n, id or ticket; 422 on the field otherwise (its
    title is never shown)."""
    qs = Ticket.objects.visible_to(actor).filter(kind=Kind.CHANGE)
    if isinstance(ref, Ticket):
        ticket = qs.filter(pk=ref.pk).first()
    else:
        parsed = Ticket.parse_number(str(ref).strip())
        pk = parsed[1] if parsed and parsed[0] == Kind.CHANGE else None
        if pk is None and str(ref).strip().isdecimal() and len(str(ref).strip()) < 18:
            pk = int(str(ref).strip())
        ticket = qs.filter(pk=pk).first() if pk is not None else None
    if ticket is None:
        raise ServiceError(_("No change you can see has this number."), field="change")
    change, _created = Change.objects.get_or_create(ticket=ticket)
    return change


def add_change(actor: User, release: Release, ref: str | Ticket) -> ReleaseChange:
    """Group a change into the release (not once it is being deployed)."""
    _require_writer(actor, release)
    with transaction.atomic():
        locked = _lock(actor, release)
        if STAGE_ORDER.index(locked.stage) >= STAGE_ORDER.index(Stage.DEPLOY):
            raise ServiceError(
                _("Changes cannot be added once the release is being deployed."),
                field="change",
                code="locked",
            )
        change = _change_for(actor, ref)
        if ReleaseChange.objects.filter(release=locked, change=change).exists():
            raise ServiceError(
                _("This change is already in the release."), field="change", code="duplicate"
            )
        row = ReleaseChange.objects.create(release=locked, change=change, added_by=actor)
        tickets.record_event(
            locked.ticket,
            actor,
            EventAction.FIELD,
            field="release_changes",
            new=f"+CHG-{change.ticket_id}",
            touch=True,
        )
    return row


def remove_change(actor: User, release: Release, ref: str | Ticket) -> None:
    _require_writer(actor, release)
    with transaction.atomic():
        locked = _lock(actor, release)
        if STAGE_ORDER.index(locked.stage) >= STAGE_ORDER.index(Stage.DEPLOY):
            raise ServiceError(
                _("Changes cannot be removed once the release is being deployed."),
                field="change",
                code="locked",
            )
        change = _change_for(actor, ref)
        deleted, _rows = ReleaseChange.objects.filter(release=locked, change=change).delete()
        if not deleted:
            raise ServiceError(
                _("This change is not in the release."), field="change", code="not_grouped"
            )
        tickets.record_event(
            locked.ticket,
            actor,
            EventAction.FIELD,
            field="release_changes",
            old=f"CHG-{change.ticket_id}",
            new=f"-CHG-{change.ticket_id}",
            touch=True,
        )


# --- freezes ------------------------------------------------------------------------------


def create_freeze(
    actor: User,
    *,
    name: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    reason: str = "",
    items: Iterable[ConfigurationItem] = (),
    allow_emergency: bool = False,
) -> BlackoutPeriod:
    """A release freeze: no release deployed and no change implemented in it (on the items
    named, or everywhere). Staff only."""
    if not access.may_manage_freezes(actor):
        raise PermissionDenied(_("Only administrators plan freezes."))
    name = _clean_text(name, "name", 200)
    if not name:
        raise ServiceError(_("Name the freeze."), field="name", code="required")
    if starts_at is None:
        raise ServiceError(_("When does it start?"), field="starts_at", code="required")
    if ends_at is None:
        raise ServiceError(_("When does it end?"), field="ends_at", code="required")
    if ends_at <= starts_at:
        raise ServiceError(_("A freeze must end after it starts."), field="ends_at")
    reason = _clean_text(reason, "reason", MAX_TEXT)
    with transaction.atomic():
        freeze = BlackoutPeriod(
            name=name,
            kind=BlackoutKind.FREEZE,
            reason=reason,
            starts_at=starts_at,
            ends_at=ends_at,
            allow_emergency=allow_emergency,
            created_by=actor,
        )
        freeze.save()
        if items:
            freeze.items.set(list(items))
    return freeze


def delete_freeze(actor: User, freeze: BlackoutPeriod) -> None:
    if not access.may_manage_freezes(actor):
        raise PermissionDenied(_("Only administrators plan freezes."))
    if freeze.kind != BlackoutKind.FREEZE:
        raise ServiceError(_("This is not a release freeze."), field="freeze", code="not_freeze")
    with transaction.atomic():
        freeze.delete()


def approval_state(release: Release) -> str | None:
    """The state of the release's latest approval, or None."""
    return (
        Approval.objects.filter(ticket_id=release.pk)
        .order_by("-created_at", "-id")
        .values_list("state", flat=True)
        .first()
    )
