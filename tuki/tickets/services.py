"""The only way in: every write to a ticket goes through one function here (DESIGN.md).

Each function checks permission and workflow, writes in one transaction, records events
and schedules follow-up work (notifications) on commit. Errors are `ServiceError`s that
name the field at fault, so forms and the API can show them next to it.
"""

from __future__ import annotations

import contextvars
import hashlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import puremagic
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuki.accounts.models import SupportGroup, User
from tuki.configcache import cache as configcache
from tuki.lib import taskqueue
from tuki.tickets import access, reasons, signals
from tuki.tickets.models import (
    ActorKind,
    Attachment,
    Category,
    Channel,
    Comment,
    Kind,
    LinkType,
    Priority,
    PriorityRule,
    ResolutionCode,
    Status,
    StatusCategory,
    StatusTransition,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile


class ServiceError(Exception):
    """A refused operation: a stable `code`, a translated message and the field at fault."""

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


@dataclass(frozen=True)
class Upload:
    """A file to attach, independent of where it came from (form, API, email)."""

    name: str
    content: bytes

    @classmethod
    def from_uploaded(cls, uploaded: UploadedFile) -> Upload:
        limit = settings.MAX_ATTACHMENT_SIZE
        if uploaded.size is not None and uploaded.size > limit:
            raise _too_big(uploaded.name or "", limit)
        return cls(name=uploaded.name or "attachment", content=uploaded.read())


def _too_big(name: str, limit: int) -> ServiceError:
    return ServiceError(
        _("%(name)s is larger than the limit of %(limit)d MB.")
        % {"name": name, "limit": limit // (1024 * 1024)},
        field="attachments",
        code="attachment_too_large",
    )


# --- helpers ---------------------------------------------------------------------------------


def _statuses() -> dict[str, Status]:
    return configcache.cached("tickets.statuses", lambda: {s.key: s for s in Status.objects.all()})


def status_by_key(key: str) -> Status:
    status = _statuses().get(key)
    if status is None:
        raise ServiceError(_("Unknown status."), field="status", code="unknown_status")
    return configcache.fresh(status)


def _priority_matrix() -> dict[tuple[int, int], int]:
    def load() -> dict[tuple[int, int], int]:
        return {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}

    return configcache.cached("tickets.priority_matrix", load)


def compute_priority(impact: int, urgency: int) -> int:
    priority = _priority_matrix().get((impact, urgency))
    if priority is not None:
        return priority
    # No matrix cell configured: the ITIL default, impact + urgency - 1 clamped to 1..5.
    return max(Priority.CRITICAL, min(Priority.PLANNING, impact + urgency - 1))


def allowed_statuses(ticket: Ticket) -> list[Status]:
    """Statuses this ticket may move to from where it is, in workflow order."""
    return [
        t.to_status
        for t in StatusTransition.objects.filter(kind=ticket.kind, from_status=ticket.status_id)
        .select_related("to_status")
        .order_by("to_status__order")
    ]


def _allowed(ticket: Ticket, target: Status) -> bool:
    return StatusTransition.objects.filter(
        kind=ticket.kind, from_status=ticket.status_id, to_status=target
    ).exists()


def _first_allowed(ticket: Ticket, category: str, prefer: Sequence[str] = ()) -> Status | None:
    candidates = [s for s in allowed_statuses(ticket) if s.category == category]
    for key in prefer:
        for status in candidates:
            if status.key == key:
                return status
    return candidates[0] if candidates else None


@dataclass(frozen=True)
class Acting:
    """Who acts when no person does: an automation rule, an SLA timer, an import."""

    actor_kind: str
    reason: str = ""
    rule_id: int | None = None
    depth: int = 0


_acting: contextvars.ContextVar[Acting | None] = contextvars.ContextVar(
    "tuki_tickets_acting", default=None
)


@contextmanager
def acting_as(
    actor_kind: str, reason: str = "", *, rule_id: int | None = None, depth: int = 0
) -> Iterator[Acting]:
    """Within this block, events recorded with no actor name this actor kind and reason.

    The automation engine wraps a rule's actions in it (actor=None): every change lands in
    the timeline as "rule", with the rule's name as the reason and the rule's id and chain
    depth on the event, which is how the engine refuses to re-trigger a rule or loop.
    """
    acting = Acting(actor_kind, reason, rule_id, depth)
    token = _acting.set(acting)
    try:
        yield acting
    finally:
        _acting.reset(token)


def current_acting() -> Acting | None:
    return _acting.get()


# The last event recorded in this context: after a service returns, tells whether anything
# run on its commit (a rule, a task the immediate backend ran at once) changed a ticket again.
_last_event: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "tuki_tickets_last_event", default=None
)


def changed_after_commit(ticket: Ticket) -> bool:
    """Whether events were recorded after `create_ticket` committed `ticket`: then the
    object it returned is not the stored state and must be read again to be shown."""
    return _last_event.get() != getattr(ticket, "_last_event_at_commit", None)


@contextmanager
def _writing() -> Iterator[None]:
    """A service's transaction.

    The configuration (statuses, SLA policies, webhooks: tuki/configcache/cache.py) is read
    at one version for the whole call. When this block is the whole transaction (no caller's
    transaction around it), `signals.committing` is sent just before the commit, so that
    receivers can write the follow-up work they collected (a queued task) into it, and the
    tasks enqueued through tuki/lib/taskqueue.py meanwhile are written by one INSERT: one
    commit for the change and everything it sets off.
    """
    outermost = not transaction.get_connection().in_atomic_block
    with configcache.pinned(), transaction.atomic():
        if not outermost:
            yield
            return
        with taskqueue.collecting():  # inside the transaction: on-commit work enqueues alone
            yield
            signals.committing.send(sender=Ticket)
            taskqueue.flush()


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    reason: str = "",
    comment: Comment | None = None,
    actor_kind: str = ActorKind.USER,
) -> TicketEvent:
    acting = _acting.get()
    rule_id, depth = None, 0
    if acting is not None and actor is None:
        actor_kind, reason = acting.actor_kind, reason or acting.reason
        rule_id, depth = acting.rule_id, acting.depth
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        actor_kind=actor_kind if actor else (actor_kind or ActorKind.SYSTEM),
        action=action,
        field=field,
        old_value=_display(old)[:300],
        new_value=_display(new)[:300],
        reason=reason,
        comment=comment,
        rule_id=rule_id,
        depth=depth,
    )
    _last_event.set(event.pk)
    signals.event_recorded.send(sender=TicketEvent, event=event)
    transaction.on_commit(lambda: signals.event_committed.send(sender=TicketEvent, event=event))
    return event


