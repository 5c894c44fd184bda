"""Who may look whom up: the user directory behind the API's `/users` and the people pickers.

Agents of the service desk and the specialists' groups find anyone: they register calls for
any requester. An external agent (every one of their groups a tier-3 supplier) finds only
what their work needs: themselves, the members of their groups, and the people on tickets
they may see. The tickets app supplies the last part through `register` (it sits above this
app: architecture.md, "When a lower app needs an upper one").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet

from tuki.accounts.models import SupportGroup, User

# Each gives the ids of more people a viewer may find (a `values("pk")`-like queryset).
PeopleSource = Callable[[User], QuerySet[Any]]
_sources: list[PeopleSource] = []


def register(source: PeopleSource) -> None:
    if source not in _sources:
        _sources.append(source)


def is_external(user: User) -> bool:
    """An agent whose every active group is a supplier (tier 3); never staff or superusers."""
    if not user.is_agent or user.is_superuser or user.is_staff:
        return False
    # Asked several times in one request (each person a request names is checked): the
    # answer is kept on the user object, which lives as long as the request.
    known: bool | None = user.__dict__.get("_tuki_is_external")
    if known is None:
        tiers = set(
            SupportGroup.objects.filter(members=user, is_active=True).values_list("tier", flat=True)
        )
        known = bool(tiers) and tiers == {SupportGroup.Tier.SUPPLIER}
        user.__dict__["_tuki_is_external"] = known
    return known


def people_visible_to(viewer: User) -> QuerySet[User]:
    """The active people `viewer` may find and pick."""
    people = User.objects.filter(is_active=True)
    if not is_external(viewer):
        return people
    members = SupportGroup.members.through.objects.filter(supportgroup_id__in=viewer.group_ids)
    within = Q(pk=viewer.pk) | Q(pk__in=members.values("user_id"))
    for source in _sources:
        within |= Q(pk__in=source(viewer))
    return people.filter(within)
