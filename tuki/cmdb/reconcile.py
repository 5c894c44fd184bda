"""Reconciliation: which data source may overwrite what another one set (docs/cmdb.md,
"Reconciliation").

Each item remembers, per field and attribute, the source that last set it (`sources`). A
change from source S to A applies only when rank(S, A) <= rank(the source in sources[A]);
otherwise it is skipped and reported, not refused. Ranks come from `DataSource` rows (lower
wins, per attribute when the row says so); a person's edit is the source `manual`, first
unless a `manual` row says otherwise; a source without a row ranks last.

The changes that pass are written by `services.update_item`, which records the new source
of each and the history, so this module writes nothing of its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.utils.translation import gettext as _

from tuki.cmdb import access, services
from tuki.cmdb.models import MANUAL_SOURCE, ConfigurationItem, DataSource
from tuki.lib.errors import ServiceError

if TYPE_CHECKING:
    from tuki.accounts.models import User

MANUAL_RANK = 0  # a person's edit, when no `manual` row says otherwise
UNKNOWN_RANK = 1_000_000  # a source without a row, and a value no source is recorded for


class Ranking:
    """The ranks of every data source, read once (one query) for a batch of changes."""

    def __init__(self, sources: Mapping[str, DataSource]) -> None:
        self.sources = dict(sources)

    @classmethod
    def load(cls) -> Ranking:
        return cls({s.key: s for s in DataSource.objects.all()})

    def rank(self, source: str, key: str) -> int:
        row = self.sources.get(source or MANUAL_SOURCE)
        if row is not None:
            return row.rank_for(key)
        return MANUAL_RANK if (source or MANUAL_SOURCE) == MANUAL_SOURCE else UNKNOWN_RANK

    def may_set(self, source: str, key: str, last: str | None) -> bool:
        """Whether `source` may overwrite `key`, which `last` set (None: nobody recorded)."""
        if not last:
            return True
        return self.rank(source, key) <= self.rank(last, key)


@dataclass
class Outcome:
    changed: list[str] = field(default_factory=list)  # as update_item names them
    skipped: list[str] = field(default_factory=list)  # kept: a source of higher precedence set it


def _same(ci: ConfigurationItem, key: str, value: Any) -> bool:
    model_field = ConfigurationItem._meta.get_field(key)
    if isinstance(model_field, models.ForeignKey):  # a one-to-one too
        return bool(getattr(ci, model_field.attname) == getattr(value, "pk", value))
    return bool(getattr(ci, key) == value)


def update(
    actor: User | None,
    ci: ConfigurationItem,
    *,
    source: str,
    attributes: Mapping[str, Any] | None = None,
    ranking: Ranking | None = None,
    **fields: Any,
) -> Outcome:
    """`services.update_item` with the changes `source` may make; the others are skipped.

    A value equal to the current one is neither a change nor skipped. Invalid values are
    refused (ServiceError) even where they would be skipped. `source` "" or "manual" is a
    person's edit."""
    if actor is not None and not access.may_change(actor, ci):
        raise PermissionDenied
    unknown = sorted(set(fields) - set(services.FIELDS))
    if unknown:
        raise ServiceError(
            _("Unknown field: %(field)s.") % {"field": unknown[0]},
            field=unknown[0],
            code="unknown_field",
        )
    ranking = ranking or Ranking.load()
    source = source or MANUAL_SOURCE
    values = services.normalise_identifiers(dict(fields))
    services.check_fields(values)
    outcome = Outcome()
    with transaction.atomic():
        # Locked first: the sources read here are those the write replaces.
        locked = (
            ConfigurationItem.objects.select_for_update().select_related("ci_class").get(pk=ci.pk)
        )
        passing: dict[str, Any] = {}
        for key, value in values.items():
            if _same(locked, key, value):
                continue
            if ranking.may_set(source, key, locked.sources.get(key)):
                passing[key] = value
            else:
                outcome.skipped.append(key)
        ci_class = passing.get("ci_class", locked.ci_class)
        wanted = dict(attributes or {})
        merged = services.clean_attributes(ci_class, wanted, current=locked.attributes)
        passing_attributes: dict[str, Any] = {}
        for key, raw in wanted.items():
            if merged.get(key) == locked.attributes.get(key):
                continue
            if ranking.may_set(source, key, locked.sources.get(key)):
                passing_attributes[key] = raw
            else:
                outcome.skipped.append(f"attributes.{key}")
        if passing or passing_attributes:
            outcome.changed = services.update_item(
                actor,
                ci,
                attributes=passing_attributes,
                data_source="" if source == MANUAL_SOURCE else source,
                **passing,
            )
    return outcome
