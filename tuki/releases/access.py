"""Who may read and change releases (docs/releases.md, "Who may do what").

- Agents and administrators read the releases whose tickets they may see
  (`Ticket.objects.visible_to`: a restricted release stays invisible to agents outside its
  groups); requesters and anonymous visitors read none.
- Agents who may work a release ticket change it; staff (and superusers) write freezes.
- What is not readable is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.releases.models import Release
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Kind, Ticket

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def may_read(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def may_manage_freezes(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def releases_visible_to(user: AnyUser) -> QuerySet[Release]:
    if not may_read(user):
        return Release.objects.none()
    visible = Ticket.objects.visible_to(user).filter(kind=Kind.RELEASE).values("pk")  # type: ignore[arg-type]
    return Release.objects.filter(ticket_id__in=visible)


def get_release_for_user(user: AnyUser, number: str | int) -> Release:
    """The release by `REL-7` or id, if this user may see it; otherwise Http404."""
    if not may_read(user):
        raise Http404("No such release")
    ticket = ticket_access.get_ticket_for_user(user, number)  # type: ignore[arg-type]
    if ticket.kind != Kind.RELEASE:
        raise Http404("No such release")
    release = Release.objects.filter(pk=ticket.pk).first()
    if release is None:
        raise Http404("No such release")
    release.ticket = ticket
    return release


def may_change(user: AnyUser, release: Release) -> bool:
    return may_read(user) and ticket_access.can_work(user, release.ticket)  # type: ignore[arg-type]
