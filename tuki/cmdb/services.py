"""The only way in: every write to the configuration database (docs/cmdb.md).

Each function checks the actor's right (tuki/cmdb/access.py), validates (a `ServiceError`
naming the field: `attributes.<key>` for a class attribute), writes in one transaction and
records the change in the item's history. `data_source` names the discovery tool or import
that made a change ("" for a person); reconciliation decides which source may set which
attribute (tuki/cmdb/reconcile.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _, gettext_lazy as _lazy

from tuki.cmdb import access
from tuki.cmdb.models import (
    AffectedItem,
    AttributeType,
    CIAttribute,
    CIClass,
    CIHistory,
    ConfigurationItem,
    HistoryAction,
    Lifecycle,
    MaintenanceWindow,
    Relation,
    RelationType,
)
from tuki.lib.errors import ServiceError
from tuki.tickets import access as ticket_access, services as ticket_services
from tuki.tickets.models import EventAction, Ticket

if TYPE_CHECKING:
    from tuki.accounts.models import User

# The item's own fields a change may name (besides `attributes`).
FIELDS = (
    "name",
    "ci_class",
    "lifecycle",
    "description",
    "organisation",
    "location",
    "owner",
    "support_group",
    "service",
    "serial_number",
    "hostname",
    "asset_tag",
    "quorum",
)
IDENTIFIERS = ("serial_number", "hostname", "asset_tag")
_MAX_LENGTHS = {
    f.name: f.max_length or 255
    for f in ConfigurationItem._meta.concrete_fields
    if f.name in IDENTIFIERS
}
IDENTIFIER_LABELS = {
    "serial_number": _lazy("serial number"),
    "hostname": _lazy("host name"),
    "asset_tag": _lazy("asset tag"),
}


def class_attributes(ci_class: CIClass) -> list[CIAttribute]:
    """The attributes of a class and of its ancestors, the ancestors' first."""
    lineage = ci_class.lineage()
    found = list(CIAttribute.objects.filter(ci_class__in=lineage))
    depth = {c.pk: i for i, c in enumerate(lineage)}
    found.sort(key=lambda a: (-depth[a.ci_class_id], a.order, a.key))
    return found


def _parse(attribute: CIAttribute, raw: Any) -> Any:
    """One attribute's value as stored in JSON, or a ServiceError naming it."""
    field = f"attributes.{attribute.key}"
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if attribute.required:
            raise ServiceError(_("This attribute is required."), field=field, code="required")
        return None
    kind = attribute.type
    try:
        if kind == AttributeType.INTEGER:
            if isinstance(raw, bool):
                raise ValueError
            value = Decimal(str(raw).strip())
            if value != value.to_integral_value():
                raise ValueError
            return int(value)
        if kind == AttributeType.DECIMAL:
            if isinstance(raw, bool):
                raise ValueError
            number = Decimal(str(raw).strip().replace(",", "."))
            if not number.is_finite():
                raise ValueError
            return float(number)
        if kind == AttributeType.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on", "y"):
                return True
            if text in ("0", "false", "no", "off", "n"):
                return False
            raise ValueError
        if kind == AttributeType.DATE:
            if isinstance(raw, datetime):
                return raw.date().isoformat()
            if isinstance(raw, date):
                return raw.isoformat()
            return date.fromisoformat(str(raw).strip()).isoformat()
        if kind == AttributeType.CHOICE:
            text = str(raw).strip()
            allowed = attribute.choice_list()
            if text not in allowed:
                raise ServiceError(
                    _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)},
                    field=field,
                    code="invalid_choice",
                )
            return text
    except (ValueError, InvalidOperation, ArithmeticError):
        messages = {
            AttributeType.INTEGER: _("Enter a whole number."),
            AttributeType.DECIMAL: _("Enter a number."),
            AttributeType.BOOLEAN: _("Enter yes or no."),
            AttributeType.DATE: _("Enter a date as YYYY-MM-DD."),
        }
        raise ServiceError(messages[AttributeType(kind)], field=field, code="invalid") from None
    text = str(raw).strip()
    if len(text) > 1000:
        raise ServiceError(_("At most 1,000 characters."), field=field, code="too_long")
    return text


