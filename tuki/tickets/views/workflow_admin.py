"""The console's workflow pages (docs/workflows.md): statuses and transitions per kind, the
priority matrix and the category tree. Administrators only; the writes are in
tuki/tickets/workflows.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _, gettext_lazy
from django.views.decorators.http import require_POST

from tuki.accounts.models import SupportGroup
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import workflows
from tuki.tickets.models import (
    NAME_LANGUAGES,
    Category,
    Impact,
    Kind,
    Priority,
    PriorityRule,
    Status,
    StatusCategory,
    StatusTransition,
    Ticket,
    Urgency,
)
from tuki.tickets.services.workflow import compute_priority
from tuki.tickets.transition_rules import REQUIRED_FIELDS, TRANSITION_ROLES

View = Callable[..., HttpResponse]
LANGUAGE_LABELS = {"ro": gettext_lazy("Romanian"), "fi": gettext_lazy("Finnish")}


def admin_required(func: View) -> View:
    """Administrators; anonymous users sign in, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not workflows.is_admin(request.user):
            raise Http404("Not an administrator")
        return func(request, *args, **kwargs)

    return wrapper


class NamesMixin(BootstrapMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for code in NAME_LANGUAGES:
            self.fields[f"name_{code}"] = forms.CharField(
                label=_("Name in %(language)s") % {"language": LANGUAGE_LABELS[code]},
                required=False,
                max_length=100,
            )
            self.fields[f"name_{code}"].widget.attrs["class"] = "form-control"

    def names(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(f"name_{code}", "") for code in NAME_LANGUAGES}


class StatusForm(NamesMixin):
    key = forms.CharField(label=gettext_lazy("Key"), max_length=50)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    category = forms.ChoiceField(label=gettext_lazy("Category"), choices=StatusCategory.choices)
    order = forms.IntegerField(label=gettext_lazy("Order"), min_value=0, max_value=32767)


class TransitionForm(BootstrapMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=gettext_lazy("Who may make it"),
        choices=list(TRANSITION_ROLES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: anyone who may change the status."),
    )
    required_fields = forms.CharField(
        label=gettext_lazy("Required fields"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Comma-separated: resolution, resolution_code, category, assignee or custom.<key>."
        ),
    )


class CategoryForm(NamesMixin):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Parent"), queryset=Category.objects.all(), required=False
    )
    default_group = forms.ModelChoiceField(
        label=gettext_lazy("Default group"),
        queryset=SupportGroup.objects.filter(is_active=True),
        required=False,
    )
    is_active = forms.BooleanField(label=gettext_lazy("Active"), required=False)


def _console(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context.setdefault("nav", "manage")
    context["console_tabs"] = [
        ("workflows", _("Workflows"), "tickets:console_workflows"),
        ("categories", _("Categories"), "tickets:console_categories"),
        ("priorities", _("Priority matrix"), "tickets:console_priorities"),
    ]
    return render(request, template, context, status=status)


# --- workflows ----------------------------------------------------------------------------------


def _kind(kind: str) -> str:
    if kind not in Kind.values:
        raise Http404("Unknown kind")
    return kind


def _workflow_page(
    request: HttpRequest, kind: str, *, stranded: Any = None, status: int = 200
) -> HttpResponse:
    statuses = list(Status.objects.all())
    transitions = list(
        StatusTransition.objects.filter(kind=kind).select_related("from_status", "to_status")
    )
    pairs = {(t.from_status_id, t.to_status_id) for t in transitions}
    in_use = set(Ticket.objects.filter(kind=kind).values_list("status_id", flat=True).distinct())
    rows = [
        {
            "status": s,
            "cells": [
                {"to": t, "on": (s.pk, t.pk) in pairs, "self": s.pk == t.pk} for t in statuses
            ],
            "in_use": s.pk in in_use,
        }
        for s in statuses
    ]
    rules = [
        {
            "transition": t,
            "roles": [TRANSITION_ROLES[r] for r in t.roles if r in TRANSITION_ROLES],
            "fields": [str(REQUIRED_FIELDS.get(f, f)) for f in t.required_fields],
        }
        for t in sorted(transitions, key=lambda t: (t.from_status.order, t.to_status.order))
    ]
    context = {
        "kind": kind,
        "kinds": Kind.choices,
        "statuses": statuses,
        "rows": rows,
        "rules": rules,
        "stranded": stranded,
        "tab": "workflows",
    }
    return _console(request, "tickets/console/workflow.html", context, status)


def _to_kind(kind: str) -> HttpResponse:
    return redirect(f"{reverse('tickets:console_workflows')}?kind={kind}")


@admin_required
def workflow(request: AuthenticatedHttpRequest) -> HttpResponse:
    """One kind's workflow (?kind=change; incidents by default)."""
    kind = _kind(request.GET.get("kind") or Kind.INCIDENT)
    if request.method != "POST":
        return _workflow_page(request, kind)
    pairs = []
    for value in request.POST.getlist("t"):
        a, _sep, b = value.partition("-")
        if not (a.isdigit() and b.isdigit()):
            messages.error(request, _("Unknown status."))
            return _workflow_page(request, kind, status=422)
        pairs.append((int(a), int(b)))
    try:
        workflows.set_transitions(request.user, kind, pairs)
    except workflows.StrandedTickets as exc:
        return _workflow_page(request, kind, stranded=exc, status=422)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return _workflow_page(request, kind, status=422)
    messages.success(request, _("Transitions saved."))
    return _to_kind(kind)


def _status_editor(
    request: HttpRequest,
    form: StatusForm,
    status: Status | None,
    code: int = 200,
    stranded: Any = None,
) -> HttpResponse:
    context = {"form": form, "status": status, "tab": "workflows", "stranded": stranded}
    return _console(request, "tickets/console/status_edit.html", context, code)


@admin_required
def status_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    status = get_object_or_404(Status, pk=pk) if pk is not None else None
    if request.method != "POST":
        initial: dict[str, Any] = {"category": StatusCategory.OPEN, "order": 100}
        if status is not None:
            initial = {
                "key": status.key,
                "name": status.name,
                "category": status.category,
                "order": status.order,
                **{f"name_{c}": (status.names or {}).get(c, "") for c in NAME_LANGUAGES},
            }
        return _status_editor(request, StatusForm(initial=initial), status)
    data = request.POST.copy()
    if status is not None:
        data["key"] = status.key
    form = StatusForm(data)
    if form.is_valid():
        try:
            saved = workflows.save_status(
                request.user,
                status,
                key=form.cleaned_data["key"],
                name=form.cleaned_data["name"],
                names=form.names(),
                category=form.cleaned_data["category"],
                order=form.cleaned_data["order"],
            )
        except workflows.StrandedTickets as exc:
            form.add_service_error(exc)
            return _status_editor(request, form, status, 422, stranded=exc)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Status “%(name)s” saved.") % {"name": saved.label})
            return redirect("tickets:console_workflows")
    return _status_editor(request, form, status, 422)


@require_POST
@admin_required
def status_retire(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(Status, pk=pk)
    workflows.set_status_retired(request.user, status, not status.is_retired)
    messages.success(request, _("Status “%(name)s” saved.") % {"name": status.label})
    return redirect("tickets:console_workflows")


@require_POST
@admin_required
def status_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    status = get_object_or_404(Status, pk=pk)
    try:
        workflows.delete_status(request.user, status)
    except workflows.StrandedTickets as exc:
        form = StatusForm(
            initial={
                "key": status.key,
                "name": status.name,
                "category": status.category,
                "order": status.order,
            }
        )
        form.add_error(None, exc.message)
        return _status_editor(request, form, status, 422, stranded=exc)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("tickets:console_status", pk=status.pk)
    messages.success(request, _("Status deleted."))
    return redirect("tickets:console_workflows")


@admin_required
def transition_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    transition = get_object_or_404(
        StatusTransition.objects.select_related("from_status", "to_status"), pk=pk
    )
    if request.method != "POST":
        form = TransitionForm(
            initial={
                "roles": transition.roles,
                "required_fields": ", ".join(transition.required_fields),
            }
        )
        code = 200
    else:
        form = TransitionForm(request.POST)
        code = 422
        if form.is_valid():
            try:
                workflows.update_transition_rules(
                    request.user,
                    transition,
                    roles=form.cleaned_data["roles"],
                    required_fields=form.cleaned_data["required_fields"].split(","),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Transition saved."))
                return _to_kind(transition.kind)
    context = {"form": form, "transition": transition, "tab": "workflows"}
    return _console(request, "tickets/console/transition_edit.html", context, code)


# --- priority matrix ----------------------------------------------------------------------------


@admin_required
def priorities(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = {(r.impact, r.urgency): r.priority for r in PriorityRule.objects.all()}
    errors: dict[str, str] = {}
    code = 200
    if request.method == "POST":
        cells: dict[tuple[int, int], int] = {}
        for impact in Impact.values:
            for urgency in Urgency.values:
                raw = request.POST.get(f"cell_{impact}_{urgency}", "")
                if raw.isdigit() and int(raw) in Priority.values:
                    cells[(impact, urgency)] = int(raw)
                else:
                    errors[f"cell_{impact}_{urgency}"] = _("Choose a priority.")
                current[(impact, urgency)] = int(raw) if raw.isdigit() else 0
        if not errors:
            try:
                workflows.set_priority_matrix(request.user, cells)
            except ServiceError as exc:
                errors[exc.field or "matrix"] = exc.message
            else:
                messages.success(request, _("Priority matrix saved."))
                return redirect("tickets:console_priorities")
        code = 422
    grid = [
        {
            "impact": label,
            "cells": [
                {
                    "name": f"cell_{impact}_{urgency}",
                    "value": current.get((impact, urgency)) or compute_priority(impact, urgency),
                    "error": errors.get(f"cell_{impact}_{urgency}"),
                }
                for urgency in Urgency.values
            ],
        }
        for impact, label in Impact.choices
    ]
    context = {
        "grid": grid,
        "urgencies": [label for _v, label in Urgency.choices],
        "priorities": Priority.choices,
        "errors": errors,
        "tab": "priorities",
    }
    return _console(request, "tickets/console/priorities.html", context, code)


# --- categories ---------------------------------------------------------------------------------


@admin_required
def categories(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(Category.objects.select_related("default_group").order_by("path"))
    context = {"rows": rows, "tab": "categories"}
    return _console(request, "tickets/console/categories.html", context)


@admin_required
def category_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk) if pk is not None else None
    code = 200
    if request.method != "POST":
        initial: dict[str, Any] = {"is_active": True}
        if category is not None:
            initial = {
                "name": category.name,
                "parent": category.parent_id,
                "default_group": category.default_group_id,
                "is_active": category.is_active,
                **{f"name_{c}": (category.names or {}).get(c, "") for c in NAME_LANGUAGES},
            }
        form = CategoryForm(initial=initial)
    else:
        form = CategoryForm(request.POST)
        code = 422
        if form.is_valid():
            try:
                saved = workflows.save_category(
                    request.user,
                    category,
                    name=form.cleaned_data["name"],
                    names=form.names(),
                    parent=form.cleaned_data["parent"],
                    default_group=form.cleaned_data["default_group"],
                    is_active=form.cleaned_data["is_active"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(
                    request, _("Category “%(name)s” saved.") % {"name": saved.display_path()}
                )
                return redirect("tickets:console_categories")
    context = {"form": form, "category": category, "tab": "categories"}
    return _console(request, "tickets/console/category_edit.html", context, code)