def _display(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return value.name  # stored untranslated; the timeline translates on display
    return str(value)


def _lock(actor: User | None, ticket: Ticket) -> Ticket:
    """Re-read the ticket under a row lock, checking the actor may still see it."""
    qs = Ticket.objects.all() if actor is None else Ticket.objects.visible_to(actor)
    locked = qs.select_for_update().filter(pk=ticket.pk).first()
    if locked is None:
        raise PermissionDenied(_("You cannot see this ticket."))
    return Ticket.objects.with_related().get(pk=locked.pk)


def _require_agent(actor: User | None) -> None:
    if actor is not None and not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only agents may do this."))


def _touch(ticket: Ticket, *fields: str) -> None:
    ticket.updated_at = timezone.now()
    ticket.save(update_fields=[*fields, "updated_at"])


def _set_status(
    ticket: Ticket,
    actor: User | None,
    target: Status,
    *,
    reason: str = "",
    actor_kind: str = ActorKind.USER,
) -> list[str]:
    """Move the status and keep the timestamps and counters that follow from it."""
    old = ticket.status
    if old.pk == target.pk:
        return []
    now = timezone.now()
    changed = ["status"]
    if target.category == StatusCategory.RESOLVED:
        ticket.resolved_at = now
        changed.append("resolved_at")
    elif target.category == StatusCategory.CLOSED:
        ticket.closed_at = now
        changed.append("closed_at")
        if not ticket.resolved_at:
            ticket.resolved_at = now
            changed.append("resolved_at")
    if old.category in (StatusCategory.RESOLVED, StatusCategory.CLOSED) and target.is_active:
        ticket.reopen_count += 1
        ticket.resolved_at = None
        ticket.closed_at = None
        changed += ["reopen_count", "resolved_at", "closed_at"]
    ticket.status = target
    _event(
        ticket,
        actor,
        "status",
        field="status",
        old=old,
        new=target,
        reason=reason,
        actor_kind=actor_kind,
    )
    return changed


def _desks() -> list[tuple[SupportGroup, frozenset[int]]]:
    """The service desk groups in their usual order (tier, name), each with its members."""

    def load() -> list[tuple[SupportGroup, frozenset[int]]]:
        groups = SupportGroup.objects.filter(tier=SupportGroup.Tier.SERVICE_DESK)
        members: dict[int, set[int]] = {}
        through = SupportGroup.members.through
        for group_id, user_id in through.objects.filter(supportgroup__in=groups).values_list(
            "supportgroup_id", "user_id"
        ):
            members.setdefault(group_id, set()).add(user_id)
        return [(g, frozenset(members.get(g.pk, ()))) for g in groups]

    return configcache.cached("tickets.service_desks", load)


def default_service_desk() -> SupportGroup:
    for group, _members in _desks():
        if group.is_active:
            return configcache.fresh(group)
    raise ServiceError(
        _("No service desk group is configured."), field="group", code="no_service_desk"
    )


def _desk_of(actor: User | None) -> SupportGroup:
    if actor is not None and (actor.is_agent or actor.is_superuser):
        for group, members in _desks():
            if actor.pk in members:
                return configcache.fresh(group)
    return default_service_desk()


def _attach(
    ticket: Ticket,
    actor: User | None,
    uploads: Iterable[Upload],
    comment: Comment | None = None,
    internal: bool = False,
) -> list[Attachment]:
    saved = []
    limit = settings.MAX_ATTACHMENT_SIZE
    for upload in uploads:
        if len(upload.content) > limit:
            raise _too_big(upload.name, limit)
        digest = hashlib.sha256(upload.content).hexdigest()
        attachment = Attachment(
            ticket=ticket,
            comment=comment,
            filename=upload.name[:255] or "attachment",
            content_type=_sniff(upload),
            size=len(upload.content),
            sha256=digest,
            is_internal=internal,
            uploaded_by=actor,
        )
        attachment.file.save(digest, ContentFile(upload.content), save=False)
        attachment.save()
        _event(ticket, actor, "attachment", new=attachment.filename, comment=comment)
        saved.append(attachment)
    return saved


def _sniff(upload: Upload) -> str:
    """The type from the file's bytes, not from what the sender claims."""
    if not upload.content:
        return "application/octet-stream"
    try:
        mime = puremagic.from_string(upload.content, mime=True, filename=upload.name)
    except (puremagic.PureError, ValueError):
        mime = ""
    if not mime:
        try:
            upload.content[:4096].decode("utf-8")
            return "text/plain"
        except UnicodeDecodeError:
            return "application/octet-stream"
    return mime


# --- create and edit -----------------------------------------------------------------------


def create_ticket(
    actor: User | None,
    *,
    title: str,
    requester: User,
    description: str = "",
    kind: str = Kind.INCIDENT,
    category: Category | None = None,
    impact: int | None = None,
    urgency: int | None = None,
    channel: str = Channel.WEB,
    group: SupportGroup | None = None,
    assignee: User | None = None,
    tags: Iterable[str] = (),
    restricted: bool = False,
    uploads: Iterable[Upload] = (),
    actor_kind: str = ActorKind.USER,
) -> Ticket:
    """Register a ticket. The registering service desk owns it; the work starts there too."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("A title is required."), field="title", code="required")
    if kind not in Kind.values:
        raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
    if channel not in Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid_channel")
    is_agent = actor is None or actor.is_agent or actor.is_superuser
    if not is_agent:
        # Requesters file for themselves and cannot steer routing or impact.
        if requester.pk != actor.pk:  # type: ignore[union-attr]
            raise PermissionDenied(_("You can only file tickets for yourself."))
        group, assignee, restricted, impact = None, None, False, None
    impact = impact or 3
    urgency = urgency or 2
    if impact not in (1, 2, 3):
        raise ServiceError(_("Impact must be 1, 2 or 3."), field="impact", code="invalid")
    if urgency not in (1, 2, 3):
        raise ServiceError(_("Urgency must be 1, 2 or 3."), field="urgency", code="invalid")
    if not requester.is_active:
        raise ServiceError(_("The requester is inactive."), field="requester", code="inactive")
    with configcache.pinned():  # one version of the configuration for the whole creation
        return _create(
            actor,
            kind=kind,
            title=title,
            description=description,
            impact=impact,
            urgency=urgency,
            category=category,
            channel=channel,
            requester=requester,
            group=group,
            assignee=assignee,
            restricted=restricted,
            tags=tags,
            uploads=uploads,
            actor_kind=actor_kind,
        )


def _create(
    actor: User | None,
    *,
    kind: str,
    title: str,
    description: str,
    impact: int,
    urgency: int,
    category: Category | None,
    channel: str,
    requester: User,
    group: SupportGroup | None,
    assignee: User | None,
    restricted: bool,
    tags: Iterable[str],
    uploads: Iterable[Upload],
    actor_kind: str,
) -> Ticket:
    owner_group = _desk_of(actor)
    group = group or owner_group
    if assignee is not None and not group.members.filter(pk=assignee.pk).exists():
        raise ServiceError(
            _("%(user)s is not a member of %(group)s.") % {"user": assignee, "group": group},
            field="assignee",
            code="not_member",
        )
    with _writing():
        ticket = Ticket(
            kind=kind,
            title=title[:200],
            description=description or "",
            status=status_by_key("assigned" if assignee or group != owner_group else "new"),
            impact=impact,
            urgency=urgency,
            priority=compute_priority(impact, urgency),
            category=category,
            channel=channel,
            requester=requester,
            # By id: the requester's organisation and office rows are not needed to write.
            organisation_id=requester.organisation_id,
            location_id=requester.location_id,
            owner_group=owner_group,
            owner=actor if actor is not None and actor.is_agent else None,
            group=group,
            assignee=assignee,
            restricted=restricted,
            created_by=actor,
        )
        for relation in ("organisation", "location"):
            if User._meta.get_field(relation).is_cached(requester):
                setattr(ticket, relation, getattr(requester, relation))
        ticket.save()
        _set_tags(ticket, tags, new=True)
        _event(ticket, actor, "created", new=ticket.get_kind_display(), actor_kind=actor_kind)
        if group != owner_group:
            _event(ticket, actor, "escalated", field="group", old=owner_group, new=group)
        _attach(ticket, actor, uploads)
        ticket._last_event_at_commit = _last_event.get()  # type: ignore[attr-defined]
    return ticket


def _set_tags(ticket: Ticket, names: Iterable[str], *, new: bool = False) -> None:
    clean = sorted({n.strip().lower()[:50] for n in names if n and n.strip()})
    if new and not clean:
        return  # a new ticket has no tags to remove: no query
    tags = []
    for name in clean:
        tag, _created = Tag.objects.get_or_create(name=name)
        tags.append(tag)
    ticket.tags.set(tags)


EDITABLE_FIELDS = {
    "title": gettext_lazy("title"),
    "description": gettext_lazy("description"),
    "impact": gettext_lazy("impact"),
    "urgency": gettext_lazy("urgency"),
    "category": gettext_lazy("category"),
    "kind": gettext_lazy("kind"),
    "restricted": gettext_lazy("restricted"),
    "tags": gettext_lazy("tags"),
    "requester": gettext_lazy("requester"),
}


def update_ticket(
    actor: User | None, ticket: Ticket, *, reason: str = "", **changes: Any
) -> Ticket:
    """Edit plain fields; one event per changed field. Priority follows impact × urgency."""
    _require_agent(actor)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(_("This field cannot be edited."), field=field, code="not_editable")
    with _writing():
        ticket = _lock(actor, ticket)
        dirty: list[str] = []
        for field, value in changes.items():
            if field == "tags":
                old_tags = ", ".join(sorted(t.name for t in ticket.tags.all()))
                _set_tags(ticket, value)
                new_tags = ", ".join(sorted(t.name for t in ticket.tags.all()))
                if old_tags != new_tags:
                    _event(ticket, actor, "field", field="tags", old=old_tags, new=new_tags)
                    dirty.append("updated_at")
                continue
            if field == "title":
                value = (value or "").strip()
                if not value:
                    raise ServiceError(_("A title is required."), field="title", code="required")
                value = value[:200]
            if field in ("impact", "urgency") and value not in (1, 2, 3):
                raise ServiceError(_("Choose 1, 2 or 3."), field=field, code="invalid")
            if field == "kind" and value not in Kind.values:
                raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
            old = getattr(ticket, field)
            if old == value:
                continue
            setattr(ticket, field, value)
            dirty.append(field)
            if field == "requester":
                # Before the event: receivers of event_recorded read the up-to-date ticket.
                ticket.organisation = value.organisation
                dirty.append("organisation")
            _event(
                ticket,
                actor,
                "field",
                field=field,
                old=_field_display(field, old),
                new=_field_display(field, value),
                reason=reason,
            )
        if "impact" in dirty or "urgency" in dirty:
            new_priority = compute_priority(ticket.impact, ticket.urgency)
            if new_priority != ticket.priority:
                old_priority, ticket.priority = ticket.priority, new_priority
                _event(ticket, actor, "field", field="priority", old=old_priority, new=new_priority)
                dirty.append("priority")
        if dirty:
            _touch(ticket, *[f for f in dict.fromkeys(dirty) if f != "updated_at"])
    return ticket


def _field_display(field: str, value: object) -> object:
    if field == "description":
        return (str(value or "")[:80] + "…") if value and len(str(value)) > 80 else value
    return value


# --- conversation --------------------------------------------------------------------------


def add_comment(
    actor: User | None,
    ticket: Ticket,
    body: str,
    *,
    internal: bool = False,
    channel: str = Channel.WEB,
    uploads: Iterable[Upload] = (),
    actor_kind: str = ActorKind.USER,
    author: User | None = None,
) -> Comment:
    """A public reply or an internal note. Requesters' replies wake a ticket waiting on them."""
    body = (body or "").strip()
    uploads = list(uploads)
    if not body and not uploads:
        raise ServiceError(_("Write something first."), field="body", code="required")
    author = author or actor
    if actor is not None:
        if internal and not access.can_note(actor, ticket):
            raise PermissionDenied(_("Only agents may add internal notes."))
        if not internal and not access.can_reply_publicly(actor, ticket):
            raise ServiceError(
                _("Your group may not write to requesters; add an internal note instead."),
                field="internal",
                code="no_public_reply",
            )
    with _writing():
        ticket = _lock(actor, ticket)
        if ticket.merged_into_id and not internal:
            raise ServiceError(
                _("This ticket was merged into %(number)s; reply there.")
                % {"number": ticket.merged_into.number},  # type: ignore[union-attr]
                field="body",
                code="merged",
            )
        comment = Comment.objects.create(
            ticket=ticket, author=author, body=body, is_internal=internal, channel=channel
        )
        _event(
            ticket, author, "note" if internal else "reply", comment=comment, actor_kind=actor_kind
        )
        _attach(ticket, author, uploads, comment=comment, internal=internal)
        fields: list[str] = []
        from_requester = author is not None and not (author.is_agent or author.is_superuser)
        if not internal and not from_requester and ticket.first_response_at is None:
            ticket.first_response_at = comment.created_at
            fields.append("first_response_at")
        if from_requester and ticket.status.category == StatusCategory.PENDING:
            target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("in_progress", "assigned"))
            if target:
                fields += _set_status(ticket, author, target, reason=reasons.REQUESTER_REPLIED)
        _touch(ticket, *fields)
    return comment


