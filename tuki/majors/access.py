"""Who may read and act on major incidents (docs/major-incidents.md, "Who may do what").

- Agents and administrators read the major incidents of the tickets they may see
  (`Ticket.objects.visible_to`): a restricted parent stays invisible outside its groups.
  Requesters and anonymous visitors read none; the status page shows only public text.
- Managers declare: administrators (superusers, staff) and the managers of support groups
  (`SupportGroup.manager`). They also accept or reject proposals and review.
- Any agent who sees an incident may propose it.
- The major incident manager of a major, and the managers above, run it: attach children,
  post updates, resolve. Other agents who see it may post internal updates.
- What is not readable is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.accounts.models import SupportGroup
from tuki.majors.models import MajorIncident
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def is_agent(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def is_manager(user: AnyUser) -> bool:
    """An administrator, or the manager of a support group. Asked once per user object."""
    if not is_agent(user):
        return False
    if user.is_superuser or user.is_staff:
        return True
    cached: bool | None = getattr(user, "_majors_manager", None)
    if cached is None:
        cached = SupportGroup.objects.filter(manager_id=user.pk).exists()
        user._majors_manager = cached  # type: ignore[union-attr]  # a per-object cache
    return cached


def majors_visible_to(user: AnyUser) -> QuerySet[MajorIncident]:
    if not is_agent(user):
        return MajorIncident.objects.none()
    tickets = Ticket.objects.visible_to(user).values("pk")  # type: ignore[arg-type]
    return MajorIncident.objects.filter(ticket__in=tickets)


def get_major_for_user(user: AnyUser, pk: int | str) -> MajorIncident:
    try:
        return (
            majors_visible_to(user)
            .select_related(
                "ticket__status", "ticket__requester", "manager", "declared_by", "proposed_by"
            )
            .get(pk=int(pk))
        )
    except (MajorIncident.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such major incident") from None


def visible_ticket(user: AnyUser, pk: int | str) -> Ticket:
    """A ticket the user may see, or 404."""
    try:
        return Ticket.objects.visible_to(user).select_related("status").get(pk=int(pk))  # type: ignore[arg-type]
    except (Ticket.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("No such ticket") from None


def may_run(user: AnyUser, major: MajorIncident) -> bool:
    """Attach children, post public updates, resolve: its manager or a manager."""
    if not is_agent(user):
        return False
    return is_manager(user) or (major.manager_id is not None and major.manager_id == user.pk)


def may_post_internal(user: AnyUser, major: MajorIncident) -> bool:
    """Internal updates: any agent who sees it (the caller checked that)."""
    return is_agent(user)
