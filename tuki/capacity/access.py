"""Who may read and send capacity data, on top of the configuration database's rules
(tuki/cmdb/access.py).

- Whoever may read an item reads its metrics, thresholds and forecast (agents and
  administrators; an external agent only the items their groups support).
- Administrators (staff) and the members of an item's support group send its metrics.
- Administrators (staff) set thresholds.
- What is not readable is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.capacity.models import Series, Threshold
from tuki.cmdb import access as cmdb_access
from tuki.cmdb.models import ConfigurationItem

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser

may_read = cmdb_access.may_read
get_item_for_user = cmdb_access.get_item_for_user


def is_admin(user: AnyUser) -> bool:
    return cmdb_access.is_cmdb_admin(user)


def may_send(user: AnyUser) -> bool:
    """May send metrics for some item (the API's door)."""
    return may_read(user)


def may_send_for(user: User, ci: ConfigurationItem) -> bool:
    """Staff, or a member of the item's support group (the item must be readable)."""
    if is_admin(user):
        return True
    return bool(
        may_read(user) and ci.support_group_id is not None and ci.support_group_id in user.group_ids
    )


def items_visible_to(user: AnyUser) -> QuerySet[ConfigurationItem]:
    return cmdb_access.items_visible_to(user)


def series_visible_to(user: AnyUser) -> QuerySet[Series]:
    if not may_read(user):
        return Series.objects.none()
    if is_admin(user):
        return Series.objects.all()
    return Series.objects.filter(ci__in=cmdb_access.items_visible_to(user).values("pk"))


def get_threshold_for_user(user: AnyUser, pk: int | str) -> Threshold:
    """For administrators only; anyone else a 404."""
    if not is_admin(user):
        raise Http404
    try:
        return Threshold.objects.select_related("ci", "ci_class", "group", "category").get(
            pk=int(pk)
        )
    except (Threshold.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