def add_attachments(
    actor: User, ticket: Ticket, uploads: Iterable[Upload], *, internal: bool = False
) -> list[Attachment]:
    if internal:
        _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        saved = _attach(ticket, actor, uploads, internal=internal)
        _touch(ticket)
    return saved


# --- routing -------------------------------------------------------------------------------


def assign_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    assignee: User | None,
    group: SupportGroup | None = None,
    reason: str = "",
) -> Ticket:
    """Give the work to a person (in the current or a given group), or unassign it."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        target_group = group or ticket.group
        if assignee is not None:
            if not (assignee.is_agent or assignee.is_superuser) or not assignee.is_active:
                raise ServiceError(
                    _("Only active agents can be assigned."), field="assignee", code="not_agent"
                )
            if not target_group.members.filter(pk=assignee.pk).exists():
                raise ServiceError(
                    _("%(user)s is not a member of %(group)s.")
                    % {"user": assignee, "group": target_group},
                    field="assignee",
                    code="not_member",
                )
        fields: list[str] = []
        if target_group != ticket.group:
            fields += _move_group(ticket, actor, target_group, reason)
        if assignee != ticket.assignee:
            _event(
                ticket,
                actor,
                "assigned",
                field="assignee",
                old=ticket.assignee,
                new=assignee,
                reason=reason,
            )
            ticket.assignee = assignee
            fields.append("assignee")
            if ticket.status.category == StatusCategory.NEW:
                target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("assigned",))
                if target:
                    fields += _set_status(ticket, actor, target)
        if fields:
            _touch(ticket, *dict.fromkeys(fields))
    return ticket


def take_ticket(actor: User, ticket: Ticket) -> Ticket:
    """Pick up a ticket from one's group queue: assign to oneself and start work."""
    _require_agent(actor)
    with _writing():
        ticket = assign_ticket(actor, ticket, assignee=actor)
        if ticket.status.key != "in_progress":
            target = status_by_key("in_progress")
            if _allowed(ticket, target):
                fields = _set_status(ticket, actor, target)
                _touch(ticket, *fields)
    return ticket


