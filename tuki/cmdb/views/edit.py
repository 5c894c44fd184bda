"""The item editor: create (staff) and edit (staff, or the item's support group), the
class's attributes following the class chosen (htmx re-renders them on a change)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from tuki.cmdb import access, services
from tuki.cmdb.forms import ATTRIBUTE_PREFIX, ItemForm, item_initial
from tuki.cmdb.models import CIAttribute, CIClass, ConfigurationItem
from tuki.cmdb.views.common import reader_required
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest


def _chosen_class(raw: Any, default: CIClass | None = None) -> CIClass | None:
    pk = parse_id(raw) if raw not in (None, "") else None
    if pk is None:
        return default
    return CIClass.objects.filter(pk=pk).first() or default


def _form(
    data: Any,
    ci_class: CIClass | None,
    initial: dict[str, Any] | None = None,
    item: ConfigurationItem | None = None,
) -> tuple[ItemForm, list[CIAttribute]]:
    attributes = services.class_attributes(ci_class) if ci_class else []
    form = ItemForm(data, initial=initial, ci_class=ci_class, attributes=attributes, item=item)
    return form, attributes


def _editor(
    request: AuthenticatedHttpRequest,
    form: ItemForm,
    ci: ConfigurationItem | None,
    status: int = 200,
) -> HttpResponse:
    context = {"nav": "cmdb", "form": form, "ci": ci}
    return render(request, "cmdb/edit.html", context, status=status)


@reader_required
def item_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not access.is_cmdb_admin(request.user):
        raise Http404("Only administrators add items")
    source = request.POST if request.method == "POST" else request.GET
    ci_class = _chosen_class(source.get("ci_class"))
    if request.method != "POST":
        initial = {"ci_class": ci_class.pk if ci_class else None}
        return _editor(request, _form(None, ci_class, initial)[0], None)
    form, _attributes = _form(request.POST, ci_class)
    if form.is_valid():
        data = form.service_data()
        try:
            ci = services.create_item(request.user, **data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("“%(name)s” added.") % {"name": ci.name})
            return redirect("cmdb:item", pk=ci.pk)
    return _editor(request, form, None, status=422)


@reader_required
def item_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ci = access.get_item_for_user(request.user, pk)
    if not access.may_change(request.user, ci):
        raise PermissionDenied
    if request.method != "POST":
        ci_class = _chosen_class(request.GET.get("ci_class"), ci.ci_class)
        attributes = services.class_attributes(ci_class) if ci_class else []
        initial = item_initial(ci, attributes)
        if ci_class is not None:
            initial["ci_class"] = ci_class.pk
        form = ItemForm(initial=initial, ci_class=ci_class, attributes=attributes, item=ci)
        return _editor(request, form, ci)
    ci_class = _chosen_class(request.POST.get("ci_class"), ci.ci_class)
    form, _attributes = _form(request.POST, ci_class, item=ci)
    if form.is_valid():
        data = form.service_data()
        attributes = data.pop("attributes")
        try:
            with transaction.atomic():
                changed = services.update_item(request.user, ci, attributes=attributes, **data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            if changed:
                messages.success(request, _("“%(name)s” saved.") % {"name": ci.name})
            else:
                messages.info(request, _("Nothing changed."))
            return redirect("cmdb:item", pk=ci.pk)
    return _editor(request, form, ci, status=422)


@require_GET
@reader_required
def attribute_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The attribute fields of the class chosen in the editor (htmx, on a class change)."""
    ci_class = _chosen_class(request.GET.get("ci_class"))
    carried = {
        name: value[:1000]
        for name, value in request.GET.items()
        if name.startswith(ATTRIBUTE_PREFIX) or name == "quorum"
    }
    form, _attributes = _form(None, ci_class, initial=carried)
    return render(request, "cmdb/partials/attribute_fields.html", {"form": form})
