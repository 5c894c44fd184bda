"""The calendar's built-in sources: changes, blackout periods and freezes, and the
maintenance windows of the filtered items (docs/change-calendar.md). The releases app adds its
own through `calendar.register_source`.

Each source is a fixed number of queries over [start, end) and shows only what the user may
see: changes through `Ticket.objects.visible_to`, items through `cmdb.access`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from tuki.changes.calendar import Entry, register_source
from tuki.changes.models import BlackoutPeriod, Change, Risk
from tuki.cmdb import access as cmdb_access, impact
from tuki.cmdb.models import AffectedItem, MaintenanceWindow
from tuki.tickets.choices import Kind, StatusCategory
from tuki.tickets.models import Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

MAX_ENTRIES = 500  # per source and range: a month of a very busy desk


def filtered_items(user: User, filters: dict[str, Any]) -> list[int] | None:
    """The items the filters name, readable by the user: the item, or the service and what it
    needs (one recursive query); None when nothing is filtered."""
    wanted: set[int] = set()
    if filters.get("item"):
        wanted.add(int(filters["item"]))
    if filters.get("service"):
        service = int(filters["service"])
        wanted |= {service, *impact.dependencies(service)}
    if not filters.get("item") and not filters.get("service"):
        return None
    readable = cmdb_access.items_visible_to(user).filter(pk__in=wanted)
    return list(readable.values_list("pk", flat=True))


def _tone(category: str, change_type: str) -> str:
    if category in (StatusCategory.RESOLVED, StatusCategory.CLOSED):
        return "done"
    return change_type


def changes(user: User, start: datetime, end: datetime, filters: dict[str, Any]) -> list[Entry]:
    visible = Ticket.objects.visible_to(user).filter(kind=Kind.CHANGE)
    rows = Change.objects.filter(planned_start__lt=end, planned_end__gt=start, ticket__in=visible)
    items = filtered_items(user, filters)
    if items is not None:
        rows = rows.filter(
            ticket_id__in=AffectedItem.objects.filter(ci_id__in=items).values("ticket_id")
        )
    found = []
    for change in rows.select_related("ticket", "ticket__status").order_by("planned_start")[
        :MAX_ENTRIES
    ]:
        ticket = change.ticket
        detail = [ticket.status.label, change.get_change_type_display()]
        if change.risk:
            detail.append(_("risk: %(risk)s") % {"risk": Risk(change.risk).label})
        found.append(
            Entry(
                "change",
                f"{ticket.number} {ticket.title}",
                change.planned_start,  # type: ignore[arg-type]  # filtered: not null
                change.planned_end,  # type: ignore[arg-type]
                url=ticket.get_absolute_url(),
                detail=" · ".join(str(part) for part in detail),
                tone=_tone(ticket.status.category, change.change_type),
            )
        )
    return found


def blackouts(user: User, start: datetime, end: datetime, filters: dict[str, Any]) -> list[Entry]:
    if not cmdb_access.may_read(user):
        return []
    rows = BlackoutPeriod.objects.filter(starts_at__lt=end, ends_at__gt=start)
    items = filtered_items(user, filters)
    if items is not None:
        rows = rows.filter(Q(items__isnull=True) | Q(items__in=items)).distinct()
    return [
        Entry(
            blackout.kind,
            blackout.name,
            blackout.starts_at,
            blackout.ends_at,
            detail=blackout.get_kind_display()
            + ("" if blackout.allow_emergency else " · " + _("no emergency changes")),
            tone=blackout.kind,
        )
        for blackout in rows.order_by("starts_at", "pk")[:MAX_ENTRIES]
    ]


def maintenance(user: User, start: datetime, end: datetime, filters: dict[str, Any]) -> list[Entry]:
    items = filtered_items(user, filters)
    if not items:
        return []
    rows = MaintenanceWindow.objects.filter(
        ci_id__in=items, starts_at__lt=end, ends_at__gt=start
    ).select_related("ci")
    return [
        Entry(
            "maintenance",
            _("Maintenance: %(item)s") % {"item": window.ci.name},
            window.starts_at,
            window.ends_at,
            url=reverse("cmdb:item", args=[window.ci_id]),
            detail=window.reason,
            tone="maintenance",
        )
        for window in rows.order_by("starts_at", "pk")[:MAX_ENTRIES]
    ]


def register_builtin_sources() -> None:
    register_source("changes", changes)
    register_source("changes.blackouts", blackouts)
    register_source("changes.maintenance", maintenance)
