"""Feeding the configuration database: records from a discovery tool (the upsert API) or a
CSV file, each identified (identify.py), created or reconciled (reconcile.py), its
relations added (docs/cmdb.md, "Feeding the CMDB").

Each record is written in its own savepoint, so one bad record loses only itself. Relations
are added after every record of the batch is in, so a record may name a target that comes
later in the same batch; a feed adds relations and never removes one (it cannot tell an
absent relation from one it does not discover).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.cmdb import reconcile, services
from tuki.cmdb.identify import Identified, identify
from tuki.cmdb.models import (
    CIClass,
    ConfigurationItem,
    DataSource,
    Lifecycle,
    Relation,
    RelationType,
)
from tuki.lib.errors import ServiceError

if TYPE_CHECKING:
    from tuki.accounts.models import User as Actor

# The item's fields a record may give, besides `class`, `attributes` and `relations`.
TEXT_FIELDS = ("name", "serial_number", "hostname", "asset_tag", "lifecycle", "description")
NAMED_FIELDS = ("organisation", "location", "support_group", "owner")  # by name; owner by email
RECORD_FIELDS = ("class", *TEXT_FIELDS, *NAMED_FIELDS)
MAX_ITEMS = 1000  # records in one upsert call


class Status:
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    CONFLICT = "conflict"
    ERROR = "error"


@dataclass
class FieldError:
    field: str
    message: str
    code: str = "invalid"


@dataclass
class ItemResult:
    index: int
    status: str
    id: int | None = None
    name: str = ""
    changed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    relations_added: int = 0


@dataclass
class _Pending:
    result: ItemResult
    item: ConfigurationItem
    relations: Sequence[Mapping[str, Any]]


def _error(index: int, name: str, exc: ServiceError) -> ItemResult:
    return ItemResult(
        index,
        Status.ERROR,
        name=name,
        errors=[FieldError(exc.field or "", str(exc.message), exc.code or "invalid")],
    )


class Feed:
    """One batch of records from one data source. `actor` None is the system (a command);
    otherwise the actor's rights are checked by the services."""

    def __init__(
        self, actor: Actor | None, source: DataSource, *, default_class: CIClass | None = None
    ) -> None:
        self.actor = actor
        self.source = source
        self.default_class = default_class
        self.classes = {c.key: c for c in CIClass.objects.all()}
        self.ranking = reconcile.Ranking.load()
        self._named: dict[tuple[str, str], Any] = {}

    # --- one record ---------------------------------------------------------------------

    def _lookup(self, key: str, value: str) -> Any:
        cache_key = (key, value.strip().lower())
        if cache_key not in self._named:
            text = value.strip()
            model: type[Any] = {
                "organisation": Organisation,
                "location": Location,
                "support_group": SupportGroup,
            }.get(key, User)
            lookup = {"email__iexact": text} if model is User else {"name__iexact": text}
            self._named[cache_key] = model.objects.filter(**lookup).first()
        found = self._named[cache_key]
        if found is None:
            message = (
                _("No person with this email address.")
                if key == "owner"
                else _("No %(field)s with this name.") % {"field": key.replace("_", " ")}
            )
            raise ServiceError(message, field=key, code="not_found")
        return found

    def parse(
        self, record: Mapping[str, Any]
    ) -> tuple[CIClass | None, dict[str, Any], dict[str, Any]]:
        """The record's class, fields (as update_item takes them) and attributes."""
        class_key = record.get("class")
        ci_class = self.default_class
        if class_key not in (None, ""):
            ci_class = self.classes.get(str(class_key).strip())
            if ci_class is None:
                raise ServiceError(_("Unknown class."), field="class", code="unknown_class")
        fields: dict[str, Any] = {}
        for key in TEXT_FIELDS:
            value = record.get(key)
            if value is None:
                continue
            if not isinstance(value, str):
                raise ServiceError(_("Enter text."), field=key, code="invalid")
            fields[key] = value.strip() if key != "description" else value
        if "lifecycle" in fields and fields["lifecycle"] not in Lifecycle.values:
            raise ServiceError(_("Unknown lifecycle state."), field="lifecycle", code="invalid")
        for key in NAMED_FIELDS:
            value = record.get(key)
            if isinstance(value, str) and value.strip():
                fields[key] = self._lookup(key, value)
        attributes = record.get("attributes") or {}
        if not isinstance(attributes, Mapping):
            raise ServiceError(_("Enter an object."), field="attributes", code="invalid")
        return ci_class, fields, dict(attributes)

    def _find(self, record: Mapping[str, Any], ci_class: CIClass | None) -> Identified:
        # A record without any identifier (a service, an application) is its name in its
        # class; otherwise by name only for a source that says so.
        anonymous = not any(
            isinstance(record.get(k), str) and record[k].strip() for k in services.IDENTIFIERS
        )
        return identify(record, ci_class=ci_class, by_name=anonymous or self.source.match_by_name)

    def _write(
        self, index: int, record: Mapping[str, Any]
    ) -> tuple[ItemResult, ConfigurationItem | None]:
        ci_class, fields, attributes = self.parse(record)
        found = self._find(record, ci_class)
        name = str(fields.get("name") or "")
        if found.conflict:
            described = "; ".join(
                _("%(identifier)s matches %(name)s (#%(id)s)")
                % {"identifier": key, "name": item.name, "id": item.pk}
                for key, item in found.conflict
            )
            return (
                ItemResult(
                    index,
                    Status.CONFLICT,
                    name=name,
                    errors=[
                        FieldError(
                            found.conflict[0][0],
                            _("The identifiers name different items: %(which)s.")
                            % {"which": described},
                            "conflict",
                        )
                    ],
                ),
                None,
            )
        if found.item is None:
            if ci_class is None:
                raise ServiceError(_("A class is required."), field="class", code="required")
            if not name:
                raise ServiceError(_("A name is required."), field="name", code="required")
            fields.pop("name")
            item = services.create_item(
                self.actor,
                name=name,
                ci_class=ci_class,
                attributes=attributes,
                data_source=self.source.key,
                **fields,
            )
            return ItemResult(index, Status.CREATED, id=item.pk, name=item.name), item
        item = found.item
        if ci_class is not None and ci_class.pk != item.ci_class_id:
            fields["ci_class"] = ci_class
        outcome = reconcile.update(
            self.actor,
            item,
            source=self.source.key,
            attributes=attributes,
            ranking=self.ranking,
            **fields,
        )
        status = Status.UPDATED if outcome.changed else Status.UNCHANGED
        result = ItemResult(index, status, id=item.pk, name=item.name, changed=outcome.changed)
        result.skipped = outcome.skipped
        return result, item

    def write(
        self, index: int, record: Mapping[str, Any]
    ) -> tuple[ItemResult, ConfigurationItem | None]:
        """One record in its own savepoint: written whole, or not at all."""
        name = record.get("name") if isinstance(record.get("name"), str) else ""
        try:
            with transaction.atomic():
                return self._write(index, record)
        except ServiceError as exc:
            return _error(index, str(name), exc), None

    # --- relations ----------------------------------------------------------------------

    def _target(self, spec: Any) -> ConfigurationItem:
        if not isinstance(spec, Mapping):
            raise ServiceError(_("Name the target."), code="invalid")
        target_class = None
        if spec.get("class"):
            target_class = self.classes.get(str(spec["class"]).strip())
            if target_class is None:
                raise ServiceError(_("Unknown class."), code="unknown_class")
        found = identify(spec, ci_class=target_class, by_name=True)
        if found.conflict:
            raise ServiceError(_("The identifiers name different items."), code="conflict")
        if found.item is None:
            raise ServiceError(_("No item found for this target."), code="not_found")
        return found.item

    def relate(self, pending: _Pending) -> None:
        for number, spec in enumerate(pending.relations):
            prefix = f"relations.{number}"
            try:
                with transaction.atomic():
                    if not isinstance(spec, Mapping):
                        raise ServiceError(_("Enter an object."), code="invalid")
                    kind = spec.get("type")
                    if kind not in RelationType.values:
                        raise ServiceError(
                            _("Unknown relation type."), field="type", code="invalid"
                        )
                    try:
                        target = self._target(spec.get("target"))
                    except ServiceError as exc:
                        exc.field = "target"
                        raise
                    there = Relation.objects.filter(
                        source=pending.item, target=target, type=kind, removed_at__isnull=True
                    ).exists()
                    if not there:
                        services.add_relation(
                            self.actor, pending.item, kind, target, data_source=self.source.key
                        )
                        pending.result.relations_added += 1
            except ServiceError as exc:
                field_name = f"{prefix}.{exc.field}" if exc.field else prefix
                pending.result.errors.append(
                    FieldError(field_name, str(exc.message), exc.code or "invalid")
                )
            except PermissionDenied:
                pending.result.errors.append(
                    FieldError(prefix, _("You may not change this relation."), "forbidden")
                )
        if pending.result.relations_added and pending.result.status == Status.UNCHANGED:
            pending.result.status = Status.UPDATED
        if pending.result.relations_added:
            pending.result.changed.append("relations")

    # --- the batch ----------------------------------------------------------------------

    def run(self, records: Iterable[Mapping[str, Any]], *, start: int = 0) -> list[ItemResult]:
        results: list[ItemResult] = []
        pending: list[_Pending] = []
        for index, record in enumerate(records, start=start):
            result, item = self.write(index, record)
            results.append(result)
            relations = record.get("relations") or []
            if item is not None and isinstance(relations, Sequence) and relations:
                pending.append(_Pending(result, item, relations))
        for waiting in pending:
            self.relate(waiting)
        return results


def run(
    actor: Actor | None,
    source: DataSource,
    records: Iterable[Mapping[str, Any]],
    *,
    default_class: CIClass | None = None,
    dry_run: bool = False,
) -> list[ItemResult]:
    """Feed the records; with `dry_run`, say what would happen and write nothing (the same
    work inside a transaction that is rolled back)."""
    feed = Feed(actor, source, default_class=default_class)
    if not dry_run:
        return feed.run(records)
    with transaction.atomic():
        results = feed.run(records)
        transaction.set_rollback(True)
    return results


def summary(results: Iterable[ItemResult]) -> dict[str, int]:
    counts = {
        s: 0
        for s in (Status.CREATED, Status.UPDATED, Status.UNCHANGED, Status.CONFLICT, Status.ERROR)
    }
    for result in results:
        counts[result.status] += 1
    return counts
