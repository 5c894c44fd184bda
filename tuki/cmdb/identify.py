"""Identification: which existing item an incoming record is (docs/cmdb.md, "Identification").

In order: the serial number, the host name (compared in lower case, without a trailing
dot), the asset tag, then, for a source that allows it, the name within the class. A
current item wins over a retired one with the same identifier, and a newer retired one
over an older. A record whose identifiers find two different items is a conflict: nothing
is written for it, so that two items are never merged by a guess.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from tuki.cmdb.models import CIClass, ConfigurationItem, Lifecycle
from tuki.cmdb.services import IDENTIFIERS, normalise_identifiers


@dataclass
class Identified:
    item: ConfigurationItem | None = None
    by: str = ""  # the identifier that found it: serial_number, hostname, asset_tag or name
    # On a conflict: each identifier that found an item, with the item (two differ).
    conflict: list[tuple[str, ConfigurationItem]] = field(default_factory=list)


def _best(candidates: list[ConfigurationItem]) -> ConfigurationItem | None:
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c.lifecycle == Lifecycle.RETIRED, -c.pk))


def identify(
    record: Mapping[str, Any], *, ci_class: CIClass | None = None, by_name: bool = False
) -> Identified:
    """The item `record` (serial_number, hostname, asset_tag, name) is, if any.

    One query for the identifiers, one more for the name when nothing else found it."""
    values = normalise_identifiers(
        {k: record[k] for k in IDENTIFIERS if isinstance(record.get(k), str)}
    )
    given = {k: v for k, v in values.items() if v}
    found: dict[str, ConfigurationItem] = {}
    if given:
        query = Q()
        for key, value in given.items():
            query |= Q(**{key: value})
        rows = list(ConfigurationItem.objects.filter(query).select_related("ci_class"))
        for key in IDENTIFIERS:
            if key in given:
                best = _best([r for r in rows if getattr(r, key) == given[key]])
                if best is not None:
                    found[key] = best
    if len({item.pk for item in found.values()}) > 1:
        return Identified(conflict=list(found.items()))
    if found:
        by, item = next(iter(found.items()))
        return Identified(item=item, by=by)
    name = record.get("name")
    if by_name and ci_class is not None and isinstance(name, str) and name.strip():
        named = list(
            ConfigurationItem.objects.filter(name=name.strip(), ci_class=ci_class)
            .exclude(lifecycle=Lifecycle.RETIRED)
            .select_related("ci_class")[:2]
        )
        if len(named) == 1:
            return Identified(item=named[0], by="name")
        if len(named) > 1:
            return Identified(conflict=[("name", named[0]), ("name", named[1])])
    return Identified()
