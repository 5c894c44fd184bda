"""Who reads and who declares outages and availability (docs/operations.md).

- Agents and administrators read the availability report, every service's page and outages.
- Administrators (staff), and the agents of the support group of a service's configuration
  item, declare and end its outages and mark a ticket's outage.
- Requesters read only the status page: the services their organisation's agreements cover.
- Anything else is a 404.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.availability.models import Outage
from tuki.cmdb.models import ConfigurationItem
from tuki.lib.bounds import parse_id
from tuki.sla.models import Service

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User

    AnyUser = User | AnonymousUser


def may_read(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_agent or user.is_superuser))


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def service_group_id(service: Service) -> int | None:
    """The support group of the service's configuration item (None without one)."""
    try:
        ci = service.configuration_item
    except ConfigurationItem.DoesNotExist:
        return None
    return ci.support_group_id


def may_declare(user: AnyUser, service: Service | None, ci: ConfigurationItem | None) -> bool:
    """Staff, or an agent of the support group of the item (or of the service's item)."""
    if is_admin(user):
        return True
    if not may_read(user):
        return False
    groups = user.group_ids  # type: ignore[union-attr]
    if ci is not None and ci.support_group_id is not None:
        return ci.support_group_id in groups
    if service is not None:
        group_id = service_group_id(service)
        return group_id is not None and group_id in groups
    return False


def services_for_report(user: AnyUser) -> QuerySet[Service]:
    if not may_read(user):
        return Service.objects.none()
    return Service.objects.filter(is_active=True).order_by("name", "pk")


def get_service_for_user(user: AnyUser, pk: int | str) -> Service:
    number = parse_id(pk)
    if not may_read(user) or number is None:
        raise Http404("No such service")
    service = (
        Service.objects.select_related("configuration_item__support_group")
        .filter(pk=number)
        .first()
    )
    if service is None:
        raise Http404("No such service")
    return service


def get_outage_for_user(user: AnyUser, pk: int | str) -> Outage:
    number = parse_id(pk)
    if not may_read(user) or number is None:
        raise Http404("No such outage")
    outage = (
        Outage.objects.select_related("service__configuration_item", "ci", "ticket")
        .filter(pk=number)
        .first()
    )
    if outage is None:
        raise Http404("No such outage")
    return outage
