"""The catalogue's pages: ordering an item (a requester, or an agent for a caller), the
fulfilment checklist on the agent's ticket page, and the console's settings pages."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts.models import User
from tuki.catalogue import access, delivery, services
from tuki.catalogue.forms import (
    CategoryForm,
    ItemForm,
    OrderForm,
    QuestionForm,
    QuestionFormSet,
    TaskFormSet,
)
from tuki.catalogue.models import CatalogueCategory, CatalogueItem, FulfilmentTask
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.models import Channel, Ticket

# --- ordering --------------------------------------------------------------------------------


def _requester(request: AuthenticatedHttpRequest) -> User:
    """Who the order is for: the signed-in person, or for an agent the caller in ?for=."""
    wanted = request.GET.get("for")
    if not wanted:
        return request.user
    user_id = parse_id(wanted)
    if not access.is_agent(request.user) or user_id is None:
        raise Http404("No such person")
    caller = User.objects.filter(pk=user_id, is_active=True).first()
    if caller is None:
        raise Http404("No such person")
    return caller


@login_required
def order(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    requester = _requester(request)
    item = access.get_orderable_item(requester, pk)
    on_behalf = requester.pk != request.user.pk
    form = OrderForm(services.form_of(item), request.POST or None)
    if request.method == "POST" and form.is_valid():
        channel = Channel.PHONE if on_behalf else Channel.WEB
        try:
            ticket = services.order_item(request.user, item, requester, form.values(), channel)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request,
                _("Thank you! We registered your order as %(number)s.") % {"number": ticket.number},
            )
            if on_behalf or (
                access.is_agent(request.user) and ticket.requester_id != request.user.pk
            ):
                return redirect("tickets:detail", number=ticket.number)
            return redirect("portal:detail", number=ticket.number)
    context = {
        "nav": "portal",
        "item": item,
        "form": form,
        "requester": requester,
        "on_behalf": on_behalf,
        "promise": delivery.promise(item, requester),
    }
    return render(request, "catalogue/order.html", context, status=400 if form.errors else 200)


# --- fulfilment on the ticket page -----------------------------------------------------------


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: loads with htmx, so it costs the ticket page nothing."""
    if not access.is_agent(user):
        return None
    return {"url": reverse("catalogue:ticket_tasks", args=[ticket.pk])}


def _tasks_panel(request: AuthenticatedHttpRequest, ticket: Ticket) -> HttpResponse:
    tasks = list(
        FulfilmentTask.objects.filter(ticket=ticket)
        .select_related("group", "done_by")
        .order_by("position", "id")
    )
    context = {
        "ticket": ticket,
        "tasks": tasks,
        "done": sum(1 for t in tasks if t.done_at),
        "can_tick": access.can_tick(request.user, ticket),
        "order": getattr(ticket, "catalogue_order", None),
    }
    return render(request, "catalogue/partials/ticket_tasks.html", context)


def _visible_ticket(user: User, pk: str) -> Ticket:
    ticket_id = parse_id(pk)
    ticket = None
    if access.is_agent(user) and ticket_id is not None:
        ticket = (
            Ticket.objects.visible_to(user)
            .select_related("catalogue_order__item")
            .filter(pk=ticket_id)
            .first()
        )
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