def _move_group(ticket: Ticket, actor: User | None, group: SupportGroup, reason: str) -> list[str]:
    if not group.is_active:
        raise ServiceError(_("This group is inactive."), field="group", code="inactive_group")
    old = ticket.group
    # Moved before the event: receivers of event_recorded read the up-to-date ticket.
    ticket.group = group
    ticket.reassignment_count += 1
    _event(
        ticket,
        actor,
        "escalated" if group.tier > old.tier else "group",
        field="group",
        old=old,
        new=group,
        reason=reason,
    )
    return ["group", "reassignment_count"]


def escalate_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    group: SupportGroup | None = None,
    to_manager: bool = False,
    reason: str = "",
) -> Ticket:
    """Functional escalation moves the work to a group (ownership stays with the desk);
    hierarchical escalation brings in the manager of the group working the ticket."""
    _require_agent(actor)
    if group is None and not to_manager:
        raise ServiceError(_("Choose a group to escalate to."), field="group", code="required")
    with _writing():
        ticket = _lock(actor, ticket)
        if not ticket.is_active:
            raise ServiceError(
                _("Only active tickets can be escalated."), field="status", code="not_active"
            )
        fields: list[str] = []
        if group is not None and group != ticket.group:
            fields += _move_group(ticket, actor, group, reason)
            if ticket.assignee_id:
                _event(ticket, actor, "assigned", field="assignee", old=ticket.assignee, new="")
                ticket.assignee = None
                fields.append("assignee")
            if ticket.status.key != "assigned":
                target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("assigned",))
                if target:
                    fields += _set_status(ticket, actor, target)
        if to_manager:
            manager = ticket.group.manager or (actor.manager if actor else None)
            if manager is None:
                raise ServiceError(
                    _("%(group)s has no manager to escalate to.") % {"group": ticket.group},
                    field="to_manager",
                    code="no_manager",
                )
            _event(
                ticket,
                actor,
                "escalated_manager",
                field="escalated_to",
                old=ticket.escalated_to,
                new=manager,
                reason=reason,
            )
            ticket.escalated_to = manager
            ticket.watchers.add(manager)
            fields.append("escalated_to")
        if fields:
            _touch(ticket, *dict.fromkeys(fields))
    return ticket


