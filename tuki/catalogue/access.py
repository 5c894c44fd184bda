"""Who may order which catalogue item, and who manages the catalogue. The only way views and
the API fetch catalogue rows.

- An item with no organisations and no support groups is for everyone signed in; otherwise
  for members of one of its organisations or of one of its groups. Administrators (is_staff
  or superuser) see every item in the console, but order like anyone else.
- Inactive items cannot be ordered. What a person may not order is a 404.
- Fulfilment tasks are seen with their ticket (tickets.access) and ticked by whoever may
  work on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from tuki.catalogue.models import CatalogueCategory, CatalogueItem, FulfilmentTask
from tuki.lib.bounds import parse_id
from tuki.tickets import access as tickets_access

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User
    from tuki.tickets.models import Ticket


def is_admin(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def is_agent(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def audience_q(user: User) -> Q:
    """Items `user` may order (active ones only)."""
    orgs = CatalogueItem.organisations.through.objects.filter(catalogueitem_id=OuterRef("pk"))
    groups = CatalogueItem.groups.through.objects.filter(catalogueitem_id=OuterRef("pk"))
    audience = Q(~Exists(orgs) & ~Exists(groups))
    if user.organisation_id:
        audience |= Q(Exists(orgs.filter(organisation_id=user.organisation_id)))
    if user.group_ids:
        audience |= Q(Exists(groups.filter(supportgroup_id__in=list(user.group_ids))))
    return Q(is_active=True) & audience


def orderable_items(user: User) -> QuerySet[CatalogueItem]:
    if not user.is_authenticated or not user.is_active:
        return CatalogueItem.objects.none()
    return CatalogueItem.objects.filter(audience_q(user)).select_related("category")


def may_order(user: User, item: CatalogueItem) -> bool:
    return orderable_items(user).filter(pk=item.pk).exists()


def get_orderable_item(user: User, pk: object) -> CatalogueItem:
    item_id = parse_id(pk)
    item = None if item_id is None else orderable_items(user).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    return item


def get_item_for_admin(user: User, pk: object) -> CatalogueItem:
    item_id = parse_id(pk)
    item = None
    if is_admin(user) and item_id is not None:
        item = CatalogueItem.objects.select_related("category").filter(pk=item_id).first()
    if item is None:
        raise Http404("No such item")
    return item


def get_category_for_admin(user: User, pk: object) -> CatalogueCategory:
    category_id = parse_id(pk)
    category = None
    if is_admin(user) and category_id is not None:
        category = CatalogueCategory.objects.filter(pk=category_id).first()
    if category is None:
        raise Http404("No such category")
    return category


def tasks_visible_to(user: User) -> QuerySet[FulfilmentTask]:
    return FulfilmentTask.objects.filter(tickets_access.ticket_visible(user))


def get_task_for_user(user: User, pk: object) -> FulfilmentTask:
    task_id = parse_id(pk)
    task = None
    if is_agent(user) and task_id is not None:
        task = tasks_visible_to(user).select_related("ticket").filter(pk=task_id).first()
    if task is None:
        raise Http404("No such task")
    return task


def can_tick(user: User, ticket: Ticket) -> bool:
    return is_agent(user) and tickets_access.can_work(user, ticket)
