"""Who may read and change the configuration database. The only way views and the API fetch
configuration items (docs/cmdb.md, "Who sees what").

- Agents and administrators read every item; an external agent (every group of theirs is a
  supplier, tier 3) reads only the items their groups support.
- Requesters and anonymous visitors read none (the status page shows services, not items).
- Administrators (staff) and the members of an item's support group change it; staff add
  items and relations, and plan maintenance. A relation is changed by whoever may change
  either end.
- What is not readable is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet
from django.http import Http404

from tuki.accounts.models import SupportGroup
from tuki.cmdb.models import ConfigurationItem, Relation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def _external(user: User) -> bool:
    """Every group of theirs is a supplier's. Asked once per user object (a request's), like
    `User.group_ids`."""
    cached: bool | None = getattr(user, "_cmdb_external", None)
    if cached is None:
        tiers = set(
            SupportGroup.objects.filter(members=user).order_by().values_list("tier", flat=True)
        )
        cached = bool(tiers) and tiers <= {SupportGroup.Tier.SUPPLIER}
        user._cmdb_external = cached  # type: ignore[attr-defined]  # a per-object cache
    return cached


def may_read(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def is_cmdb_admin(user: AnyUser) -> bool:
    """May add items and relations, plan maintenance, and change any item."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.is_staff))


def readable_q(user: AnyUser) -> Q:
    if not may_read(user):
        return Q(pk__in=[])
    if user.is_superuser or user.is_staff or not _external(user):  # type: ignore[arg-type]
        return Q()
    return Q(support_group__members=user)


def items_visible_to(user: AnyUser) -> QuerySet[ConfigurationItem]:
    return ConfigurationItem.objects.filter(readable_q(user)).distinct()


def get_item_for_user(user: AnyUser, pk: int | str) -> ConfigurationItem:
    try:
        return (
            items_visible_to(user)
            .select_related(
                "ci_class", "organisation", "location", "owner", "support_group", "service"
            )
            .get(pk=int(pk))
        )
    except (ConfigurationItem.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_change(user: AnyUser, ci: ConfigurationItem) -> bool:
    if is_cmdb_admin(user):
        return True
    if not may_read(user) or ci.support_group_id is None:
        return False
    return ci.support_group_id in user.group_ids  # type: ignore[union-attr]


def may_change_relation(user: AnyUser, relation: Relation) -> bool:
    return may_change(user, relation.source) or may_change(user, relation.target)