# --- status --------------------------------------------------------------------------------


def change_status(
    actor: User | None, ticket: Ticket, status: Status | str, *, reason: str = ""
) -> Ticket:
    """Move along the kind's workflow. Resolving needs `resolve_ticket` (it asks for a code)."""
    _require_agent(actor)
    target = status_by_key(status) if isinstance(status, str) else status
    if target.category == StatusCategory.RESOLVED:
        return resolve_ticket(actor, ticket, code=ResolutionCode.SOLVED, resolution=reason)
    with _writing():
        ticket = _lock(actor, ticket)
        if not _allowed(ticket, target):
            raise ServiceError(
                _("A %(kind)s cannot go from %(old)s to %(new)s.")
                % {
                    "kind": ticket.get_kind_display().lower(),
                    "old": ticket.status.label,
                    "new": target.label,
                },
                field="status",
                code="transition_not_allowed",
            )
        fields = _set_status(ticket, actor, target, reason=reason)
        _touch(ticket, *fields)
    return ticket


def resolve_ticket(
    actor: User | None, ticket: Ticket, *, code: str, resolution: str = "", notify: bool = True
) -> Ticket:
    """Record the resolution; the owning desk then confirms with the requester."""
    _require_agent(actor)
    if code not in ResolutionCode.values:
        raise ServiceError(_("Choose a resolution code."), field="code", code="required")
    with _writing():
        ticket = _lock(actor, ticket)
        target = _first_allowed(ticket, StatusCategory.RESOLVED)
        if target is None:
            raise ServiceError(
                _("A %(kind)s in %(status)s cannot be resolved.")
                % {"kind": ticket.get_kind_display().lower(), "status": ticket.status.label},
                field="status",
                code="transition_not_allowed",
            )
        fields = _set_status(ticket, actor, target, reason=resolution)
        _event(
            ticket,
            actor,
            "resolution",
            field="resolution_code",
            old=ticket.resolution_code,
            new=code,
            reason=resolution,
        )
        ticket.resolution_code = code
        ticket.resolution = resolution
        _touch(ticket, *fields, "resolution_code", "resolution")
    return ticket


