"""The only way routing views and endpoints fetch what they change (docs/development/style.md,
access helpers).

Routing rules: administrators. A group's assignment page: administrators and the group's
manager. Away dates: the agent, the managers of the agent's groups, administrators; an
absence someone may not manage is a 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import Absence, SupportGroup, User
from tuki.accounts.services import may_manage_absences, may_manage_group
from tuki.routing.models import RoutingRule
from tuki.routing.services import may_change_rules


def require_rule_admin(user: User) -> None:
    if not may_change_rules(user):
        raise PermissionDenied(_("Only administrators may change routing rules."))


def get_rule_for_user(user: User, pk: int) -> RoutingRule:
    require_rule_admin(user)
    rule = RoutingRule.objects.filter(pk=pk).first()
    if rule is None:
        raise Http404
    return rule


def managed_groups(user: User) -> QuerySet[SupportGroup]:
    """The groups whose assignment this user may set."""
    if not (user.is_authenticated and user.is_active):
        return SupportGroup.objects.none()
    if user.is_staff or user.is_superuser:
        return SupportGroup.objects.all()
    return SupportGroup.objects.filter(manager=user)


def get_group_for_user(user: User, pk: int) -> SupportGroup:
    group = SupportGroup.objects.select_related("manager", "location").filter(pk=pk).first()
    if group is None:
        raise Http404
    if not may_manage_group(user, group):
        raise PermissionDenied(_("Only administrators and the group's manager may do this."))
    return group


def get_absence_for_user(user: User, pk: int) -> Absence:
    absence = Absence.objects.select_related("user").filter(pk=pk).first()
    if absence is None or not may_manage_absences(user, absence.user):
        raise Http404
    return absence


def current_absences(users: QuerySet[User] | list[User]) -> QuerySet[Absence]:
    """Away dates not yet over (a day of slack for time zones), soonest first."""
    since = timezone.now().date() - timedelta(days=1)
    return Absence.objects.filter(user__in=users, ends_on__gte=since).select_related("user")
