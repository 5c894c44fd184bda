"""Links between tickets, and merging a duplicate into another ticket."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.tickets.models import (
    Comment,
    EventAction,
    LinkType,
    ResolutionCode,
    Status,
    StatusCategory,
    Ticket,
    TicketLink,
)
from tuki.tickets.services.common import (
    _check_version,
    _lock,
    _require_agent,
    _touch,
    _writing,
)
from tuki.tickets.services.events import _event
from tuki.tickets.services.workflow import _set_status


def link_tickets(
    actor: User | None,
    source: Ticket,
    target: Ticket,
    link_type: str,
    *,
    expected_version: int | None = None,
) -> TicketLink:
    _require_agent(actor)
    if link_type not in LinkType.values:
        raise ServiceError(_("Unknown link type."), field="type", code="invalid")
    if source.pk == target.pk:
        raise ServiceError(
            _("A ticket cannot be linked to itself."), field="target", code="self_link"
        )
    with _writing():
        source = _lock(actor, source)
        _check_version(source, expected_version)
        target = _lock(actor, target)
        link, created = TicketLink.objects.get_or_create(
            source=source, target=target, type=link_type, defaults={"created_by": actor}
        )
        if created:
            _event(source, actor, EventAction.LINKED, field=link_type, new=target.number)
            _event(target, actor, EventAction.LINKED_FROM, field=link_type, new=source.number)
            _touch(source)
            _touch(target)
    return link


def unlink_tickets(actor: User, link: TicketLink) -> None:
    _require_agent(actor)
    with _writing():
        source = _lock(actor, link.source)
        target = _lock(actor, link.target)
        _event(source, actor, EventAction.UNLINKED, field=link.type, old=target.number)
        _event(target, actor, EventAction.UNLINKED, field=link.type, old=source.number)
        link.delete()


def merge_tickets(
    actor: User,
    duplicate: Ticket,
    into: Ticket,
    *,
    reason: str = "",
    confirm_cross_organisation: bool = False,
    expected_version: int | None = None,
) -> Ticket:
    """Close `duplicate` as a duplicate of `into`; its requester follows `into` as a watcher.

    Tickets of two organisations merge only when the actor confirms it, and then nobody
    becomes a watcher: a client's requester must never follow another client's ticket."""
    _require_agent(actor)
    if duplicate.pk == into.pk:
        raise ServiceError(
            _("A ticket cannot be merged into itself."), field="target", code="self_merge"
        )
    with _writing():
        duplicate = _lock(actor, duplicate)
        _check_version(duplicate, expected_version)
        into = _lock(actor, into)
        if not into.is_active:
            raise ServiceError(
                _("Merge into an active ticket."), field="target", code="target_not_active"
            )
        if duplicate.merged_into_id:
            raise ServiceError(
                _("This ticket is already merged."), field="source", code="already_merged"
            )
        across = duplicate.organisation_id != into.organisation_id
        if across and not confirm_cross_organisation:
            raise ServiceError(
                _(
                    "%(number)s belongs to another organisation. Confirm to merge across "
                    "organisations: its requester will not follow it."
                )
                % {"number": into.number},
                field="confirm_cross_organisation",
                code="cross_organisation",
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
        _event(
            duplicate,
            actor,
            EventAction.MERGED,
            field="merged_into",
            new=into.number,
            reason=reason,
        )
        _touch(duplicate, *fields, "merged_into", "resolution_code")
        if duplicate.requester_id != into.requester_id and not across:
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
        _event(
            into, actor, EventAction.MERGED_FROM, field="merged", new=duplicate.number, comment=note
        )
        _touch(into)
    return into
