"""Who may read and change changes (docs/changes.md, "Who may do what"). The only way views
and the API fetch changes.

- Agents and administrators read the changes whose tickets they may see
  (`Ticket.objects.visible_to`: a restricted change stays hidden from agents outside its
  groups). Requesters and anonymous visitors read none; what is not readable is a 404.
- Agents change the changes they may see; change managers (administrators, staff and the
  managers of support groups) approve and retire standard change templates; administrators
  choose the advisory boards.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.accounts.models import SupportGroup
from tuki.changes.models import Change, ChangeTemplate
from tuki.tickets.models import Kind, Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def may_read(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def is_change_manager(user: AnyUser) -> bool:
    """Administrators, staff, and the managers of support groups."""
    if not may_read(user):
        return False
    if is_admin(user):
        return True
    cached: bool | None = getattr(user, "_change_manager", None)
    if cached is None:
        cached = SupportGroup.objects.filter(manager_id=user.pk).exists()
        user._change_manager = cached  # type: ignore[union-attr]  # a per-object cache
    return cached


def visible_changes(user: AnyUser) -> QuerySet[Change]:
    if not may_read(user):
        return Change.objects.none()
    tickets = Ticket.objects.visible_to(user).filter(kind=Kind.CHANGE)  # type: ignore[arg-type]
    return Change.objects.filter(ticket__in=tickets.values("pk"))


def get_change_for_user(user: AnyUser, pk: int) -> Change:
    """The change of ticket `pk`, with its ticket, if this user may read it; else Http404."""
    change = (
        visible_changes(user)
        .select_related(
            "ticket__status",
            "ticket__group",
            "ticket__requester",
            "ticket__category",
            "template",
            "implementer",
            "cab",
            "reviewed_by",
        )
        .filter(pk=pk)
        .first()
    )
    if change is None:
        raise Http404("No such change")
    return change


def templates_for(user: AnyUser) -> QuerySet[ChangeTemplate]:
    if not may_read(user):
        return ChangeTemplate.objects.none()
    return ChangeTemplate.objects.select_related("group", "category", "approved_by")


def get_template_for_user(user: AnyUser, pk: int) -> ChangeTemplate:
    template = templates_for(user).filter(pk=pk).first()
    if template is None:
        raise Http404("No such template")
    return template
