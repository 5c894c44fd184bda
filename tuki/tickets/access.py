"""Who may see and do what with a ticket. The only way views and the API fetch tickets.

Rules (docs/development/architecture.md, Access: who sees what):
- requesters see tickets they requested or watch, and their organisation's when granted;
- agents see tickets owned by or assigned to one of their groups, or to them, unless they
  are granted all tickets; a restricted ticket is limited to its two groups whatever the grant;
- agents also see the tickets on which they or one of their groups are consulted, while the
  consultation is open (swarming, docs/chat.md), never a restricted one;
- administrators (superusers) see everything;
- anything not visible is a 404, never a 403, so ids leak nothing.

The rule itself is `visibility_q` (tuki/tickets/models.py, next to the queryset method
`Ticket.objects.visible_to` that applies it); this module re-exports it with the helpers that
views and the API use.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import FileResponse, Http404

from tuki.accounts.models import SupportGroup
from tuki.lib.bounds import parse_id
from tuki.tickets.models import (
    Attachment,
    EventAction,
    Ticket,
    TicketConsultation,
    TicketEvent,
    visibility_q as visibility_q,
)

if TYPE_CHECKING:
    from tuki.accounts.models import User


def ticket_visible(user: User, ref: str = "ticket") -> Exists:
    """A condition for rows that point at a ticket (`ref` names the foreign key): that
    ticket is one `user` may see.

    A correlated EXISTS on the ticket's primary key rather than `ticket__in=<the visible
    tickets>`: for that SQLite built the whole visible set before looking at the one row
    (90 ms for one attachment of a requester's at 100,000 tickets, ten times that at a
    million). PostgreSQL plans both as the same semi-join.
    """
    return Exists(Ticket.objects.visible_to(user).filter(pk=OuterRef(ref)))


def may_see(user: User, ticket: Ticket | int) -> bool:
    """Whether `user` may see `ticket` now: the one rule (`visibility_q`), asked of the
    database. Whoever decides who is told about a ticket (outbound mail, notifications,
    webhooks) asks this for each recipient at the moment it decides."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return Ticket.objects.visible_to(user).filter(pk=pk).exists()


def who_may_see(users: Iterable[User], ticket: Ticket | int) -> set[int]:
    """The ids of those of `users` who may see `ticket` now: `may_see` for many people at
    once, in at most three queries however many they are (notify() asks it of a whole group).

    The same rule as `visibility_q`, evaluated here on the ticket's row as stored (read
    afresh, as `may_see` reads it), on the ticket's open consultations (asked only when an
    agent is still undecided, and never for a restricted ticket) and, for agents, on their
    memberships in its two groups and in the consulted groups (one query for all of them; a
    `group_ids` already cached on a user is used as `visibility_q` would use it).
    Requesters are rare here and asked one by one (`may_see`): their rule needs watchers
    and organisations. Keep in step with `visibility_q`.
    """
    pk = ticket if isinstance(ticket, int) else ticket.pk
    people = [u for u in users if u.is_authenticated and u.is_active]
    if not people:
        return set()
    row = (
        Ticket.objects.filter(pk=pk)
        .values(
            "owner_group_id", "group_id", "assignee_id", "owner_id", "requester_id", "restricted"
        )
        .first()
    )
    if row is None:
        return set()
    groups = {g for g in (row["owner_group_id"], row["group_id"]) if g is not None}
    named = {row["assignee_id"], row["owner_id"], row["requester_id"]}
    seen: set[int] = set()
    undecided: list[User] = []
    for user in people:
        if user.is_superuser:
            seen.add(user.pk)
        elif not user.is_agent:
            if may_see(user, pk):
                seen.add(user.pk)
        elif user.pk in named or (user.sees_all_tickets and not row["restricted"]):
            seen.add(user.pk)
        else:
            undecided.append(user)
    if not undecided:
        return seen
    if not row["restricted"]:
        consulted_people, consulted_groups = _consulted(pk)
        seen.update(u.pk for u in undecided if u.pk in consulted_people)
        groups |= consulted_groups
    ask_groups: list[User] = []
    for user in undecided:
        if user.pk in seen:
            continue
        if "group_ids" in user.__dict__:  # cached: what visibility_q would use
            if groups & user.group_ids:
                seen.add(user.pk)
        elif groups:
            ask_groups.append(user)
    if ask_groups:
        members = SupportGroup.members.through.objects.filter(
            supportgroup_id__in=groups, user_id__in=[u.pk for u in ask_groups]
        )
        seen.update(members.values_list("user_id", flat=True))
    return seen


def _consulted(pk: int) -> tuple[set[int], set[int]]:
    """The people and the groups consulted on the ticket now (its open consultations)."""
    rows = TicketConsultation.objects.filter(ticket_id=pk, closed_at=None)
    people: set[int] = set()
    groups: set[int] = set()
    for user_id, group_id in rows.values_list("user_id", "group_id"):
        if user_id is not None:
            people.add(user_id)
        if group_id is not None:
            groups.add(group_id)
    return people, groups


# Events that name another ticket by its number (in new_value or old_value).
LINKED_EVENTS = (
    EventAction.LINKED,
    EventAction.LINKED_FROM,
    EventAction.UNLINKED,
    EventAction.MERGED,
    EventAction.MERGED_FROM,
)


def other_numbers(events: Iterable[TicketEvent]) -> set[str]:
    """The numbers of other tickets that link and merge events name."""
    return {
        number
        for e in events
        if e.action in LINKED_EVENTS
        for number in (e.new_value, e.old_value)
        if number
    }


def hidden_numbers(user: User, numbers: Iterable[str]) -> set[str]:
    """Which of these ticket numbers name a ticket `user` may not see (one query): links,
    merges and their events show those as "a ticket you cannot see", never the number."""
    wanted: dict[int, str] = {}
    for number in numbers:
        parsed = Ticket.parse_number(number)
        if parsed is not None:
            wanted[parsed[1]] = number
    if not wanted:
        return set()
    seen = set(Ticket.objects.visible_to(user).filter(pk__in=wanted).values_list("pk", flat=True))
    return {number for pk, number in wanted.items() if pk not in seen}


def people_on_visible_tickets(viewer: User) -> QuerySet[Any]:
    """Ids of the people on tickets `viewer` may see: requesters, owners, assignees and
    watchers (accounts/directory.py: what an external agent may find)."""
    visible = Ticket.objects.visible_to(viewer).order_by()
    watchers = Ticket.watchers.through.objects.filter(ticket__in=visible.values("pk"))
    return visible.values("requester_id").union(
        visible.exclude(owner=None).values("owner_id"),
        visible.exclude(assignee=None).values("assignee_id"),
        watchers.order_by().values("user_id"),
        all=True,
    )


def get_ticket_for_user(user: User, number_or_id: str | int, *, related: bool = True) -> Ticket:
    """The ticket by `INC-1042` or id, if this user may see it; otherwise Http404."""
    number = parse_id(number_or_id)
    if number is not None:
        lookup = Q(pk=number)
    elif isinstance(number_or_id, int) or str(number_or_id).isdigit():
        raise Http404("No such ticket")  # beyond a bigint, or digits of another script
    else:
        parsed = Ticket.parse_number(str(number_or_id))
        if parsed is None:
            raise Http404("No such ticket")
        lookup = Ticket.number_q(*parsed)  # its number now, or one it had (a kind switch)
    qs = Ticket.objects.visible_to(user)
    if related:
        qs = qs.with_related()
    ticket = qs.filter(lookup).first()
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def is_agent_for(user: User, ticket: Ticket) -> bool:
    """Agent (or admin) who may work this ticket: visible to them and they are staff of it."""
    return bool(user.is_superuser or user.is_agent)


def can_work(user: User, ticket: Ticket) -> bool:
    """May change fields, assign, escalate, note. Assumes the ticket is visible to the user."""
    return is_agent_for(user, ticket)


def can_reply_publicly(user: User, ticket: Ticket) -> bool:
    """Requesters on their tickets; agents only if one of their groups may talk to requesters."""
    if user.is_superuser or ticket.requester_id == user.pk:
        return True
    if user.is_agent:
        return user.may_write_to_requesters
    return True


def can_note(user: User, ticket: Ticket) -> bool:
    return is_agent_for(user, ticket)


def is_requester_side(user: User, ticket: Ticket) -> bool:
    return not (user.is_agent or user.is_superuser)


def get_attachment_for_user(user: User, attachment_id: int) -> Attachment:
    """An attachment of a visible ticket; internal ones only for agents. Otherwise Http404."""
    if parse_id(attachment_id) is None:
        raise Http404("No such attachment")
    qs = Attachment.objects.select_related("ticket").filter(ticket_visible(user), pk=attachment_id)
    if not (user.is_agent or user.is_superuser):
        qs = qs.filter(is_internal=False)
    attachment = qs.first()
    if attachment is None:
        raise Http404("No such attachment")
    return attachment


def attachment_response(attachment: Attachment) -> FileResponse:
    """Stream a file as a download; never rendered inline, so a disguised page cannot run."""
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
