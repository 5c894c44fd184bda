"""Swarming: the ticket's owner consults specialists in a thread inside the ticket without
moving it (docs/chat.md, "Consulting specialists (swarming)").

A consultation (`TicketConsultation`) names a support group, a person, or a person of a
group; while it is open they see the ticket (`models.consulted_q`). Its messages are
internal notes marked `thread`: agents only wherever internal notes are, recorded as NOTE
events, so mentions, search and the timeline treat them as notes. The ticket's group,
assignee and owner never change here.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.mentions import mentioned_agents
from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.lib.uploads import Upload
from tuki.tickets import access, reasons
from tuki.tickets.models import Channel, Comment, EventAction, Ticket, TicketConsultation
from tuki.tickets.services.attachments import _attach
from tuki.tickets.services.common import _lock, _touch, _writing
from tuki.tickets.services.events import _event


def consult(
    actor: User,
    ticket: Ticket,
    body: str,
    *,
    group: SupportGroup | None = None,
    user: User | None = None,
    uploads: Iterable[Upload] = (),
) -> TicketConsultation:
    """Ask a group and/or a person for help on `ticket`, with a first message in the thread.

    Refused: no one named, an inactive group, a person who is not an active agent (or not of
    the group named with them), someone already consulted, and on a restricted ticket
    anyone outside its two groups (they would see it: a restricted ticket stays with them).
    """
    _require_worker(actor, ticket)
    body = (body or "").strip()
    uploads = list(uploads)
    if not body:
        raise ServiceError(_("Write what you need help with."), field="body", code="required")
    _check_consulted(group, user)
    with _writing():
        ticket = _lock(actor, ticket)
        _check_restricted(ticket, group, user)
        if _open_consultations(ticket).filter(group=group, user=user).exists():
            raise ServiceError(
                _("%(who)s is consulted on this ticket already.") % {"who": _who(group, user)},
                field="user" if user else "group",
                code="already_consulted",
            )
        comment = _thread_comment(ticket, actor, body)
        consultation = _start(ticket, actor, group, user, comment=comment)
        _mention_invites(ticket, actor, body, comment)
        _note(ticket, actor, comment, uploads)
        _touch(ticket)
    return consultation


def post_thread_message(
    actor: User,
    ticket: Ticket,
    body: str,
    *,
    uploads: Iterable[Upload] = (),
    channel: str = Channel.WEB,
) -> Comment:
    """A message in the ticket's consultation thread (while a consultation is open).

    Agents it @mentions who cannot see the ticket are consulted (invited), and the timeline
    says so; on a restricted ticket that is refused (only its two groups may see it).
    """
    _require_agent(actor)
    body = (body or "").strip()
    uploads = list(uploads)
    if not body and not uploads:
        raise ServiceError(_("Write something first."), field="body", code="required")
    with _writing():
        ticket = _lock(actor, ticket)
        if not _open_consultations(ticket).exists():
            raise ServiceError(
                _("No consultation is open on this ticket: consult someone first."),
                field="body",
                code="no_consultation",
            )
        comment = _thread_comment(ticket, actor, body, channel=channel)
        _mention_invites(ticket, actor, body, comment)
        _note(ticket, actor, comment, uploads)
        _touch(ticket)
    return comment


def close_consultation(
    actor: User, ticket: Ticket, consultation: TicketConsultation
) -> TicketConsultation:
    """End a consultation ("Done, thanks"): the consulted no longer see the ticket through
    it; its thread stays in the ticket's record."""
    _require_agent(actor)
    with _writing():
        ticket = _lock(actor, ticket)
        locked = (
            TicketConsultation.objects.select_for_update()
            .filter(pk=consultation.pk, ticket=ticket)
            .first()
        )
        if locked is None or locked.closed_at is not None:
            raise ServiceError(
                _("This consultation is closed already."), field="consultation", code="closed"
            )
        locked.closed_at = timezone.now()
        locked.closed_by = actor
        locked.save(update_fields=["closed_at", "closed_by"])
        _event(ticket, actor, EventAction.CONSULTATION_CLOSED, field="consultation", new=locked.who)
        _touch(ticket)
    return locked


