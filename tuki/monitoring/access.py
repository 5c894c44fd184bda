"""Who may post alerts and who reads them: the only way views and the API get at alerts
(docs/operations.md, "Monitoring alerts").

- Posting: an active alert source with its own token (it acts as its person), or a staff
  administrator with a personal token or a browser session. Nobody else.
- Reading: agents and administrators, as the configuration database allows: an external
  agent (every group a supplier) sees only the alerts of the items their groups support.
  The incident of an alert is named only to whoever may see that ticket.
- What is not readable is a 404, never a 403.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import Http404

from tuki.cmdb import access as cmdb_access
from tuki.lib.bounds import parse_id
from tuki.monitoring.models import Alert, AlertSource
from tuki.tickets.access import ticket_visible

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from tuki.accounts.models import User
    from tuki.cmdb.models import ConfigurationItem

    AnyUser = User | AnonymousUser


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_staff or user.is_superuser))


def may_post(user: AnyUser) -> bool:
    """A person who may post alerts without a source's token (a staff administrator)."""
    return is_admin(user)


def source_for_token(raw: str) -> AlertSource | None:
    """The active source a raw token names (its person active too), else None."""
    if not raw or not raw.startswith(AlertSource.PREFIX) or len(raw) > 200:
        return None
    source = (
        AlertSource.objects.select_related("user", "group", "category")
        .filter(digest=AlertSource.hash(raw), is_active=True)
        .first()
    )
    if source is None or not source.user.is_active:
        return None
    return source


def source_for_admin(user: AnyUser, name: str) -> AlertSource | None:
    """A configured source an administrator posts as (`?source=`), else None."""
    if not is_admin(user) or not name:
        return None
    return (
        AlertSource.objects.select_related("user", "group", "category")
        .filter(name=name[:100], is_active=True)
        .first()
    )


def may_read(user: AnyUser) -> bool:
    return cmdb_access.may_read(user)


def alerts_visible_to(user: AnyUser) -> QuerySet[Alert]:
    """The alerts `user` may read, each knowing whether its incident is visible
    (`incident_seen`)."""
    if not may_read(user):
        return Alert.objects.none()
    alerts = Alert.objects.all()
    if cmdb_access.readable_q(user):  # restricted: only the items their groups support
        alerts = alerts.filter(ci__in=cmdb_access.items_visible_to(user).values("pk"))
    reader: User = user  # type: ignore[assignment]  # may_read: a signed-in agent
    return alerts.annotate(incident_seen=ticket_visible(reader, "group__ticket"))


def get_alert_for_user(user: AnyUser, pk: int | str) -> Alert:
    number = parse_id(pk)
    if number is None:
        raise Http404("No such alert")
    alert = (
        alerts_visible_to(user)
        .select_related("ci", "source", "group", "group__ticket")
        .filter(pk=number)
        .first()
    )
    if alert is None:
        raise Http404("No such alert")
    return alert


def recent_for_item(user: AnyUser, ci: ConfigurationItem, limit: int = 10) -> list[Alert]:
    return list(
        alerts_visible_to(user)
        .filter(ci=ci)
        .select_related("group__ticket")
        .order_by("-last_seen", "-pk")[:limit]
    )