def reopen_ticket(
    actor: User | None, ticket: Ticket, *, reason: str = "", allow_closed: bool = False
) -> Ticket:
    """The issue is back: return the ticket to the group that resolved it.

    `allow_closed` (a mailbox set to reopen closed tickets on a reply) also reopens a closed
    ticket, to where its workflow allows or else to where a resolved ticket would go."""
    reopenable = (StatusCategory.RESOLVED, StatusCategory.CLOSED) if allow_closed else ()
    with _writing():
        ticket = _lock(actor, ticket)
        if ticket.status.category != StatusCategory.RESOLVED and (
            ticket.status.category not in reopenable
        ):
            raise ServiceError(
                _("Only resolved tickets can be reopened."), field="status", code="not_resolved"
            )
        target = _first_allowed(ticket, StatusCategory.OPEN, prefer=("in_progress", "assigned"))
        if target is None and ticket.status.category == StatusCategory.CLOSED:
            target = _reopen_target_of_closed(ticket)
        if target is None:
            raise ServiceError(
                _("This workflow does not allow reopening."),
                field="status",
                code="transition_not_allowed",
            )
        fields = _set_status(ticket, actor, target, reason=reason)
        if reason:
            comment = Comment.objects.create(
                ticket=ticket,
                author=actor,
                body=reason,
                is_internal=bool(actor and actor.is_agent),
            )
            _event(ticket, actor, "reply" if not comment.is_internal else "note", comment=comment)
        _touch(ticket, *fields)
    return ticket


