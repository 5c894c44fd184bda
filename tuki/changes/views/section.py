"""The change section of the ticket page (tickets/sections.py) and its actions: type, risk
with reasons, plans, the CAB approval and its request, the outcome and review, the incidents
the change caused. The section costs the ticket page no query: its content loads by htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import User
from tuki.approvals.models import Approval
from tuki.changes import access, risk, services
from tuki.changes.forms import CausedIncidentForm, OutcomeForm, ReviewForm
from tuki.changes.models import Change, ChangeType
from tuki.changes.views.common import agent_required
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets.models import Kind, LinkType, StatusCategory, Ticket, TicketLink

CAUSED_SHOWN = 50


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    if ticket.kind != Kind.CHANGE or not access.may_read(user):
        return None
    return {"url": reverse("changes:panel", args=[ticket.pk])}


def window_url(pk: int) -> str:
    """The calendar's window section (h17k's `changes:window`), once it exists."""
    try:
        return reverse("changes:window", args=[pk])
    except NoReverseMatch:
        return ""


def panel_context(user: User, change: Change) -> dict[str, Any]:
    ticket = change.ticket
    approval = (
        Approval.objects.filter(ticket_id=ticket.pk).select_related("template").first()
    )  # the latest (Approval's ordering)
    visible = Ticket.objects.visible_to(user)
    caused = list(
        TicketLink.objects.filter(target_id=ticket.pk, type=LinkType.CAUSED_BY)
        .filter(source__in=visible.values("pk"))
        .select_related("source__status")
        .order_by("-created_at")[:CAUSED_SHOWN]
    )
    resolved = ticket.status.key != "cancelled" and ticket.status.category in (
        StatusCategory.RESOLVED,
        StatusCategory.CLOSED,
    )
    board = services.board_for(change)
    return {
        "change": change,
        "ticket": ticket,
        "reasons": [risk.reason_text(r) for r in change.risk_reasons or []],
        "approval": approval,
        "board": board,
        "may_request": (
            ticket.status.key in ("new", "assigned")
            and change.change_type != ChangeType.STANDARD
            and board is not None
            and not (approval is not None and approval.is_pending)
        ),
        "resolved": resolved,
        "outcome_form": OutcomeForm(
            initial={"outcome": change.outcome, "outcome_notes": change.outcome_notes}
        ),
        "review_form": ReviewForm(initial={"review": change.review}),
        "caused": [link.source for link in caused],
        "caused_form": CausedIncidentForm(),
        "window_url": window_url(ticket.pk),
    }


@agent_required
@require_GET
def panel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    return render(request, "changes/partials/panel.html", panel_context(request.user, change))


def _back(change: Change) -> HttpResponse:
    return redirect(change.ticket.get_absolute_url())


def _failed(request: AuthenticatedHttpRequest, exc: ServiceError) -> None:
    messages.error(request, exc.message)


@agent_required
@require_POST
def request_approval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    try:
        services.request_cab_approval(request.user, change)
    except ServiceError as exc:
        _failed(request, exc)
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("The change advisory board was asked."))
    return _back(change)


@agent_required
@require_POST
def outcome(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an outcome."))
        return _back(change)
    try:
        services.record_outcome(
            request.user,
            change,
            outcome=form.cleaned_data["outcome"],
            notes=form.cleaned_data["outcome_notes"],
        )
    except ServiceError as exc:
        _failed(request, exc)
    else:
        messages.success(request, _("Outcome recorded."))
    return _back(change)


@agent_required
@require_POST
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write the review."))
        return _back(change)
    try:
        services.save_review(request.user, change, review=form.cleaned_data["review"])
    except ServiceError as exc:
        _failed(request, exc)
    else:
        messages.success(request, _("Review saved."))
    return _back(change)


@agent_required
@require_POST
def caused(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    change = access.get_change_for_user(request.user, pk)
    form = CausedIncidentForm(request.POST)
    incident = form.resolve(request.user) if form.is_valid() else None
    if incident is None:
        messages.error(request, _("No such incident."))
        return _back(change)
    try:
        services.add_caused_incident(request.user, change, incident)
    except ServiceError as exc:
        _failed(request, exc)
    else:
        messages.success(
            request, _("%(number)s was caused by this change.") % {"number": incident.number}
        )
    return _back(change)
