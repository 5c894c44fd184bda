"""Who sees and edits which macro. The only way views and the API fetch macros.

- personal macros: their owner only (any agent);
- group macros: used by the group's members, edited by its manager and administrators;
- global macros: used by every agent, edited by administrators (is_staff).
Anything not visible is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tuki.accounts.models import SupportGroup
from tuki.lib.bounds import parse_id
from tuki.macros.models import Macro, Scope

if TYPE_CHECKING:
    from tuki.accounts.models import User


def is_agent(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def is_admin(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def managed_groups(user: User) -> QuerySet[SupportGroup]:
    """Groups whose shared macros this user may edit."""
    if is_admin(user):
        return SupportGroup.objects.filter(is_active=True)
    if not is_agent(user):
        return SupportGroup.objects.none()
    return SupportGroup.objects.filter(is_active=True, manager=user)


def usable_q(user: User) -> Q:
    if not is_agent(user):
        return Q(pk__in=[])
    return (
        Q(scope=Scope.PERSONAL, owner=user)
        | Q(scope=Scope.GROUP, group__in=user.group_ids)
        | Q(scope=Scope.GLOBAL)
    )


def editable_q(user: User) -> Q:
    q = Q(scope=Scope.PERSONAL, owner=user)
    if is_admin(user):
        return q | Q(scope__in=(Scope.GROUP, Scope.GLOBAL))
    if not is_agent(user):
        return Q(pk__in=[])
    return q | Q(scope=Scope.GROUP, group__manager=user)


def can_edit(user: User, macro: Macro) -> bool:
    if not (is_agent(user) or is_admin(user)):
        return False
    if macro.scope == Scope.PERSONAL:
        return macro.owner_id == user.pk
    if is_admin(user):
        return True
    return (
        macro.scope == Scope.GROUP
        and macro.group is not None
        and (macro.group.manager_id == user.pk)
    )


def listed(user: User) -> QuerySet[Macro]:
    """Every macro the list page shows this user: those they use and those they edit."""
    return (
        Macro.objects.filter(usable_q(user) | editable_q(user))
        .select_related("group", "owner")
        .distinct()
    )


def get_macro_for_user(user: User, pk: int | str, *, write: bool = False) -> Macro:
    """The macro if this user may use it (or edit it, with `write`); otherwise Http404."""
    number = parse_id(pk)
    if number is None:
        raise Http404("No such macro")
    q = editable_q(user) if write else (usable_q(user) | editable_q(user))
    macro = Macro.objects.filter(q, pk=number).select_related("group", "owner").first()
    if macro is None:
        raise Http404("No such macro")
    return macro