def _reopen_target_of_closed(ticket: Ticket) -> Status | None:
    # Most workflows have no way out of Closed; reopen to where Resolved would go.
    resolved = Status.objects.filter(category=StatusCategory.RESOLVED).order_by("order").first()
    moves = StatusTransition.objects.filter(
        kind=ticket.kind, from_status=resolved, to_status__category=StatusCategory.OPEN
    ).select_related("to_status")
    targets = {t.to_status.key: t.to_status for t in moves}
    for key in ("in_progress", "assigned"):
        if key in targets:
            return targets[key]
    return next(iter(targets.values()), None)


def close_ticket(actor: User | None, ticket: Ticket, *, comment: str = "") -> Ticket:
    """Close a resolved ticket: the requester confirms, or the desk closes it."""
    with _writing():
        ticket = _lock(actor, ticket)
        if ticket.status.category != StatusCategory.RESOLVED and (
            actor is not None and not actor.is_agent and not actor.is_superuser
        ):
            raise ServiceError(
                _("Only resolved tickets can be confirmed."), field="status", code="not_resolved"
            )
        target = _first_allowed(ticket, StatusCategory.CLOSED, prefer=("closed",))
        if target is None:
            raise ServiceError(
                _("A %(kind)s in %(status)s cannot be closed.")
                % {"kind": ticket.get_kind_display().lower(), "status": ticket.status.label},
                field="status",
                code="transition_not_allowed",
            )
        if comment.strip():
            note = Comment.objects.create(
                ticket=ticket, author=actor, body=comment.strip(), is_internal=False
            )
            _event(ticket, actor, "reply", comment=note)
        fields = _set_status(
            ticket,
            actor,
            target,
            reason=reasons.RESOLUTION_CONFIRMED if actor and not actor.is_agent else "",
        )
        _touch(ticket, *fields)
    return ticket


# --- watchers --------------------------------------------------------------------------------


