"""An item's neighbourhood for the drawing on its page: the items within a few hops through
current relations, walked only through items the reader may read, capped in size.

Queries: two per hop (the relations around the frontier, which of their ends are readable),
then the nodes with their classes and who is in maintenance now: six for two hops, whatever
the size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext

from tuki.cmdb import services
from tuki.cmdb.models import ConfigurationItem, Relation

HOPS = 2
MAX_NODES = 150


@dataclass
class Neighbourhood:
    centre: int
    nodes: list[ConfigurationItem] = field(default_factory=list)
    edges: list[tuple[int, int, str]] = field(default_factory=list)
    maintenance: set[int] = field(default_factory=set)
    truncated: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "centre": self.centre,
            "truncated": self.truncated,
            "nodes": [
                {
                    "id": ci.pk,
                    "name": ci.name,
                    "class": gettext(ci.ci_class.name),
                    "layer": ci.ci_class.layer,
                    "state": "maintenance" if ci.pk in self.maintenance else ci.lifecycle,
                    "url": reverse("cmdb:item", args=[ci.pk]),
                }
                for ci in self.nodes
            ],
            "edges": [
                {"source": source, "target": target, "type": kind}
                for source, target, kind in self.edges
            ],
        }


def around(
    ci: ConfigurationItem,
    readable: QuerySet[ConfigurationItem],
    *,
    hops: int = HOPS,
    cap: int = MAX_NODES,
) -> Neighbourhood:
    """The items within `hops` of `ci` that `readable` holds (nearer ones first when the cap
    cuts), and the current relations between them."""
    found = {ci.pk}
    frontier = {ci.pk}
    relations: dict[int, tuple[int, int, str]] = {}
    truncated = False
    for _hop in range(hops):
        rows = Relation.objects.filter(removed_at__isnull=True).filter(
            Q(source_id__in=frontier) | Q(target_id__in=frontier)
        )
        reached: set[int] = set()
        for pk, source, target, kind in rows.values_list("pk", "source_id", "target_id", "type"):
            relations[pk] = (source, target, kind)
            reached |= {source, target}
        reached -= found
        if not reached:
            break
        allowed = sorted(readable.filter(pk__in=reached).values_list("pk", flat=True))
        room = cap - len(found)
        if len(allowed) > room:
            allowed, truncated = allowed[:room], True
        found.update(allowed)
        frontier = set(allowed)
        if not frontier:
            break
    nodes = list(
        ConfigurationItem.objects.filter(pk__in=found)
        .select_related("ci_class")
        .only("pk", "name", "lifecycle", "ci_class__name", "ci_class__layer")
        .order_by("name", "pk")
    )
    edges = sorted(
        (source, target, kind)
        for source, target, kind in relations.values()
        if source in found and target in found
    )
    return Neighbourhood(
        centre=ci.pk,
        nodes=nodes,
        edges=edges,
        maintenance=services.in_maintenance(found),
        truncated=truncated,
    )
