"""The list of configuration items, an item's page, and its neighbourhood as JSON."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from tuki.cmdb import access, neighbourhood, panels, services
from tuki.cmdb.forms import FilterForm, MaintenanceForm, RelationForm
from tuki.cmdb.models import (
    INVERSE_LABELS,
    CIHistory,
    ConfigurationItem,
    MaintenanceWindow,
    Relation,
    RelationType,
)
from tuki.cmdb.views.common import reader_required
from tuki.cmdb.views.impact import impact_context
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.choices import ACTIVE_CATEGORIES
from tuki.tickets.models import Ticket

PAGE_SIZE = 50
HISTORY_SHOWN = 50
TICKETS_SHOWN = 50
MAINTENANCE_SHOWN = 20


def search_q(text: str) -> Q:
    """Items whose name, host name, serial number or asset tag holds `text`."""
    text = text.strip()
    return (
        Q(name__icontains=text)
        | Q(hostname__icontains=text)
        | Q(serial_number__icontains=text)
        | Q(asset_tag__icontains=text)
    )


def filtered(items: QuerySet[ConfigurationItem], filters: dict[str, Any]) -> QuerySet[Any]:
    if "q" in filters:
        items = items.filter(search_q(filters["q"]))
    if "ci_class" in filters:
        items = items.filter(ci_class=filters["ci_class"])
    if "layer" in filters:
        items = items.filter(ci_class__layer=filters["layer"])
    for name in ("lifecycle", "support_group", "organisation"):
        if name in filters:
            items = items.filter(**{name: filters[name]})
    return items


@require_GET
@reader_required
def item_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FilterForm(request.GET)
    items = filtered(access.items_visible_to(request.user), form.filters())
    items = items.select_related("ci_class", "support_group", "organisation", "location")
    page = Paginator(items.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "nav": "cmdb",
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "may_create": access.is_cmdb_admin(request.user),
    }
    return render(request, "cmdb/list.html", context)


def _attribute_rows(ci: ConfigurationItem) -> list[dict[str, Any]]:
    return [
        {
            "key": attribute.key,
            "label": gettext(attribute.label),
            "unit": attribute.unit,
            "value": ci.attributes.get(attribute.key),
        }
        for attribute in services.class_attributes(ci.ci_class)
    ]


def _relations(
    user: Any, ci: ConfigurationItem, readable: QuerySet[ConfigurationItem]
) -> list[dict[str, Any]]:
    """The current relations both ways whose other end the reader may read."""
    visible = readable.values("pk")
    rows = (
        Relation.objects.filter(removed_at__isnull=True)
        .filter((Q(source=ci) & Q(target__in=visible)) | (Q(target=ci) & Q(source__in=visible)))
        .select_related("source__ci_class", "target__ci_class", "created_by")
        .order_by("type", "pk")
    )
    shown = []
    for relation in rows:
        outgoing = relation.source_id == ci.pk
        kind = RelationType(relation.type)
        shown.append(
            {
                "relation": relation,
                "label": kind.label if outgoing else INVERSE_LABELS[kind],
                "other": relation.target if outgoing else relation.source,
                "outgoing": outgoing,
                "removable": access.may_change_relation(user, relation),
            }
        )
    shown.sort(key=lambda row: (not row["outgoing"], str(row["label"]), str(row["other"])))
    return shown


def _history(
    ci: ConfigurationItem,
    attributes: list[dict[str, Any]],
    readable: QuerySet[ConfigurationItem],
) -> list[dict[str, Any]]:
    """The last changes; a relation to an item the reader may not read keeps its line but
    not the other item's name."""
    labels = {a["key"]: a["label"] for a in attributes}
    fields = {f.name: f.verbose_name for f in ConfigurationItem._meta.get_fields() if f.concrete}
    entries = list(CIHistory.objects.filter(ci=ci).select_related("actor")[:HISTORY_SHOWN])
    related = {e.related_id for e in entries if e.related_id is not None}
    shown = set(readable.filter(pk__in=related).values_list("pk", flat=True)) if related else set()
    rows = []
    for entry in entries:
        field = entry.field
        if field.startswith("attributes."):
            label = labels.get(field.removeprefix("attributes."), field)
        elif field in RelationType.values:
            label = RelationType(field).label
        else:
            label = fields.get(field, field)
        hidden = entry.related_id is not None and entry.related_id not in shown
        rows.append({"entry": entry, "field_label": label, "hidden": hidden})
    return rows


def _panels(request: AuthenticatedHttpRequest, ci: ConfigurationItem) -> list[str]:
    """The sections other apps registered (cmdb/panels.py), each rendered with its context."""
    return [
        render_to_string(panel.template, {"ci": ci, **context}, request)  # a SafeString
        for panel, context in panels.rendered_for(request.user, ci)
    ]


def item_context(
    request: AuthenticatedHttpRequest, ci: ConfigurationItem, **extra: Any
) -> dict[str, Any]:
    user = request.user
    readable = access.items_visible_to(user)
    can_change = access.may_change(user, ci)
    now = timezone.now()
    tickets = (
        Ticket.objects.visible_to(user)
        .filter(affected_items__ci=ci, status__category__in=ACTIVE_CATEGORIES)
        .select_related("status")
        .order_by("-created_at")[:TICKETS_SHOWN]
    )
    windows = list(
        MaintenanceWindow.objects.filter(ci=ci)
        .select_related("created_by")
        .order_by("-starts_at", "pk")[:MAINTENANCE_SHOWN]
    )
    attributes = _attribute_rows(ci)
    context: dict[str, Any] = {
        "nav": "cmdb",
        "ci": ci,
        "attributes": attributes,
        "relations": _relations(user, ci, readable),
        "tickets": list(tickets),
        "windows": [{"window": w, "now": w.starts_at <= now < w.ends_at} for w in windows],
        "history": _history(ci, attributes, readable),
        "panels": _panels(request, ci),
        "can_change": can_change,
        "impact": impact_context(user, ci, readable),
        "relation_form": RelationForm() if can_change else None,
        "maintenance_form": MaintenanceForm() if can_change else None,
    }
    context.update(extra)
    return context


@require_GET
@reader_required
def item(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ci = access.get_item_for_user(request.user, pk)
    return render(request, "cmdb/item.html", item_context(request, ci))


@require_GET
@reader_required
def graph(request: AuthenticatedHttpRequest, pk: int) -> JsonResponse:
    ci = access.get_item_for_user(request.user, pk)
    around = neighbourhood.around(ci, access.items_visible_to(request.user))
    return JsonResponse(around.as_json())
