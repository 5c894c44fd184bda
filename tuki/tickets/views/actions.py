"""Ticket actions: each POST view parses one form and calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access, forms as f, services
from tuki.tickets.models import Ticket
from tuki.tickets.views import conflicts
from tuki.tickets.views.action_specs import ACTIONS, make_form
from tuki.tickets.views.common import agent_required, go_to
from tuki.tickets.views.detail import build_context, load_ticket

Call = Callable[[Ticket, dict[str, Any]], Ticket | None]


def perform(
    request: AuthenticatedHttpRequest, number: str, name: str, call: Call, done: str
) -> HttpResponse:
    """Validate the action's form, call its service, and show errors next to their fields.

    The form carries the version it was opened at: when what the action concerns changed
    since (conflicts.ACTION_FIELDS), it is refused with a reload link; otherwise it is done
    over the version read here, which the service checks again under the row lock."""
    ticket = access.get_ticket_for_user(request.user, number)
    form = make_form(name, ticket, request.user, data=request.POST)
    if form.is_valid():
        stale = conflicts.action_stale(request, ticket, name)
        if stale is not None:
            return refused_stale(request, ticket, name, form, stale)
        try:
            result = call(ticket, form.cleaned_data)
        except services.StaleTicket:
            ticket = access.get_ticket_for_user(request.user, number)
            stale = conflicts.action_stale(request, ticket, name) or conflicts.Stale([], None, None)
            return refused_stale(request, ticket, name, form, stale)
        except ServiceError as exc:
            if exc.code == "taken":
                # Someone was quicker: say who, and show the ticket as it is now.
                messages.warning(request, exc.message)
                return go_to(request, ticket.get_absolute_url())
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, done % {"number": ticket.number})
            return go_to(request, (result or ticket).get_absolute_url())
    return failed(request, ticket, name, form)


def refused_stale(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    name: str,
    form: Any,
    stale: conflicts.Stale,
) -> HttpResponse:
    form.stale = stale  # the form shows the refusal and a reload link
    form.add_error(None, _("This ticket changed since you opened it. Reload it to see how."))
    return failed(request, ticket, name, form)


def failed(request: AuthenticatedHttpRequest, ticket: Ticket, name: str, form: Any) -> HttpResponse:
    if is_fragment_request(request):
        context = {"action": ACTIONS[name], "form": form, "ticket": ticket}
        return render(request, "tickets/partials/action_form.html", context, status=422)
    ticket = load_ticket(request.user, ticket.number)
    context = build_context(request, ticket, failed_action=name, failed_form=form)
    return render(request, "tickets/detail.html", context, status=422)


@require_POST
@agent_required(hide=True)
def take(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.take_ticket(request.user, ticket)  # "taken" when someone was quicker

    return perform(request, number, "take", call, _("You took %(number)s."))


@require_POST
@agent_required(hide=True)
def assign(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.assign_ticket(
            request.user,
            ticket,
            assignee=data["assignee"],
            group=data["group"],
            reason=data["reason"],
            expected_version=ticket.version,
        )

    return perform(request, number, "assign", call, _("%(number)s was assigned."))


@require_POST
@agent_required(hide=True)
def escalate(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        hierarchical = data["mode"] == f.EscalateForm.HIERARCHICAL
        return services.escalate_ticket(
            request.user,
            ticket,
            group=None if hierarchical else data["group"],
            to_manager=hierarchical,
            reason=data["reason"],
            expected_version=ticket.version,
        )

    return perform(request, number, "escalate", call, _("%(number)s was escalated."))


@require_POST
@agent_required(hide=True)
def set_status(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.change_status(
            request.user,
            ticket,
            data["status"],
            reason=data["reason"],
            expected_version=ticket.version,
        )

    return perform(request, number, "set_status", call, _("The status of %(number)s was changed."))


@require_POST
@agent_required(hide=True)
def resolve(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.resolve_ticket(
            request.user,
            ticket,
            code=data["code"],
            resolution=data["resolution"],
            expected_version=ticket.version,
        )

    return perform(request, number, "resolve", call, _("%(number)s was resolved."))


@require_POST
@agent_required(hide=True)
def reopen(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.reopen_ticket(
            request.user, ticket, reason=data["reason"], expected_version=ticket.version
        )

    return perform(request, number, "reopen", call, _("%(number)s was reopened."))


@require_POST
@agent_required(hide=True)
def close(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.close_ticket(request.user, ticket, expected_version=ticket.version)

    return perform(request, number, "close", call, _("%(number)s was closed."))


@require_POST
@agent_required(hide=True)
def link(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> None:
        services.link_tickets(request.user, ticket, data["target"], data["link_type"])

    return perform(request, number, "link", call, _("%(number)s was linked."))


@require_POST
@agent_required(hide=True)
def merge(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    def call(ticket: Ticket, data: dict[str, Any]) -> Ticket:
        return services.merge_tickets(
            request.user,
            ticket,
            data["target"],
            reason=data["reason"],
            confirm_cross_organisation=data["confirm_cross_organisation"],
        )

    return perform(request, number, "merge", call, _("%(number)s was merged."))


@require_POST
@agent_required(hide=True)
def comment(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Reply or note, with files, and optionally a new status: all or nothing."""
    ticket = access.get_ticket_for_user(request.user, number)
    statuses = services.allowed_statuses(ticket)
    can_reply = access.can_reply_publicly(request.user, ticket)
    form = f.CommentForm(request.POST, request.FILES, statuses=statuses, can_reply=can_reply)
    if form.is_valid() and form.cleaned_data["status"]:
        stale = conflicts.action_stale(request, ticket, "comment")
        if stale is not None:
            form.stale = stale  # type: ignore[attr-defined]  # the composer shows a reload link
            form.add_error(
                "status", _("The status changed since you opened the ticket. Reload it to see how.")
            )
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                added = services.add_comment(
                    request.user,
                    ticket,
                    data["body"],
                    internal=form.internal,
                    uploads=data["attachments"],
                )
                if data["status"]:
                    # Over the version the comment left (a first reply stamps the ticket).
                    services.change_status(
                        request.user,
                        added.ticket,
                        data["status"],
                        expected_version=added.ticket.version,
                    )
        except ServiceError as exc:
            form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            done = _("Note added.") if form.internal else _("Reply sent.")
            messages.success(request, done)
            return go_to(request, ticket.get_absolute_url())
    return _comment_failed(request, ticket, form)


def _comment_failed(
    request: AuthenticatedHttpRequest, ticket: Ticket, form: f.CommentForm
) -> HttpResponse:
    if is_fragment_request(request):
        context = {
            "ticket": ticket,
            "composer": form,
            "can_reply": form.can_reply,
            "max_upload_mb": f.max_upload_mb(),
        }
        return render(request, "tickets/partials/composer.html", context, status=422)
    context = build_context(request, load_ticket(request.user, ticket.number), composer=form)
    return render(request, "tickets/detail.html", context, status=422)