def clean_attributes(
    ci_class: CIClass, values: Mapping[str, Any], *, current: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """`current` with `values` applied, each checked against the class's attributes.

    An unknown key is refused; a required attribute missing from both is refused too.
    """
    known = {a.key: a for a in class_attributes(ci_class)}
    result = {k: v for k, v in (current or {}).items() if k in known}
    for key, raw in values.items():
        attribute = known.get(key)
        if attribute is None:
            raise ServiceError(
                _("%(class)s has no attribute %(key)s.") % {"class": ci_class.name, "key": key},
                field=f"attributes.{key}",
                code="unknown_attribute",
            )
        value = _parse(attribute, raw)
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    for key, attribute in known.items():
        if attribute.required and key not in result:
            raise ServiceError(
                _("This attribute is required."), field=f"attributes.{key}", code="required"
            )
    return result


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def check_fields(values: Mapping[str, Any]) -> None:
    name = values.get("name")
    if "name" in values and (not isinstance(name, str) or not name.strip()):
        raise ServiceError(_("A name is required."), field="name", code="required")
    if "name" in values and len(name.strip()) > 200:  # type: ignore[union-attr]
        raise ServiceError(_("At most 200 characters."), field="name", code="too_long")
    if "lifecycle" in values and values["lifecycle"] not in Lifecycle.values:
        raise ServiceError(_("Unknown lifecycle state."), field="lifecycle", code="invalid")
    quorum = values.get("quorum")
    if quorum is not None and (not isinstance(quorum, int) or quorum < 1):
        raise ServiceError(_("Enter a whole number of at least 1."), field="quorum")
    for key in IDENTIFIERS:
        text = values.get(key)
        limit = _MAX_LENGTHS[key]
        if text is not None and (not isinstance(text, str) or len(text) > limit):
            raise ServiceError(
                _("At most %(count)d characters.") % {"count": limit}, field=key, code="too_long"
            )


def normalise_identifiers(values: dict[str, Any]) -> dict[str, Any]:
    """Identifiers compared as discovery tools send them: trimmed; host names in lower case."""
    for key in IDENTIFIERS:
        if key in values and isinstance(values[key], str):
            values[key] = values[key].strip()
    if isinstance(values.get("hostname"), str):
        values["hostname"] = values["hostname"].lower().rstrip(".")
    return values


def _duplicate(ci: ConfigurationItem) -> ServiceError | None:
    """The identifier another current item already has, as a field error."""
    if ci.lifecycle == Lifecycle.RETIRED:
        return None
    others = ConfigurationItem.objects.exclude(pk=ci.pk).exclude(lifecycle=Lifecycle.RETIRED)
    for key in IDENTIFIERS:
        value = getattr(ci, key)
        if value and others.filter(**{key: value}).exists():
            return ServiceError(
                _("Another item already has this %(field)s.") % {"field": IDENTIFIER_LABELS[key]},
                field=key,
                code="duplicate",
            )
    return None


def _save(ci: ConfigurationItem) -> None:
    error = _duplicate(ci)
    if error is not None:
        raise error
    try:
        with transaction.atomic():
            ci.save()
    except IntegrityError:  # a concurrent writer took the identifier meanwhile
        raise _duplicate(ci) or ServiceError(
            _("Another item already has this identifier."), field="name", code="duplicate"
        ) from None


def _history(
    ci: ConfigurationItem,
    actor: User | None,
    action: str,
    *,
    data_source: str = "",
    field: str = "",
    old: Any = None,
    new: Any = None,
    related: ConfigurationItem | None = None,
    at: datetime | None = None,
) -> CIHistory:
    return CIHistory(
        ci=ci,
        at=at or timezone.now(),
        actor=actor,
        data_source=data_source,
        action=action,
        field=field,
        old_value=_shown(old)[:2000],
        new_value=_shown(new)[:2000],
        related=related,
    )


def create_item(
    actor: User | None,
    *,
    name: str,
    ci_class: CIClass,
    attributes: Mapping[str, Any] | None = None,
    data_source: str = "",
    **fields: Any,
) -> ConfigurationItem:
    """Add an item. `actor` None is the system (a discovery source with its own token check)."""
    if actor is not None and not access.is_cmdb_admin(actor):
        raise PermissionDenied
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ServiceError(
            _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]},
            field=sorted(unknown)[0],
            code="unknown_field",
        )
    values = normalise_identifiers({"name": name, **fields})
    check_fields(values)
    values["name"] = values["name"].strip()
    cleaned = clean_attributes(ci_class, attributes or {})
    now = timezone.now()
    source = data_source or "manual"
    with transaction.atomic():
        ci = ConfigurationItem(
            ci_class=ci_class, attributes=cleaned, created_at=now, updated_at=now
        )
        for key, value in values.items():
            setattr(ci, key, value)
        ci.sources = {key: source for key in [*values, *cleaned]}
        _save(ci)
        _history(ci, actor, HistoryAction.CREATED, data_source=data_source, at=now).save()
    return ci


