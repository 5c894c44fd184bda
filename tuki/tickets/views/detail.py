"""The ticket page, its fragments (fields, timeline) and inline field edits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_htmx.http import reswap, retarget, trigger_client_event

from tuki.accounts.models import User
from tuki.lib.htmx import is_fragment_request
from tuki.tickets import access, services
from tuki.tickets.forms import FIELD_FORMS, CommentForm, field_initial, max_upload_mb
from tuki.tickets.models import StatusCategory, Ticket, TicketLink
from tuki.tickets.views import action_specs
from tuki.tickets.views.common import agent_required, go_to
from tuki.tickets.views.timeline import build_timeline


def load_ticket(user: User, number: str) -> Ticket:
    """The ticket with everything the page shows, fetched in a fixed number of queries."""
    visible = access.get_ticket_for_user(user, number, related=False)
    ticket = (
        Ticket.objects.with_related()
        .select_related("location", "escalated_to", "merged_into", "created_by")
        .prefetch_related("tags", "watchers")
        .filter(pk=visible.pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def _links(user: User, ticket: Ticket) -> list[dict[str, Any]]:
    visible = Ticket.objects.visible_to(user).values("pk")
    rows = TicketLink.objects.filter(
        Q(source=ticket, target__in=visible) | Q(target=ticket, source__in=visible)
    ).select_related("source__status", "target__status")
    links = []
    for link in rows:
        outgoing = link.source_id == ticket.pk
        label = link.get_type_display() if outgoing else action_specs.inverse_label(link.type)
        links.append(
            {"link": link, "label": label, "other": link.target if outgoing else link.source}
        )
    return links


def build_context(request: HttpRequest, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    user = request.user
    comments = list(ticket.comments.select_related("author"))
    # Reply and note events too: they name the rule that wrote a comment nobody signed.
    events = list(ticket.events.select_related("actor"))
    attachments = list(ticket.attachments.select_related("uploaded_by"))
    statuses = services.allowed_statuses(ticket)
    can_reply = access.can_reply_publicly(user, ticket)
    available = action_specs.available(user, ticket, statuses)
    context = {
        "nav": "queue",
        "ticket": ticket,
        "tags": list(ticket.tags.all()),
        "watchers": list(ticket.watchers.all()),
        "timeline": build_timeline(comments, events, attachments),
        "attachments": attachments,
        "links": _links(user, ticket),
        "counts": {
            "replies": sum(1 for c in comments if not c.is_internal),
            "notes": sum(1 for c in comments if c.is_internal),
            "attachments": len(attachments),
        },
        "can_reply": can_reply,
        "composer": CommentForm(statuses=statuses, can_reply=can_reply),
        "max_upload_mb": max_upload_mb(),
        "actions": action_specs.forms_for(
            available, ticket, user, statuses, action_specs.group_members()
        ),
        "is_resolved": ticket.status.category == StatusCategory.RESOLVED,
    }
    context.update(extra)
    if "failed_form" in context:
        context["actions"][context["failed_action"]] = context.pop("failed_form")
    context["available"] = set(available)
    context["action_list"] = [(action_specs.ACTIONS[n], f) for n, f in context["actions"].items()]
    return context


@agent_required(hide=True)
def detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = load_ticket(request.user, number)
    if number != ticket.number:
        return redirect(ticket)
    extra: dict[str, Any] = {}
    field = request.GET.get("edit", "")
    if field in FIELD_FORMS:
        # Without JavaScript the pencil is a plain link that opens the field's form here.
        extra = {
            "edit_field": field,
            "edit_form": FIELD_FORMS[field](initial=field_initial(ticket, field)),
        }
    return render(request, "tickets/detail.html", build_context(request, ticket, **extra))


@agent_required(hide=True)
def timeline(request: HttpRequest, number: str) -> HttpResponse:
    ticket = load_ticket(request.user, number)
    return render(request, "tickets/partials/timeline.html", build_context(request, ticket))


@agent_required(hide=True)
def edit_field(request: HttpRequest, number: str, field: str) -> HttpResponse:
    if field not in FIELD_FORMS:
        raise Http404("Not an editable field")
    ticket = load_ticket(request.user, number)
    if request.method != "POST":
        if "cancel" in request.GET:
            return _summary(request, ticket)
        form = FIELD_FORMS[field](initial=field_initial(ticket, field))
        return _field_form(request, ticket, field, form)
    form = FIELD_FORMS[field](request.POST)
    if form.is_valid():
        try:
            updated = services.update_ticket(
                request.user, ticket, **{field: form.cleaned_data[field]}
            )
        except services.ServiceError as exc:
            form.add_service_error(exc)
        else:
            if updated.number != ticket.number or not is_fragment_request(request):
                return go_to(request, updated.get_absolute_url())
            response = _summary(request, load_ticket(request.user, updated.number))
            return trigger_client_event(response, "ticket-changed")
    return _field_form(request, ticket, field, form, status=422)


def _summary(request: HttpRequest, ticket: Ticket) -> HttpResponse:
    """The side panel, with the header swapped out-of-band (priority follows impact)."""
    return render(request, "tickets/partials/ticket_summary.html", build_context(request, ticket))


def _field_form(
    request: HttpRequest, ticket: Ticket, field: str, form: forms.Form, status: int = 200
) -> HttpResponse:
    if not is_fragment_request(request):
        context = build_context(request, ticket, edit_field=field, edit_form=form)
        return render(request, "tickets/detail.html", context, status=status)
    for bound in form:
        bound.field.widget.attrs["autofocus"] = True
    context = {"ticket": ticket, "field": field, "form": form}
    response = render(request, "tickets/partials/field_edit.html", context, status=status)
    if status != 200:
        response = reswap(retarget(response, f"#field-{field}"), "innerHTML")
    return response


@agent_required(hide=True)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    return access.attachment_response(access.get_attachment_for_user(request.user, pk))