@login_required
def ticket_tasks(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    return _tasks_panel(request, _visible_ticket(request.user, pk))


@login_required
@require_POST
def task_toggle(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    task = access.get_task_for_user(request.user, pk)
    done = request.POST.get("done") == "1"
    (services.complete_task if done else services.reopen_task)(request.user, task)
    return _tasks_panel(request, _visible_ticket(request.user, str(task.ticket_id)))


# --- the console -----------------------------------------------------------------------------


def _require_admin(request: AuthenticatedHttpRequest) -> None:
    if not access.is_admin(request.user):
        raise Http404("Not here")


@login_required
def console_items(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_admin(request)
    categories = list(CatalogueCategory.objects.all())
    items = list(
        CatalogueItem.objects.select_related("category", "fulfilment_group").order_by(
            "category__position", "category__name", "position", "name"
        )
    )
    by_category: dict[int, list[CatalogueItem]] = {c.pk: [] for c in categories}
    for item in items:
        by_category.setdefault(item.category_id, []).append(item)
    context = {
        "nav": "console",
        "shelves": [(c, by_category.get(c.pk, [])) for c in categories],
    }
    return render(request, "catalogue/console_items.html", context)


@login_required
def console_category(request: AuthenticatedHttpRequest, pk: str | None = None) -> HttpResponse:
    _require_admin(request)
    category = access.get_category_for_admin(request.user, pk) if pk else None
    initial = CategoryForm.initial_for(category) if category else None
    form = CategoryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_category(request.user, category, form.data_for_service())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The category was saved."))
            return redirect("catalogue:console_items")
    context = {"nav": "console", "category": category, "form": form}
    return render(
        request, "catalogue/console_category.html", context, status=400 if form.errors else 200
    )


@login_required
def console_item(request: AuthenticatedHttpRequest, pk: str | None = None) -> HttpResponse:
    _require_admin(request)
    item = access.get_item_for_admin(request.user, pk) if pk else None
    initial = ItemForm.initial_for(item) if item else {"is_active": True}
    form = ItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_item(request.user, item, form.data_for_service(item))
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("catalogue:console_item_form", pk=saved.pk)
    context = {
        "nav": "console",
        "item": item,
        "form": form,
        "tab": "item",
        "promise": delivery.promise(item, None) if item else None,
    }
    return render(
        request, "catalogue/console_item.html", context, status=400 if form.errors else 200
    )


def _ordered_rows(formset: Any) -> list[dict[str, Any]]:
    forms = [f for f in formset.ordered_forms if not f.cleaned_data.get("DELETE")]
    forms += [
        f
        for f in formset.forms
        if f not in forms
        and f.cleaned_data
        and not f.cleaned_data.get("DELETE")
        and f.cleaned_data.get("ORDER") is None
    ]
    return [f.cleaned_data for f in forms if f.has_changed() or f.initial]


@login_required
def console_item_form(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The form builder: the item's questions, their sections and conditions."""
    _require_admin(request)
    item = access.get_item_for_admin(request.user, pk)
    initial = [QuestionForm.initial_for(q) for q in item.fields.select_related("field")]
    formset = QuestionFormSet(request.POST or None, initial=initial, prefix="q")
    if request.method == "POST" and formset.is_valid():
        rows = []
        for form in formset.ordered_forms:
            if form.cleaned_data.get("DELETE") or not form.cleaned_data.get("field"):
                continue
            row = form.row()
            if row:
                rows.append(row)
        try:
            services.set_form(request.user, item, rows)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The form was saved."))
            return redirect("catalogue:console_item_form", pk=item.pk)
    context = {"nav": "console", "item": item, "formset": formset, "tab": "form"}
    return render(
        request,
        "catalogue/console_item_form.html",
        context,
        status=400 if request.method == "POST" else 200,
    )


@login_required
def console_item_tasks(request: AuthenticatedHttpRequest, pk: str) -> HttpResponse:
    """The fulfilment checklist every order of the item gets."""
    _require_admin(request)
    item = access.get_item_for_admin(request.user, pk)
    initial = [{"title": t.title, "group": t.group} for t in item.tasks.select_related("group")]
    formset = TaskFormSet(request.POST or None, initial=initial, prefix="t")
    if request.method == "POST" and formset.is_valid():
        rows = [
            {"title": f.cleaned_data["title"], "group": f.cleaned_data.get("group")}
            for f in formset.ordered_forms
            if not f.cleaned_data.get("DELETE") and f.cleaned_data.get("title")
        ]
        try:
            services.set_tasks(request.user, item, rows)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The checklist was saved."))
            return redirect("catalogue:console_item_tasks", pk=item.pk)
    context = {"nav": "console", "item": item, "formset": formset, "tab": "tasks"}
    return render(
        request,
        "catalogue/console_item_tasks.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
