"""The configuration database over REST (/api/v1/cmdb/): items, relations, classes, and the
upsert that discovery tools feed (docs/cmdb.md, "API" and "Feeding the CMDB").

Items are read through cmdb/access.py: what the caller may not read is a 404 (requesters
read nothing); writes go through cmdb/services.py, a person's edit reconciled as the source
`manual` (reconcile.py). The upsert is for staff administrators; each of its items is
written in its own savepoint and answered with its own result.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.cmdb import access, feed, reconcile, services
from tuki.cmdb.models import CIClass, ConfigurationItem, DataSource, Relation
from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest

router = Router(tags=["cmdb"])

LayerCode = Literal["business", "application", "technical", "component"]
LifecycleCode = Literal["planned", "ordered", "in_stock", "operational", "retired"]
RelationCode = Literal["runs_on", "depends_on", "connected_to", "member_of"]


# --- output ----------------------------------------------------------------------------------


class AttributeOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    choices: list[str]
    unit: str
    defined_by: str = Field(description="The class (this one or an ancestor) that defines it")


class ClassOut(Schema):
    id: int
    key: str
    name: str
    layer: str
    parent: str | None = Field(None, description="The parent class's key")
    is_cluster: bool
    attributes: list[AttributeOut]


class ItemSummary(Schema):
    id: int
    name: str
    ci_class: str = Field(alias="class", description="The class's key")
    layer: str
    lifecycle: str
    serial_number: str
    hostname: str
    asset_tag: str
    updated_at: datetime


class ItemPage(Schema):
    items: list[ItemSummary]
    next_cursor: int | None = Field(
        None, description="Pass as `cursor` for the next page; null on the last page"
    )


class RelationOut(Schema):
    id: int
    type: str
    direction: Literal["out", "in"] = Field(
        description="out: this item → the other (this item runs on it); in: the other → this"
    )
    item: ItemSummary
    data_source: str
    created_at: datetime


class ItemDetail(ItemSummary):
    description: str
    organisation: str | None
    location: str | None
    support_group: str | None
    owner: str | None = Field(None, description="The owner's email address")
    quorum: int | None
    attributes: dict[str, Any]
    sources: dict[str, str] = Field(description="Which data source last set each field")
    created_at: datetime
    relations: list[RelationOut] = Field(description="Current relations to items you may read")


class ItemChanged(ItemDetail):
    changed: list[str]
    skipped: list[str] = Field(
        description="Not changed: set by a data source of higher precedence (reconciliation)"
    )


class FieldErrorOut(Schema):
    field: str
    msg: str
    type: str


class UpsertResult(Schema):
    index: int
    status: Literal["created", "updated", "unchanged", "conflict", "error"]
    id: int | None
    name: str
    changed: list[str]
    skipped: list[str]
    errors: list[FieldErrorOut]
    relations_added: int


class UpsertOut(Schema):
    source: str
    summary: dict[str, int]
    items: list[UpsertResult]


# --- input -----------------------------------------------------------------------------------


class ItemFilters(Schema):
    ci_class: str | None = Field(None, alias="class", max_length=60, description="A class key")
    layer: LayerCode | None = None
    lifecycle: LifecycleCode | None = None
    q: str | None = Field(None, max_length=200, description="In the name or an identifier")
    hostname: str | None = Field(None, max_length=255)
    serial_number: str | None = Field(None, max_length=100)
    cursor: int | None = Field(None, ge=1, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class TargetIn(Schema):
    serial_number: str | None = Field(None, max_length=100)
    hostname: str | None = Field(None, max_length=255)
    asset_tag: str | None = Field(None, max_length=100)
    name: str | None = Field(None, max_length=200)
    ci_class: str | None = Field(None, alias="class", max_length=60)


class UpsertRelationIn(Schema):
    type: RelationCode
    target: TargetIn


class UpsertItemIn(Schema):
    ci_class: str | None = Field(None, alias="class", max_length=60)
    name: str | None = Field(None, max_length=200)
    serial_number: str | None = Field(None, max_length=100)
    hostname: str | None = Field(None, max_length=255)
    asset_tag: str | None = Field(None, max_length=100)
    lifecycle: str | None = Field(None, max_length=20)
    description: str | None = None
    organisation: str | None = Field(None, max_length=200, description="By name")
    location: str | None = Field(None, max_length=200, description="By name")
    support_group: str | None = Field(None, max_length=200, description="By name")
    owner: str | None = Field(None, max_length=254, description="By email address")
    attributes: dict[str, Any] = Field(default_factory=dict)
    relations: list[UpsertRelationIn] = Field(default_factory=list)


class UpsertIn(Schema):
    source: str = Field(max_length=60, description="A data source's key (sccm, vcenter, csv)")
    items: list[UpsertItemIn] = Field(max_length=feed.MAX_ITEMS)


class ItemIn(Schema):
    ci_class: str = Field(alias="class", max_length=60)
    name: str = Field(max_length=200)
    lifecycle: LifecycleCode = "operational"
    description: str = ""
    organisation: Id | None = None
    location: Id | None = None
    support_group: Id | None = None
    owner: Id | None = None
    serial_number: str = Field("", max_length=100)
    hostname: str = Field("", max_length=255)
    asset_tag: str = Field("", max_length=100)
    quorum: int | None = Field(None, ge=1, le=1000)
    attributes: dict[str, Any] = Field(default_factory=dict)


class ItemPatch(Schema):
    ci_class: str | None = Field(None, alias="class", max_length=60)
    name: str | None = Field(None, max_length=200)
    lifecycle: LifecycleCode | None = None
    description: str | None = None
    organisation: Id | None = None
    location: Id | None = None
    support_group: Id | None = None
    owner: Id | None = None
    serial_number: str | None = Field(None, max_length=100)
    hostname: str | None = Field(None, max_length=255)
    asset_tag: str | None = Field(None, max_length=100)
    quorum: int | None = Field(None, ge=1, le=1000)
    attributes: dict[str, Any] | None = None


class RelationIn(Schema):
    type: RelationCode
    target: Id = Field(description="The other item's id: this item <type> it")


# --- helpers ---------------------------------------------------------------------------------


def _reader(request: ApiRequest) -> User:
    user = request.auth
    if not access.may_read(user):
        raise Http404("No configuration database here")
    return user


def _summary(ci: ConfigurationItem) -> dict[str, Any]:
    return {
        "id": ci.pk,
        "name": ci.name,
        "class": ci.ci_class.key,
        "layer": ci.ci_class.layer,
        "lifecycle": ci.lifecycle,
        "serial_number": ci.serial_number,
        "hostname": ci.hostname,
        "asset_tag": ci.asset_tag,
        "updated_at": ci.updated_at,
    }


def _relations(user: User, ci: ConfigurationItem) -> list[dict[str, Any]]:
    readable = access.readable_q(user)
    current = Relation.objects.filter(removed_at__isnull=True).select_related(
        "source__ci_class", "target__ci_class"
    )
    outgoing = current.filter(source=ci).filter(
        target__in=ConfigurationItem.objects.filter(readable)
    )
    incoming = current.filter(target=ci).filter(
        source__in=ConfigurationItem.objects.filter(readable)
    )
    rows = [(r, "out", r.target) for r in outgoing] + [(r, "in", r.source) for r in incoming]
    return [
        {
            "id": r.pk,
            "type": r.type,
            "direction": direction,
            "item": _summary(other),
            "data_source": r.data_source,
            "created_at": r.created_at,
        }
        for r, direction, other in rows
    ]


def _detail(user: User, ci: ConfigurationItem) -> dict[str, Any]:
    return _summary(ci) | {
        "description": ci.description,
        "organisation": ci.organisation.name if ci.organisation else None,
        "location": ci.location.name if ci.location else None,
        "support_group": ci.support_group.name if ci.support_group else None,
        "owner": ci.owner.email if ci.owner else None,
        "quorum": ci.quorum,
        "attributes": ci.attributes,
        "sources": {k: str(v) for k, v in ci.sources.items()},
        "created_at": ci.created_at,
        "relations": _relations(user, ci),
    }


def _class(key: str, field: str = "class") -> CIClass:
    found = CIClass.objects.filter(key=key).first()
    if found is None:
        raise ServiceError(_("Unknown class."), field=field, code="unknown_class")
    return found


def _references(values: dict[str, Any]) -> dict[str, Any]:
    """Ids of organisations, locations, groups and people as the rows (a 422 if unknown)."""
    models: dict[str, Any] = {
        "organisation": Organisation,
        "location": Location,
        "support_group": SupportGroup,
        "owner": User,
    }
    for key, model in models.items():
        if values.get(key) is not None:
            row = model.objects.filter(pk=values[key]).first()
            if row is None:
                raise ServiceError(_("Not found."), field=key, code="not_found")
            values[key] = row
    if values.get("ci_class") is not None:
        values["ci_class"] = _class(values["ci_class"])
    return values


# --- endpoints -------------------------------------------------------------------------------


@router.get("/classes", response=list[ClassOut], summary="CI classes with their attributes")
def list_classes(request: ApiRequest) -> list[dict[str, Any]]:
    _reader(request)
    classes = list(CIClass.objects.select_related("parent").prefetch_related("attributes"))
    by_pk = {c.pk: c for c in classes}
    out = []
    for ci_class in classes:
        lineage: list[CIClass] = []
        seen: set[int] = set()
        current: CIClass | None = ci_class
        while current is not None and current.pk not in seen:
            seen.add(current.pk)
            lineage.append(current)
            current = by_pk.get(current.parent_id) if current.parent_id else None
        attributes = [
            {
                "key": a.key,
                "label": a.label,
                "type": a.type,
                "required": a.required,
                "choices": a.choice_list(),
                "unit": a.unit,
                "defined_by": owner.key,
            }
            for owner in reversed(lineage)
            for a in owner.attributes.all()
        ]
        out.append(
            {
                "id": ci_class.pk,
                "key": ci_class.key,
                "name": ci_class.name,
                "layer": ci_class.layer,
                "parent": ci_class.parent.key if ci_class.parent else None,
                "is_cluster": ci_class.is_cluster,
                "attributes": attributes,
            }
        )
    return out


def _filtered(user: User, f: ItemFilters) -> QuerySet[ConfigurationItem]:
    qs = ConfigurationItem.objects.filter(access.readable_q(user))
    if f.ci_class:
        qs = qs.filter(ci_class__key=f.ci_class)
    if f.layer:
        qs = qs.filter(ci_class__layer=f.layer)
    if f.lifecycle:
        qs = qs.filter(lifecycle=f.lifecycle)
    if f.hostname:
        qs = qs.filter(hostname=f.hostname.strip().lower().rstrip("."))
    if f.serial_number:
        qs = qs.filter(serial_number=f.serial_number.strip())
    if f.q and f.q.strip():
        text = f.q.strip()
        qs = qs.filter(
            Q(name__icontains=text)
            | Q(hostname__icontains=text.lower())
            | Q(serial_number__iexact=text)
            | Q(asset_tag__iexact=text)
        )
    if f.cursor is not None:
        qs = qs.filter(pk__lt=f.cursor)
    return qs


@router.get(
    "/items", response=ItemPage, by_alias=True, summary="List the configuration items you may read"
)
def list_items(request: ApiRequest, filters: Query[ItemFilters]) -> dict[str, Any]:
    user = _reader(request)
    ids = list(
        _filtered(user, filters)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .distinct()[: filters.limit + 1]
    )
    more = len(ids) > filters.limit
    ids = ids[: filters.limit]
    rows = ConfigurationItem.objects.filter(pk__in=ids).select_related("ci_class").in_bulk()
    return {
        "items": [_summary(rows[pk]) for pk in ids],
        "next_cursor": ids[-1] if more else None,
    }


@router.post(
    "/items/upsert",
    response=UpsertOut,
    by_alias=True,
    summary="Create or update items from a discovery tool (one result per item)",
)
def upsert_items(request: ApiRequest, payload: UpsertIn) -> dict[str, Any]:
    user = _reader(request)
    if not access.is_cmdb_admin(user):
        raise PermissionDenied
    source = DataSource.objects.filter(key=payload.source).first()
    if source is None:
        raise ServiceError(_("Unknown data source."), field="source", code="unknown_source")
    records = [item.dict(by_alias=True, exclude_none=True) for item in payload.items]
    results = feed.run(user, source, records)
    return {
        "source": source.key,
        "summary": feed.summary(results),
        "items": [
            {
                "index": r.index,
                "status": r.status,
                "id": r.id,
                "name": r.name,
                "changed": r.changed,
                "skipped": r.skipped,
                "errors": [{"field": e.field, "msg": e.message, "type": e.code} for e in r.errors],
                "relations_added": r.relations_added,
            }
            for r in results
        ],
    }


@router.post("/items", response={201: ItemDetail}, by_alias=True, summary="Add an item")
def create_item(request: ApiRequest, payload: ItemIn) -> tuple[int, dict[str, Any]]:
    user = _reader(request)
    values = _references(payload.dict())
    ci = services.create_item(
        user,
        name=values.pop("name"),
        ci_class=values.pop("ci_class"),
        attributes=values.pop("attributes"),
        **values,
    )
    return 201, _detail(user, access.get_item_for_user(user, ci.pk))


@router.get("/items/{id}", response=ItemDetail, by_alias=True, summary="One item")
def get_item(request: ApiRequest, id: Id) -> dict[str, Any]:
    user = _reader(request)
    return _detail(user, access.get_item_for_user(user, id))


@router.patch(
    "/items/{id}",
    response=ItemChanged,
    by_alias=True,
    summary="Change an item (a person's edit, reconciled as the source `manual`)",
)
def update_item(request: ApiRequest, id: Id, payload: ItemPatch) -> dict[str, Any]:
    user = _reader(request)
    ci = access.get_item_for_user(user, id)
    values = _references(payload.dict(exclude_unset=True))
    attributes = values.pop("attributes", None) or {}
    for key in ("name", "lifecycle", "ci_class"):
        if key in values and values[key] is None:
            raise ServiceError(_("This field cannot be empty."), field=key, code="required")
    for key in ("description", "serial_number", "hostname", "asset_tag"):
        if key in values and values[key] is None:
            values[key] = ""
    outcome = reconcile.update(user, ci, source="manual", attributes=attributes, **values)
    return _detail(user, access.get_item_for_user(user, id)) | {
        "changed": outcome.changed,
        "skipped": outcome.skipped,
    }


@router.post(
    "/items/{id}/relations",
    response={201: RelationOut},
    by_alias=True,
    summary="Relate this item to another (this item <type> the target)",
)
def add_relation(request: ApiRequest, id: Id, payload: RelationIn) -> tuple[int, dict[str, Any]]:
    user = _reader(request)
    source = access.get_item_for_user(user, id)
    target = ConfigurationItem.objects.filter(access.readable_q(user), pk=payload.target).first()
    if target is None:
        raise ServiceError(_("No such item."), field="target", code="not_found")
    target = access.get_item_for_user(user, target.pk)
    relation = services.add_relation(user, source, payload.type, target)
    return 201, {
        "id": relation.pk,
        "type": relation.type,
        "direction": "out",
        "item": _summary(target),
        "data_source": relation.data_source,
        "created_at": relation.created_at,
    }


@router.delete("/items/{id}/relations/{pk}", response={204: None}, summary="End a relation")
def remove_relation(request: ApiRequest, id: Id, pk: Id) -> tuple[int, None]:
    user = _reader(request)
    ci = access.get_item_for_user(user, id)
    relation = (
        Relation.objects.filter(Q(source=ci) | Q(target=ci), pk=pk, removed_at__isnull=True)
        .select_related("source__ci_class", "target__ci_class")
        .first()
    )
    if relation is None:
        raise Http404("No such relation")
    other = relation.target if relation.source_id == ci.pk else relation.source
    if not ConfigurationItem.objects.filter(access.readable_q(user), pk=other.pk).exists():
        raise Http404("No such relation")
    services.remove_relation(user, relation)
    return 204, None
