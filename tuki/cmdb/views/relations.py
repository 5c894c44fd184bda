"""An item's relations and maintenance windows, and the search that picks an item."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.cmdb import access, services
from tuki.cmdb.forms import MaintenanceForm, RelationForm
from tuki.cmdb.models import Relation
from tuki.cmdb.views.common import reader_required
from tuki.cmdb.views.items import item_context, search_q
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest

SEARCH_RESULTS = 10
# What a search result is picked as: a relation's other end (one), a ticket's items (several).
PICKS = {"target": "radio", "ci": "checkbox"}


@require_POST
@reader_required
def relation_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ci = access.get_item_for_user(request.user, pk)
    form = RelationForm(request.POST)
    if form.is_valid():
        direction, kind = form.direction_and_type()
        try:
            other = access.get_item_for_user(request.user, form.cleaned_data["target"])
        except Http404:
            form.add_error("target", _("No such item."))
        else:
            source, target = (ci, other) if direction == "out" else (other, ci)
            try:
                services.add_relation(request.user, source, kind, target)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Relation added."))
                return redirect("cmdb:item", pk=ci.pk)
    context = item_context(request, ci, relation_form=form)
    return render(request, "cmdb/item.html", context, status=422)


@require_POST
@reader_required
def relation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    readable = access.items_visible_to(request.user)
    relation = (
        Relation.objects.filter(
            pk=pk, removed_at__isnull=True, source__in=readable, target__in=readable
        )
        .select_related("source", "target")
        .first()
    )
    if relation is None:
        raise Http404("No such relation")
    services.remove_relation(request.user, relation)  # PermissionDenied: a 403
    messages.success(request, _("Relation removed."))
    back = parse_id(request.POST.get("back"))
    shown = back if back in (relation.source_id, relation.target_id) else relation.source_id
    return redirect("cmdb:item", pk=shown)


@require_POST
@reader_required
def maintenance_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ci = access.get_item_for_user(request.user, pk)
    if not access.may_change(request.user, ci):
        raise PermissionDenied
    form = MaintenanceForm(request.POST)
    if form.is_valid():
        try:
            services.plan_maintenance(request.user, ci, **form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Maintenance window planned."))
            return redirect("cmdb:item", pk=ci.pk)
    context = item_context(request, ci, maintenance_form=form)
    return render(request, "cmdb/item.html", context, status=422)


@require_GET
@reader_required
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Items the reader may read matching `q`, as choices to pick (htmx)."""
    text = request.GET.get("q", "").strip()[:200]
    pick = request.GET.get("pick", "target")
    if pick not in PICKS:
        pick = "target"
    items = []
    if text:
        found = access.items_visible_to(request.user).filter(search_q(text))
        exclude = parse_id(request.GET.get("exclude"))
        if exclude is not None:
            found = found.exclude(pk=exclude)
        items = list(found.select_related("ci_class").order_by("name", "pk")[:SEARCH_RESULTS])
    context = {"items": items, "pick": pick, "input_type": PICKS[pick], "q": text}
    return render(request, "cmdb/partials/search_results.html", context)


# Lifecycles a custom field may name (tuki/tickets/fields.py accepts these).
PICKABLE = ("planned", "ordered", "in_stock", "operational")


@require_GET
@reader_required
def options(request: AuthenticatedHttpRequest) -> JsonResponse:
    """`?q=text`: items the reader may read, as {value, label} for a custom field's picker
    (static/tuki/picker.js)."""
    text = request.GET.get("q", "").strip()[:200].replace("\x00", "")
    results: list[dict[str, str]] = []
    if text:
        found = access.items_visible_to(request.user).filter(search_q(text), lifecycle__in=PICKABLE)
        results = [
            {"value": str(ci.pk), "label": str(ci)} for ci in found.order_by("name", "pk")[:20]
        ]
    return JsonResponse({"results": results})
