"""The ticket page, its fragments (fields, timeline) and inline field edits."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django_htmx.http import reswap, retarget, trigger_client_event

from tuki.accounts.models import SupportGroup, User
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access, fields as custom_fields, fields_forms, sections, services
from tuki.tickets.forms import FIELD_FORMS, CommentForm, field_initial, max_upload_mb
from tuki.tickets.models import StatusCategory, Ticket, TicketLink
from tuki.tickets.views import action_specs, conflicts, thread
from tuki.tickets.views.common import agent_required, go_to
from tuki.tickets.views.timeline import build_timeline

# The ticket's people and groups are read by id, one query each, not joined to the ticket:
# PostgreSQL took longer to plan the 13-table join than to run it (5-10 ms of planning).
# The ticket it was merged into (closed tickets only) is read when shown.
PEOPLE = ("requester", "owner", "assignee", "escalated_to", "created_by")
GROUPS = ("owner_group", "group")


def load_ticket(user: User, number: str) -> Ticket:
    """The ticket with its status, category, organisation, location, groups, tags and
    watchers, in a fixed number of small queries; `build_context` adds its people."""
    visible = access.get_ticket_for_user(user, number, related=False)
    ticket = (
        Ticket.objects.select_related("status", "category", "organisation", "location")
        .prefetch_related("tags", "watchers")
        .filter(pk=visible.pk)
        .first()
    )
    if ticket is None:
        raise Http404("No such ticket")
    _attach(ticket, GROUPS, SupportGroup.objects.in_bulk(_ids(ticket, GROUPS)))
    return ticket


def _attach_people(
    ticket: Ticket, comments: list[Any], events: list[Any], attachments: list[Any]
) -> None:
    """The ticket's people and everyone its timeline names, in one query: joined to each
    comment, event and file instead, the same few agents were read and built once a row."""
    rows: list[tuple[Any, tuple[str, ...]]] = [(ticket, PEOPLE)]
    rows += [(c, ("author",)) for c in comments] + [(e, ("actor",)) for e in events]
    rows += [(a, ("uploaded_by",)) for a in attachments]
    people = User.objects.in_bulk({pk for row, fields in rows for pk in _ids(row, fields)})
    for row, fields in rows:
        _attach(row, fields, people)


def _ids(row: Any, fields: tuple[str, ...]) -> set[int]:
    return {pk for name in fields if (pk := getattr(row, f"{name}_id")) is not None}


def _attach(row: Any, fields: tuple[str, ...], objects: dict[int, Any]) -> None:
    for name in fields:
        pk = getattr(row, f"{name}_id")
        if pk in objects:
            setattr(row, name, objects[pk])


def _links(user: User, ticket: Ticket) -> list[dict[str, Any]]:
    """The ticket's links whose other ticket the user may see."""
    rows = TicketLink.objects.filter(
        (Q(source=ticket) & access.ticket_visible(user, "target"))
        | (Q(target=ticket) & access.ticket_visible(user, "source"))
    ).select_related("source__status", "target__status")
    links = []
    for link in rows:
        outgoing = link.source_id == ticket.pk
        label = link.get_type_display() if outgoing else action_specs.inverse_label(link.type)
        links.append(
            {"link": link, "label": label, "other": link.target if outgoing else link.source}
        )
    return links


def build_context(
    request: AuthenticatedHttpRequest, ticket: Ticket, **extra: Any
) -> dict[str, Any]:
    user = request.user
    comments = list(ticket.comments.all())
    # Reply and note events too: they name the rule that wrote a comment nobody signed.
    events = list(ticket.events.all())
    attachments = list(ticket.attachments.all())
    _attach_people(ticket, comments, events, attachments)
    links = _links(user, ticket)
    # Numbers in link and merge events the reader may not see: those of the visible links
    # are known already, so a usual page asks nothing more.
    numbers = access.other_numbers(events) - {link["other"].number for link in links}
    hidden = access.hidden_numbers(user, numbers) if numbers else set()
    merged = ticket.merged_into_id
    merged_hidden = merged is not None and not access.may_see(user, merged)
    statuses = services.allowed_statuses(ticket)
    can_reply = access.can_reply_publicly(user, ticket)
    available = action_specs.available(user, ticket, statuses)
    context: dict[str, Any] = {
        "nav": "queue",
        "ticket": ticket,
        "tags": list(ticket.tags.all()),
        "watchers": list(ticket.watchers.all()),
        "timeline": build_timeline(comments, events, attachments, hidden),
        "merged_into_shown": bool(ticket.merged_into_id) and not merged_hidden,
        "attachments": attachments,
        "links": links,
        "counts": {
            "replies": sum(1 for c in comments if not c.is_internal),
            "notes": sum(1 for c in comments if c.is_internal),
            "attachments": len(attachments),
        },
        "can_reply": can_reply,
        "composer": CommentForm(statuses=statuses, can_reply=can_reply),
        "max_upload_mb": max_upload_mb(),
        "is_resolved": ticket.status.category == StatusCategory.RESOLVED,
        # What upper apps show here (tickets/sections.py): the CMDB's affected items.
        "sections": sections.rendered_for(user, ticket),
        "thread": thread.for_page(ticket, comments, attachments),  # swarming (docs/chat.md)
        "custom_fields": [
            (f"cf_{row.key}", row) for row in custom_fields.shown(ticket)
        ],  # custom fields: token "cf_<key>" in edit URLs and ids
    }
    context.update(extra)
    # Each action's dialog fetches its form when opened (`action_form`); only a form that
    # failed without htmx comes with the page, filled in and with its errors.
    forms: dict[str, Any] = dict.fromkeys(available)
    if "failed_form" in context:
        forms[context["failed_action"]] = context.pop("failed_form")
    context["actions"], context["available"] = forms, set(available)
    context["action_list"] = [(action_specs.ACTIONS[n], f) for n, f in forms.items()]
    return context