def add_watchers(
    actor: User | None,
    ticket: Ticket,
    users: Iterable[User],
    *,
    actor_kind: str = ActorKind.USER,
) -> list[User]:
    """People who follow a ticket (e.g. Cc'd on an email); one event per new watcher."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        current = set(ticket.watchers.values_list("pk", flat=True))
        added = [
            user
            for user in dict.fromkeys(users)
            if user.is_active and user.pk not in current and user.pk != ticket.requester_id
        ]
        for user in added:
            ticket.watchers.add(user)
            _event(ticket, actor, "field", field="watchers", new=user, actor_kind=actor_kind)
        if added:
            _touch(ticket)
    return added


def remove_watcher(actor: User | None, ticket: Ticket, user: User) -> bool:
    """Stop someone following a ticket: agents may remove anyone, people themselves.
    False when they were not watching (nothing recorded)."""
    if actor is not None and actor.pk != user.pk:
        _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        if not ticket.watchers.filter(pk=user.pk).exists():
            return False
        ticket.watchers.remove(user)
        _event(ticket, actor, "field", field="watchers", old=user)
        _touch(ticket)
    return True


# --- SLA -------------------------------------------------------------------------------------


def record_sla_event(
    ticket: Ticket, action: str, *, field: str = "", old: object = "", new: object = ""
) -> TicketEvent:
    """A warning or breach of an SLA clock, in the timeline (actor kind "sla").

    The sla app calls it (tickets never imports sla); other apps follow it as any event.
    The caller holds a transaction.
    """
    return _event(ticket, None, action, field=field, old=old, new=new, actor_kind=ActorKind.SLA)


def record_event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
    reason: str = "",
) -> TicketEvent:
    """An event another app records about a ticket it acted on (approvals: requested,
    approved, rejected), in the timeline and announced like any other. The caller holds a
    transaction; with actor=None inside `acting_as`, the rule (or system) is the actor."""
    return _event(ticket, actor, action, field=field, old=old, new=new, reason=reason)


# --- links and merge -----------------------------------------------------------------------


def link_tickets(actor: User, source: Ticket, target: Ticket, link_type: str) -> TicketLink:
    _require_agent(actor)
    if link_type not in LinkType.values:
        raise ServiceError(_("Unknown link type."), field="type", code="invalid")
    if source.pk == target.pk:
        raise ServiceError(
            _("A ticket cannot be linked to itself."), field="target", code="self_link"
        )
    with _writing():
        source = _lock(actor, source)
        target = _lock(actor, target)
        link, created = TicketLink.objects.get_or_create(
            source=source, target=target, type=link_type, defaults={"created_by": actor}
        )
        if created:
            _event(source, actor, "linked", field=link_type, new=target.number)
            _event(target, actor, "linked_from", field=link_type, new=source.number)
            _touch(source)
            _touch(target)
    return link


def unlink_tickets(actor: User, link: TicketLink) -> None:
    _require_agent(actor)
    with _writing():
        source = _lock(actor, link.source)
        target = _lock(actor, link.target)
        _event(source, actor, "unlinked", field=link.type, old=target.number)
        _event(target, actor, "unlinked", field=link.type, old=source.number)
        link.delete()


def merge_tickets(actor: User, duplicate: Ticket, into: Ticket, *, reason: str = "") -> Ticket:
    """Close `duplicate` as a duplicate of `into`; its requester follows `into` as a watcher."""
    _require_agent(actor)
    if duplicate.pk == into.pk:
        raise ServiceError(
            _("A ticket cannot be merged into itself."), field="target", code="self_merge"
        )
    with _writing():
        duplicate = _lock(actor, duplicate)
        into = _lock(actor, into)
        if not into.is_active:
            raise ServiceError(
                _("Merge into an active ticket."), field="target", code="target_not_active"
            )
        if duplicate.merged_into_id:
            raise ServiceError(
                _("This ticket is already merged."), field="source", code="already_merged"
            )
        TicketLink.objects.get_or_create(
            source=duplicate,
            target=into,
            type=LinkType.DUPLICATE_OF,
            defaults={"created_by": actor},
        )
        closed = Status.objects.filter(category=StatusCategory.CLOSED, key="closed").first()
        fields: list[str] = []
        if closed and duplicate.status_id != closed.pk:
            fields += _set_status(duplicate, actor, closed, reason=reason)
        duplicate.merged_into = into
        duplicate.resolution_code = ResolutionCode.DUPLICATE
        _event(duplicate, actor, "merged", field="merged_into", new=into.number, reason=reason)
        _touch(duplicate, *fields, "merged_into", "resolution_code")
        if duplicate.requester_id != into.requester_id:
            into.watchers.add(duplicate.requester)
        note = Comment.objects.create(
            ticket=into,
            author=actor,
            is_internal=True,
            body=_("Merged %(number)s: %(title)s\n\n%(description)s")
            % {
                "number": duplicate.number,
                "title": duplicate.title,
                "description": duplicate.description,
            },
        )
        _event(into, actor, "merged_from", field="merged", new=duplicate.number, comment=note)
        _touch(into)
    return into


# --- bulk ----------------------------------------------------------------------------------


def bulk_apply(
    actor: User, tickets: Iterable[Ticket], action: str, **kwargs: Any
) -> tuple[int, list[tuple[Ticket, str]]]:
    """Apply one service to many tickets; each is its own transaction. Returns done, failures."""
    done, failed = 0, []
    for ticket in tickets:
        try:
            if action == "assign":
                assign_ticket(actor, ticket, **kwargs)
            elif action == "close":
                close_ticket(actor, ticket)
            else:
                raise ServiceError(_("Unknown action."), field="action", code="invalid")
            done += 1
        except (ServiceError, PermissionDenied) as exc:
            failed.append((ticket, getattr(exc, "message", str(exc))))
    return done, failed
