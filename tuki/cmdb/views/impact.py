"""The impact sections (tuki/cmdb/impact.py): on an item's page, what its failure reaches
and what it needs; on the ticket page, what the ticket's items reach ("Also affected").

Only items the reader may read are named; the others are counted. A fixed number of
queries, whatever the size of the graph.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from tuki.cmdb import impact
from tuki.cmdb.models import SERVICE_LAYERS, ConfigurationItem
from tuki.tickets.choices import ACTIVE_CATEGORIES
from tuki.tickets.models import Ticket

SHOWN = 50  # items per list
OTHER_TICKETS = 20


def _reached(result: impact.Impact, readable: QuerySet[ConfigurationItem]) -> dict[str, Any]:
    """The reached items the reader may read, by kind, and how many are not shown."""
    loaded = result.load()
    reached = set(result.items)
    allowed = (
        set(readable.filter(pk__in=reached).values_list("pk", flat=True)) if reached else set()
    )
    layers = {str(layer): i for i, layer in enumerate(SERVICE_LAYERS)}
    rows: dict[str, list[dict[str, Any]]] = {"services": [], "items": [], "maintenance": []}
    for pk in sorted(allowed, key=lambda pk: (result.items[pk].depth, loaded[pk].name)):
        reach, ci = result.items[pk], loaded[pk]
        row = {"ci": ci, "state": reach.state, "depth": reach.depth}
        if reach.state == impact.MAINTENANCE:
            rows["maintenance"].append(row)
        elif ci.ci_class.layer in layers:
            rows["services"].append(row)
        else:
            rows["items"].append(row)
    # Business services first: the clients' view.
    rows["services"].sort(key=lambda row: layers[row["ci"].ci_class.layer])
    return {
        **{key: value[:SHOWN] for key, value in rows.items()},
        "down": len(result.down_ids() & allowed),
        "degraded": len(result.degraded_ids() & allowed),
        "hidden": len(reached - allowed),
        "agreements": result.agreements,
        "organisations": result.organisations,
    }


def impact_context(
    user: Any, ci: ConfigurationItem, readable: QuerySet[ConfigurationItem]
) -> dict[str, Any] | None:
    """What this item's failure reaches, and what it depends on."""
    context = _reached(impact.analyse([ci.pk]), readable)
    needs = impact.dependencies(ci.pk)
    allowed: list[ConfigurationItem] = (
        list(readable.filter(pk__in=needs).select_related("ci_class")) if needs else []
    )
    allowed.sort(key=lambda item: (needs[item.pk], item.name, item.pk))
    context["needs"] = [{"ci": item, "depth": needs[item.pk]} for item in allowed[:SHOWN]]
    context["needs_hidden"] = len(needs) - len(allowed)
    return context


def ticket_impact_context(
    user: Any, ticket: Ticket, readable: QuerySet[ConfigurationItem]
) -> dict[str, Any] | None:
    """What the ticket's items reach, and the other open tickets naming a reached item that
    the reader may see."""
    found = impact.for_ticket(ticket)
    context = _reached(found.impact, readable)
    context["other_tickets"] = (
        list(
            Ticket.objects.visible_to(user)
            .filter(pk__in=found.other_tickets, status__category__in=ACTIVE_CATEGORIES)
            .select_related("status")
            .order_by("-created_at")[:OTHER_TICKETS]
        )
        if found.other_tickets
        else []
    )
    return context