def update_item(
    actor: User | None,
    ci: ConfigurationItem,
    *,
    attributes: Mapping[str, Any] | None = None,
    data_source: str = "",
    **fields: Any,
) -> list[str]:
    """Change an item's fields and attributes; returns what changed (attributes as
    `attributes.<key>`), each recorded in the history with old → new."""
    if actor is not None and not access.may_change(actor, ci):
        raise PermissionDenied
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ServiceError(
            _("Unknown field: %(field)s.") % {"field": sorted(unknown)[0]},
            field=sorted(unknown)[0],
            code="unknown_field",
        )
    values = normalise_identifiers(dict(fields))
    check_fields(values)
    if "name" in values:
        values["name"] = values["name"].strip()
    with transaction.atomic():
        locked = ConfigurationItem.objects.select_for_update().get(pk=ci.pk)
        ci_class = values.get("ci_class", locked.ci_class)
        cleaned = clean_attributes(ci_class, attributes or {}, current=locked.attributes)
        now = timezone.now()
        source = data_source or "manual"
        rows: list[CIHistory] = []
        changed: list[str] = []
        for key, value in values.items():
            old = getattr(locked, key)
            if old == value:
                continue
            setattr(locked, key, value)
            locked.sources[key] = source
            changed.append(key)
            rows.append(
                _history(
                    locked,
                    actor,
                    HistoryAction.CHANGED,
                    data_source=data_source,
                    field=key,
                    old=old,
                    new=value,
                    at=now,
                )
            )
        for key in sorted(set(locked.attributes) | set(cleaned)):
            old, new = locked.attributes.get(key), cleaned.get(key)
            if old == new:
                continue
            locked.sources[key] = source
            changed.append(f"attributes.{key}")
            rows.append(
                _history(
                    locked,
                    actor,
                    HistoryAction.CHANGED,
                    data_source=data_source,
                    field=f"attributes.{key}",
                    old=old,
                    new=new,
                    at=now,
                )
            )
        if not changed:
            return []
        locked.attributes = cleaned
        locked.updated_at = now
        _save(locked)
        CIHistory.objects.bulk_create(rows)
    for key in values:
        setattr(ci, key, getattr(locked, key))
    ci.attributes, ci.sources, ci.updated_at = locked.attributes, locked.sources, now
    return changed


def add_relation(
    actor: User | None,
    source: ConfigurationItem,
    type: str,
    target: ConfigurationItem,
    *,
    data_source: str = "",
) -> Relation:
    """`source` runs on / depends on / is connected to / is a member of `target`.

    Adding a relation that already exists returns it unchanged."""
    if type not in RelationType.values:
        raise ServiceError(_("Unknown relation type."), field="type", code="invalid")
    if source.pk == target.pk:
        raise ServiceError(_("An item cannot relate to itself."), field="target", code="itself")
    if actor is not None and not (
        access.may_change(actor, source) or access.may_change(actor, target)
    ):
        raise PermissionDenied
    if type == RelationType.MEMBER_OF and not target.ci_class.is_cluster:
        raise ServiceError(
            _("Only a redundant group (a cluster) has members."), field="target", code="not_cluster"
        )
    with transaction.atomic():
        current = Relation.objects.filter(
            source=source, target=target, type=type, removed_at__isnull=True
        ).first()
        if current is not None:
            return current
        now = timezone.now()
        try:
            with transaction.atomic():
                relation = Relation.objects.create(
                    source=source,
                    target=target,
                    type=type,
                    created_at=now,
                    created_by=actor,
                    data_source=data_source,
                )
        except IntegrityError:  # added meanwhile by another writer
            return Relation.objects.get(
                source=source, target=target, type=type, removed_at__isnull=True
            )
        label = RelationType(type).label
        CIHistory.objects.bulk_create(
            [
                _history(
                    source,
                    actor,
                    HistoryAction.RELATION_ADDED,
                    data_source=data_source,
                    field=type,
                    new=f"{label} {target.name}",
                    related=target,
                    at=now,
                ),
                _history(
                    target,
                    actor,
                    HistoryAction.RELATION_ADDED,
                    data_source=data_source,
                    field=type,
                    new=f"{source.name} {label}",
                    related=source,
                    at=now,
                ),
            ]
        )
    return relation


