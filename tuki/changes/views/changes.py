"""The change list, the "New change" form and the edit page of a change's detail."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from tuki.changes import access, risk, services
from tuki.changes.forms import ChangeEditForm, ChangeForm, FilterForm
from tuki.changes.models import Change
from tuki.changes.views.common import agent_required
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.choices import ACTIVE_CATEGORIES

PAGE_SIZE = 50


def filtered(changes: QuerySet[Change], filters: dict[str, Any]) -> QuerySet[Change]:
    if filters.get("change_type"):
        changes = changes.filter(change_type=filters["change_type"])
    state = filters.get("state") or ""
    if state == "":
        changes = changes.filter(ticket__status__category__in=ACTIVE_CATEGORIES)
    elif state == "closed":
        changes = changes.exclude(ticket__status__category__in=ACTIVE_CATEGORIES)
    if filters.get("risk"):
        changes = changes.filter(risk=filters["risk"])
    if filters.get("group"):
        changes = changes.filter(ticket__group=filters["group"])
    if filters.get("service"):
        changes = changes.filter(ticket__affected_items__ci=filters["service"]).distinct()
    return changes


@agent_required
def change_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = FilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    changes = filtered(access.visible_changes(request.user), filters)
    changes = changes.select_related("ticket__status", "ticket__group", "implementer").order_by(
        "-ticket__created_at", "-pk"
    )
    page = Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"nav": "changes", "form": form, "page": page, "query": query.urlencode()}
    return render(request, "changes/list.html", context)


@agent_required
def change_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    questions = risk.questions()
    if request.method != "POST":
        form = ChangeForm(
            initial=request.GET.dict() or None, user=request.user, questions=questions
        )
        return render(request, "changes/new.html", {"nav": "changes", "form": form})
    form = ChangeForm(request.POST, user=request.user, questions=questions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            change = services.create_change(
                request.user,
                title=data["title"],
                requester=request.user,
                description=data["description"],
                change_type=data["change_type"],
                template=data["template"],
                group=data["group"],
                category=data["category"],
                justification=data["justification"],
                implementation_plan=data["implementation_plan"],
                backout_plan=data["backout_plan"],
                test_plan=data["test_plan"],
                questionnaire=form.answers(),
                items=[ci.pk for ci in data["items"]],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("%(number)s registered.") % {"number": change.ticket.number}
            )
            return redirect(change.ticket.get_absolute_url())
    return render(request, "changes/new.html", {"nav": "changes", "form": form}, status=422)


@agent_required
def change_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    questions = risk.questions()
    initial = {
        "change_type": change.change_type,
        "template": change.template_id,
        "justification": change.justification,
        "implementation_plan": change.implementation_plan,
        "backout_plan": change.backout_plan,
        "test_plan": change.test_plan,
        "cab": change.cab_id,
    }
    answers = dict(change.questionnaire or {})
    if request.method != "POST":
        form = ChangeEditForm(initial=initial, questions=questions, answers=answers)
        return render(
            request, "changes/edit.html", {"nav": "changes", "form": form, "change": change}
        )
    form = ChangeEditForm(request.POST, questions=questions, answers=answers)
    if form.is_valid():
        data = dict(form.cleaned_data)
        fields = {key: data[key] for key in initial}
        fields["questionnaire"] = form.answers()
        try:
            services.update_change(request.user, change, **fields)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Change saved."))
            return redirect(change.ticket.get_absolute_url())
    context = {"nav": "changes", "form": form, "change": change}
    return render(request, "changes/edit.html", context, status=422)
