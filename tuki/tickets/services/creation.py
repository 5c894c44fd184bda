"""Registering a ticket and editing its plain fields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from tuki.accounts.models import SupportGroup, User
from tuki.configcache import cache as configcache
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload
from tuki.tickets import fields as custom_fields, reasons
from tuki.tickets.choices import LIVE_CHANNELS
from tuki.tickets.models import ActorKind, Category, Channel, EventAction, Kind, Tag, Ticket
from tuki.tickets.services.attachments import _attach
from tuki.tickets.services.common import (
    _check_version,
    _lock,
    _require_agent,
    _touch,
    _writing,
)
from tuki.tickets.services.events import _event, _last_event
from tuki.tickets.services.kinds import switch_kind
from tuki.tickets.services.workflow import _desk_of, compute_priority, status_by_key


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
    answered_live: bool = False,
    custom: dict[str, Any] | None = None,
    custom_form: Iterable[str] = (),
) -> Ticket:
    """Register a ticket. The registering service desk owns it; the work starts there too.

    `custom`: custom field values ({key: value}, tuki/tickets/fields.py); every bad one is
    refused at once (ServiceErrors, fields "custom.<key>"). A person registering it fills
    in the fields required in "new"; the system (a mail, an alert) is never refused for it.
    `custom_form`: keys of further fields the form offered (a catalogue item's), accepted
    whatever the ticket's kind and category.

    `answered_live`: an agent registers it while talking with the requester on a live
    channel (Log a call: LIVE_CHANNELS); that conversation is the first response, so the
    ticket is answered at registration (`first_response_at` is its creation).
    """
    title = _checked_title(title, cut=actor is None)
    if kind not in Kind.values:
        raise ServiceError(_("Unknown ticket kind."), field="kind", code="invalid_kind")
    if channel not in Channel.values:
        raise ServiceError(_("Unknown channel."), field="channel", code="invalid_channel")
    if actor is not None and not (actor.is_agent or actor.is_superuser):
        # Requesters file for themselves and cannot steer routing or impact.
        if requester.pk != actor.pk:
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
    if answered_live:
        _check_live(actor, channel)
    with configcache.pinned():  # one version of the configuration for the whole creation
        values = (
            custom_fields.clean_values(
                kind,
                category,
                custom,
                partial=False,
                required=("new",) if actor is not None else (),
                requester=actor is not None and not (actor.is_agent or actor.is_superuser),
                extra=custom_form,
            )
            if custom or actor is not None
            else {}
        )
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
            answered_live=answered_live,
            custom={k: v for k, v in values.items() if v is not None},
        )


def _check_live(actor: User | None, channel: str) -> None:
    if actor is None or not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only an agent answers a caller."))
    if channel not in LIVE_CHANNELS:
        raise ServiceError(
            _("Only a phone call is answered while it is registered."),
            field="channel",
            code="not_live",
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
    answered_live: bool = False,
    custom: dict[str, Any] | None = None,
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
            custom=custom or {},
        )
        if answered_live:
            ticket.first_response_at = ticket.created_at
        for relation in ("organisation", "location"):
            field = User._meta.get_field(relation)
            if isinstance(field, models.ForeignKey) and field.is_cached(requester):
                setattr(ticket, relation, getattr(requester, relation))
        ticket.save()
        ticket._creating = True  # type: ignore[attr-defined]  # its events make version 1 (events._event)
        _set_tags(ticket, tags, new=True)
        _event(
            ticket,
            actor,
            EventAction.CREATED,
            new=ticket.get_kind_display(),
            actor_kind=actor_kind,
            reason=reasons.english(reasons.ANSWERED_LIVE) if answered_live else "",
        )
        if group != owner_group:
            _event(ticket, actor, EventAction.ESCALATED, field="group", old=owner_group, new=group)
        _attach(ticket, actor, uploads)
        del ticket._creating  # type: ignore[attr-defined]  # set above
        ticket._last_event_at_commit = _last_event.get()  # type: ignore[attr-defined]  # changed_after_commit's mark, not a field
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


def _checked_title(title: str | None, *, cut: bool) -> str:
    """The stripped title; one too long is refused, or cut for the system (a mail's subject,
    a rule's template), whose work must not fail on it."""
    title = (title or "").strip()
    if not title:
        raise ServiceError(_("A title is required."), field="title", code="required")
    limit = Ticket._meta.get_field("title").max_length or 200
    if cut:
        return title[:limit]
    if len(title) > limit:
        raise ServiceError(
            _("A title has at most %(max)d characters.") % {"max": limit},
            field="title",
            code="max_length",
        )
    return title


# The fields `update_ticket` edits (their labels: FIELD_LABELS in tuki/tickets/models.py).
EDITABLE_FIELDS = frozenset(
    {
        "title",
        "description",
        "impact",
        "urgency",
        "category",
        "kind",
        "restricted",
        "tags",
        "requester",
        "custom",  # {key: value}: custom field values (tuki/tickets/fields.py)
    }
)


def update_ticket(
    actor: User | None,
    ticket: Ticket,
    *,
    reason: str = "",
    expected_version: int | None = None,
    **changes: Any,
) -> Ticket:
    """Edit plain fields; one event per changed field. Priority follows impact × urgency.

    `custom={key: value}` sets custom field values (None clears one); each change is an
    event "custom.<key>"; a bad value refuses the whole edit."""
    _require_agent(actor)
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        field = sorted(unknown)[0]
        raise ServiceError(_("This field cannot be edited."), field=field, code="not_editable")
    custom = changes.pop("custom", None)
    with _writing():
        ticket = _lock(actor, ticket)
        _check_version(ticket, expected_version)
        dirty: list[str] = []
        for field, value in changes.items():
            if field == "tags":
                old_tags = ", ".join(sorted(t.name for t in ticket.tags.all()))
                _set_tags(ticket, value)
                new_tags = ", ".join(sorted(t.name for t in ticket.tags.all()))
                if old_tags != new_tags:
                    _event(
                        ticket, actor, EventAction.FIELD, field="tags", old=old_tags, new=new_tags
                    )
                    dirty.append("updated_at")
                continue
            if field == "title":
                value = _checked_title(value, cut=actor is None)
            if field in ("impact", "urgency") and value not in (1, 2, 3):
                raise ServiceError(_("Choose 1, 2 or 3."), field=field, code="invalid")
            if field == "kind":
                dirty += switch_kind(ticket, actor, value, reason=reason)
                continue
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
                EventAction.FIELD,
                field=field,
                old=_field_display(field, old),
                new=_field_display(field, value),
                reason=reason,
            )
        if "impact" in dirty or "urgency" in dirty:
            new_priority = compute_priority(ticket.impact, ticket.urgency)
            if new_priority != ticket.priority:
                old_priority, ticket.priority = ticket.priority, new_priority
                _event(
                    ticket,
                    actor,
                    EventAction.FIELD,
                    field="priority",
                    old=old_priority,
                    new=new_priority,
                )
                dirty.append("priority")
        if custom:
            dirty += _set_custom(ticket, actor, custom, reason=reason)
        if dirty:
            _touch(ticket, *[f for f in dict.fromkeys(dirty) if f != "updated_at"], bump=True)
    return ticket


def _set_custom(
    ticket: Ticket, actor: User | None, raw: dict[str, Any], *, reason: str
) -> list[str]:
    """Custom values checked all at once (nothing written if one is bad), one event each."""
    if not isinstance(raw, dict):
        raise ServiceError(_("Send the custom fields as an object."), field="custom")
    values = custom_fields.clean_values(
        ticket.kind,
        ticket.category,
        raw,
        partial=True,
        required=(ticket.status.key,),
        current=ticket.custom,
        extra=list(ticket.custom or {}),
    )
    current = dict(ticket.custom or {})
    changed = []
    for key, value in values.items():
        old = current.get(key)
        if old == value:
            continue
        if value is None:
            current.pop(key, None)
        else:
            current[key] = value
        changed.append((key, old, value))
    if not changed:
        return []
    ticket.custom = current
    for key, old, value in changed:
        field = custom_fields.field_by_key(key)
        assert field is not None  # clean_values accepted only known keys
        _event(
            ticket,
            actor,
            EventAction.FIELD,
            field=f"custom.{key}",
            old=custom_fields.event_display(field, old),
            new=custom_fields.event_display(field, value),
            reason=reason,
        )
    return ["custom"]


def _field_display(field: str, value: object) -> object:
    if field == "description":
        return (str(value or "")[:80] + "…") if value and len(str(value)) > 80 else value
    return value