def remove_relation(actor: User | None, relation: Relation, *, data_source: str = "") -> None:
    """End a relation; its row stays, with when and by whom it ended."""
    if actor is not None and not access.may_change_relation(actor, relation):
        raise PermissionDenied
    with transaction.atomic():
        now = timezone.now()
        ended = Relation.objects.filter(pk=relation.pk, removed_at__isnull=True).update(
            removed_at=now, removed_by=actor
        )
        if not ended:
            return
        relation.removed_at, relation.removed_by = now, actor
        label = RelationType(relation.type).label
        source, target = relation.source, relation.target
        CIHistory.objects.bulk_create(
            [
                _history(
                    source,
                    actor,
                    HistoryAction.RELATION_REMOVED,
                    data_source=data_source,
                    field=relation.type,
                    old=f"{label} {target.name}",
                    related=target,
                    at=now,
                ),
                _history(
                    target,
                    actor,
                    HistoryAction.RELATION_REMOVED,
                    data_source=data_source,
                    field=relation.type,
                    old=f"{source.name} {label}",
                    related=source,
                    at=now,
                ),
            ]
        )


def plan_maintenance(
    actor: User | None,
    ci: ConfigurationItem,
    *,
    starts_at: datetime,
    ends_at: datetime,
    reason: str = "",
    ticket: Ticket | None = None,
) -> MaintenanceWindow:
    if actor is not None and not access.may_change(actor, ci):
        raise PermissionDenied
    if ends_at <= starts_at:
        raise ServiceError(_("The end is before the start."), field="ends_at", code="range")
    with transaction.atomic():
        window = MaintenanceWindow.objects.create(
            ci=ci,
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason[:300],
            ticket=ticket,
            created_by=actor,
        )
        _history(
            ci,
            actor,
            HistoryAction.MAINTENANCE,
            field="maintenance",
            new=f"{starts_at.isoformat()} - {ends_at.isoformat()} {reason}".strip(),
        ).save()
    return window


def in_maintenance(ci_ids: Iterable[int], at: datetime | None = None) -> set[int]:
    """Which of these items are inside a maintenance window at `at` (now)."""
    at = at or timezone.now()
    ids = list(ci_ids)
    if not ids:
        return set()
    return set(
        MaintenanceWindow.objects.filter(
            ci_id__in=ids, starts_at__lte=at, ends_at__gt=at
        ).values_list("ci_id", flat=True)
    )


def _affected_names(ticket: Ticket) -> str:
    return ", ".join(
        AffectedItem.objects.filter(ticket=ticket)
        .order_by("ci__name")
        .values_list("ci__name", flat=True)
    )


def name_affected(
    actor: User | None, ticket: Ticket, items: Iterable[ConfigurationItem]
) -> list[AffectedItem]:
    """The ticket is about these items too; those already named are left as they are. The
    change is an event in the ticket's timeline (field `affected_items`)."""
    if actor is not None and not (
        Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists()
        and ticket_access.can_work(actor, ticket)
    ):
        raise PermissionDenied
    wanted = {ci.pk: ci for ci in items}
    with transaction.atomic():
        there = set(
            AffectedItem.objects.filter(ticket=ticket, ci_id__in=wanted).values_list(
                "ci_id", flat=True
            )
        )
        rows = [
            AffectedItem(ticket=ticket, ci=ci, added_by=actor)
            for pk, ci in wanted.items()
            if pk not in there
        ]
        if not rows:
            return []
        before = _affected_names(ticket)
        AffectedItem.objects.bulk_create(rows, ignore_conflicts=True)
        ticket_services.record_event(
            ticket,
            actor,
            EventAction.FIELD,
            field="affected_items",
            old=before,
            new=_affected_names(ticket),
            touch=True,
        )
    return rows


def unname_affected(actor: User | None, ticket: Ticket, ci: ConfigurationItem) -> None:
    if actor is not None and not (
        Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists()
        and ticket_access.can_work(actor, ticket)
    ):
        raise PermissionDenied
    with transaction.atomic():
        before = _affected_names(ticket)
        if not AffectedItem.objects.filter(ticket=ticket, ci=ci).delete()[0]:
            return
        ticket_services.record_event(
            ticket,
            actor,
            EventAction.FIELD,
            field="affected_items",
            old=before,
            new=_affected_names(ticket),
            touch=True,
        )
