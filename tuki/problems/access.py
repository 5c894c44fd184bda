"""Who may see and work problems; the only way views and the API fetch them
(docs/problems.md, "Who sees what").

- A problem is a ticket: who sees it is the ticket rule (`Ticket.objects.visible_to`), so a
  restricted problem stays with its groups. Its incidents are shown only to who may see them.
- Problem management is back-office work: agents and administrators; requesters and
  anonymous visitors see nothing of it (a 404, never a 403).
- Who may see a problem may work it (tickets.access.can_work).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from tuki.lib.bounds import parse_id
from tuki.problems.models import Problem
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Kind, Ticket, TicketQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def may_use(user: AnyUser) -> bool:
    """Agents and administrators."""
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def problem_tickets(user: User) -> TicketQuerySet:
    if not may_use(user):
        return Ticket.objects.none()
    return Ticket.objects.visible_to(user).filter(kind=Kind.PROBLEM)


def incidents_visible_to(user: User) -> TicketQuerySet:
    if not may_use(user):
        return Ticket.objects.none()
    return Ticket.objects.visible_to(user).filter(kind=Kind.INCIDENT)


def get_problem_ticket(user: User, pk: int | str) -> Ticket:
    """The problem ticket by id or `PRB-7`, if this user may see it; otherwise Http404."""
    if not may_use(user):
        raise Http404("No such problem")
    number = parse_id(pk)
    if number is None:
        parsed = Ticket.parse_number(str(pk))
        if parsed is None or parsed[0] != Kind.PROBLEM:
            raise Http404("No such problem")
        number = parsed[1]
    ticket = problem_tickets(user).with_related().filter(pk=number).first()
    if ticket is None:
        raise Http404("No such problem")
    return ticket


def get_incident(user: User, pk: int | str) -> Ticket:
    """An incident this user may see, by id or `INC-12`; otherwise Http404."""
    if not may_use(user):
        raise Http404("No such incident")
    ticket = ticket_access.get_ticket_for_user(user, pk)
    if ticket.kind != Kind.INCIDENT:
        raise Http404("No such incident")
    return ticket


def can_work(user: User, problem: Problem | Ticket) -> bool:
    ticket = problem.ticket if isinstance(problem, Problem) else problem
    return may_use(user) and ticket_access.can_work(user, ticket)