# --- shared ----------------------------------------------------------------------------------


def _require_agent(actor: User) -> None:
    if not (actor.is_agent or actor.is_superuser):
        raise PermissionDenied(_("Only agents may take part in a consultation."))


def _require_worker(actor: User, ticket: Ticket) -> None:
    _require_agent(actor)
    if not access.can_work(actor, ticket):
        raise PermissionDenied(_("You may not work on this ticket."))


def _open_consultations(ticket: Ticket) -> QuerySet[TicketConsultation]:
    return TicketConsultation.objects.filter(ticket=ticket, closed_at=None)


def _who(group: SupportGroup | None, user: User | None) -> str:
    if user is not None and group is not None:
        return f"{user} ({group})"
    return str(user if user is not None else group)


def _check_consulted(group: SupportGroup | None, user: User | None) -> None:
    if group is None and user is None:
        raise ServiceError(
            _("Choose a group or a person to consult."), field="group", code="required"
        )
    if group is not None and not group.is_active:
        raise ServiceError(_("This group is not active."), field="group", code="inactive")
    if user is not None:
        if not user.is_active or not (user.is_agent or user.is_superuser):
            raise ServiceError(
                _("Only active agents may be consulted."), field="user", code="not_an_agent"
            )
        if group is not None and not group.members.filter(pk=user.pk).exists():
            raise ServiceError(
                _("%(person)s is not a member of %(group)s.") % {"person": user, "group": group},
                field="user",
                code="not_a_member",
            )


def _check_restricted(ticket: Ticket, group: SupportGroup | None, user: User | None) -> None:
    """A restricted ticket is seen only by its two groups: consult within them only."""
    if not ticket.restricted:
        return
    groups = {ticket.owner_group_id, ticket.group_id}
    if group is not None and group.pk not in groups:
        raise ServiceError(
            _("This ticket is restricted: only its own two groups may be consulted."),
            field="group",
            code="restricted",
        )
    if user is not None and not user.is_superuser and not (user.group_ids & groups):
        raise ServiceError(
            _("This ticket is restricted: only agents of its own two groups may be consulted."),
            field="user",
            code="restricted",
        )


def _thread_comment(
    ticket: Ticket, actor: User, body: str, *, channel: str = Channel.WEB
) -> Comment:
    return Comment.objects.create(
        ticket=ticket, author=actor, body=body, is_internal=True, thread=True, channel=channel
    )


def _note(ticket: Ticket, actor: User, comment: Comment, uploads: list[Upload]) -> None:
    """The message's NOTE event (mentions, search and the timeline follow notes) and files."""
    _event(ticket, actor, EventAction.NOTE, comment=comment)
    _attach(ticket, actor, uploads, comment=comment, internal=True)


def _start(
    ticket: Ticket,
    actor: User,
    group: SupportGroup | None,
    user: User | None,
    *,
    comment: Comment | None = None,
    reason: str = "",
) -> TicketConsultation:
    event = _event(
        ticket,
        actor,
        EventAction.CONSULTED,
        field="consultation",
        new=_who(group, user),
        reason=reason,
        comment=comment,
    )
    return TicketConsultation.objects.create(
        ticket=ticket, group=group, user=user, invited_by=actor, event=event
    )


def _mention_invites(ticket: Ticket, actor: User, body: str, comment: Comment) -> None:
    """Consult the agents the message mentions who cannot see the ticket (ServiceNow's
    swarm invites whom the thread names); refused on a restricted ticket."""
    mentioned = [u for u in mentioned_agents(body) if u.pk != actor.pk]
    if not mentioned:
        return
    seeing = access.who_may_see(mentioned, ticket)
    outside = [u for u in mentioned if u.pk not in seeing]
    if not outside:
        return
    if ticket.restricted:
        raise ServiceError(
            _("This ticket is restricted: %(names)s cannot see it and may not be invited.")
            % {"names": ", ".join(str(u) for u in outside)},
            field="body",
            code="restricted",
        )
    reason = reasons.english(reasons.MENTIONED_IN_THREAD)
    for user in outside:
        _start(ticket, actor, None, user, comment=comment, reason=reason)