@agent_required(hide=True)
def detail(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = load_ticket(request.user, number)
    if number != ticket.number:
        return redirect(ticket)
    action = request.GET.get("action", "")
    if action in action_specs.ACTIONS and is_fragment_request(request):
        return action_form(request, ticket, action)
    extra: dict[str, Any] = {}
    field = request.GET.get("edit", "")
    if field in FIELD_FORMS or _custom_field(ticket, field) is not None:
        # Without JavaScript the pencil is a plain link that opens the field's form here.
        extra = {"edit_field": field, "edit_form": _edit_form(ticket, field)}
    return render(request, "tickets/detail.html", build_context(request, ticket, **extra))


def action_form(request: AuthenticatedHttpRequest, ticket: Ticket, name: str) -> HttpResponse:
    """An action's form, for its dialog on the ticket page when the agent opens it: the page
    itself builds none, as most dialogs are never opened and the assign form lists every
    agent. Posting the form checks everything, as before."""
    form = action_specs.make_form(name, ticket, request.user)
    context = {"action": action_specs.ACTIONS[name], "form": form, "ticket": ticket}
    return render(request, "tickets/partials/action_form.html", context)


@agent_required(hide=True)
def timeline(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    ticket = load_ticket(request.user, number)
    return render(request, "tickets/partials/timeline.html", build_context(request, ticket))


@agent_required(hide=True)
def edit_field(request: AuthenticatedHttpRequest, number: str, field: str) -> HttpResponse:
    if field not in FIELD_FORMS and not field.startswith("cf_"):
        raise Http404("Not an editable field")
    ticket = load_ticket(request.user, number)
    custom = _custom_field(ticket, field)
    if field not in FIELD_FORMS and custom is None:
        raise Http404("Not a field of this ticket")
    if request.method != "POST":
        if "cancel" in request.GET:
            return _summary(request, ticket)
        return _field_form(request, ticket, field, _edit_form(ticket, field))
    form = _edit_form(ticket, field, request.POST)
    form.version = request.POST.get("version") or ticket.version  # type: ignore[attr-defined]  # carried by the template
    form.original = request.POST.get("original") or conflicts.sign(ticket, field)  # type: ignore[attr-defined]  # carried by the template
    if form.is_valid():
        if request.POST.get("resolve") == "theirs":  # the conflict view's "Take theirs"
            return _edited(request, ticket, ticket)
        conflict = conflicts.field_conflict(request, ticket, field, form)
        if conflict is None:
            try:
                updated = _save_field(request, ticket, field, form)
            except services.StaleTicket:
                # Changed between reading it and saving: compare with what it is now.
                ticket = load_ticket(request.user, number)
                conflict = conflicts.field_conflict(request, ticket, field, form)
                if conflict is None:
                    conflicts.mark(form, ticket, field)
                    form.add_error(None, _("This ticket changed while you saved. Save again."))
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                return _edited(request, ticket, updated)
        if conflict is not None:
            form.conflict = conflict  # type: ignore[attr-defined]  # shown by the template
            form.version, form.original = conflict.version, conflict.original  # type: ignore[attr-defined]  # carried by the template
    return _field_form(request, ticket, field, form, status=422)


def _save_field(
    request: AuthenticatedHttpRequest, ticket: Ticket, field: str, form: BootstrapMixin
) -> Ticket:
    """Save over the version the edit was compared with (`field_conflict`)."""
    if isinstance(form, fields_forms.CustomValuesFormBase):
        changes: dict[str, Any] = {"custom": form.values()}
    else:
        changes = {field: form.cleaned_data[field]}
    return services.update_ticket(request.user, ticket, expected_version=ticket.version, **changes)


def _edited(request: AuthenticatedHttpRequest, ticket: Ticket, updated: Ticket) -> HttpResponse:
    if updated.number != ticket.number or not is_fragment_request(request):
        return go_to(request, updated.get_absolute_url())
    response = _summary(request, load_ticket(request.user, updated.number))
    return trigger_client_event(response, "ticket-changed")


def _custom_field(ticket: Ticket, field: str) -> Any:
    """The custom field a "cf_<key>" token names, if the ticket has it."""
    if not field.startswith("cf_"):
        return None
    key = field.removeprefix("cf_")
    return next(
        (f for f in custom_fields.fields_for(ticket.kind, ticket.category) if f.key == key), None
    )


def _edit_form(ticket: Ticket, field: str, data: Any = None) -> BootstrapMixin:
    """The field's form; a blank one carries the version and value it shows (conflicts.py)."""
    custom = _custom_field(ticket, field)
    if custom is not None:
        form: BootstrapMixin = fields_forms.values_form([custom], data, values=ticket.custom)
    elif data is not None:
        form = FIELD_FORMS[field](data)
    else:
        form = FIELD_FORMS[field](initial=field_initial(ticket, field))
    if data is None:
        conflicts.mark(form, ticket, field)
    return form


def _summary(request: AuthenticatedHttpRequest, ticket: Ticket) -> HttpResponse:
    """The side panel, with the header swapped out-of-band (priority follows impact)."""
    return render(request, "tickets/partials/ticket_summary.html", build_context(request, ticket))


def _field_form(
    request: AuthenticatedHttpRequest,
    ticket: Ticket,
    field: str,
    form: BootstrapMixin,
    status: int = 200,
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
def attachment(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    return access.attachment_response(access.get_attachment_for_user(request.user, pk))
