"""Log a call: the first-line operator's keyboard-first intake form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import get_language, gettext as _
from django_htmx.http import trigger_client_event

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import call_panels, fields as custom_fields, fields_forms, services
from tuki.tickets.forms import LogCallForm
from tuki.tickets.models import Category, Channel, Kind, ResolutionCode, Ticket
from tuki.tickets.similar import similar_open
from tuki.tickets.views.common import agent_required, go_to

SEARCH_RESULTS = 8


def suggest_group(category: Category | None, caller: User | None) -> SupportGroup | None:
    """The category's default group (or its nearest ancestor's), moved to the caller's office.

    Second-line groups are often per office ("Network Helsinki", "Network Bucharest"): when
    the default group sits elsewhere, prefer a group of the same tier at the caller's location
    whose name starts with the same word.
    """
    group = None
    while category is not None and group is None:
        group = category.default_group
        category = category.parent
    if group is None or caller is None or caller.location_id is None:
        return group
    if group.location_id in (None, caller.location_id):
        return group
    first_word = group.name.split(" ")[0]
    local = SupportGroup.objects.filter(
        is_active=True, tier=group.tier, location_id=caller.location_id, name__startswith=first_word
    ).first()
    return local or group


@agent_required
def log_call(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = LogCallForm(request.POST or None)
    custom = _custom_form(
        request.POST or None, request.POST.get("category"), request.POST.get("kind")
    )
    if request.method == "POST" and form.is_valid() & custom.is_valid():
        try:
            if form.cleaned_data.get("add_to"):
                ticket = _add_to(request.user, form.cleaned_data)
                done = _("The call was added to %(number)s.")
            else:
                ticket = _register(request.user, form.cleaned_data, request.POST, custom.values())
                done = _("%(number)s was registered.")
        except ServiceError as exc:
            if (exc.field or "").startswith("custom."):
                custom.add_service_error(exc)
            else:
                form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, done % {"number": ticket.number})
            return go_to(request, ticket.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = _context(request.user, form, request.POST) | {"custom_form": custom}
    return render(request, "tickets/log_call.html", context, status=status)


def _custom_form(
    data: Any, category_id: str | None, kind: str | None
) -> fields_forms.CustomValuesFormBase:
    """The custom fields of a ticket of this kind (incident or request) in this category."""
    category = Category.objects.filter(pk=_int(category_id)).first() if category_id else None
    kind = kind if kind in (Kind.INCIDENT, Kind.REQUEST) else Kind.INCIDENT
    return fields_forms.values_form(custom_fields.fields_for(kind, category), data)


@agent_required
def call_custom_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The custom fields again when the category or the kind changes (htmx)."""
    form = _custom_form(None, request.GET.get("category"), request.GET.get("kind"))
    return render(request, "tickets/partials/custom_fields_form.html", {"custom_form": form})


def _register(
    user: User,
    data: dict[str, Any],
    post: QueryDict | None = None,
    custom: dict[str, Any] | None = None,
) -> Ticket:
    """Create the ticket, and resolve it at once when the operator solved it on the phone.
    One transaction: a refused resolution leaves no ticket behind. Panels (a guided script)
    may decide the outcome first and record their part once the ticket exists."""
    post = post if post is not None else QueryDict()
    with transaction.atomic():
        for panel in call_panels.panels():
            panel.prepare(user, post, data)
        outcome = data["outcome"]
        if outcome == LogCallForm.RESOLVE and not (data.get("resolution") or "").strip():
            raise ServiceError(_("Say how the call was resolved."), field="resolution")
        ticket = services.create_ticket(
            user,
            title=data["title"],
            description=data["description"],
            requester=data["requester"],
            kind=data.get("kind") or LogCallForm.base_fields["kind"].initial,
            category=data["category"],
            impact=data["impact"],
            urgency=data["urgency"],
            channel=Channel.PHONE,
            group=data["group"] if outcome == LogCallForm.ESCALATE else None,
            # The operator is talking with the caller: this call is the first response.
            answered_live=True,
            custom=custom,
        )
        for panel in call_panels.panels():
            panel.registered(user, post, ticket)
        if outcome == LogCallForm.RESOLVE:
            ticket = services.resolve_ticket(
                user, ticket, code=ResolutionCode.FIRST_CONTACT, resolution=data["resolution"]
            )
    return ticket


def _add_to(user: User, data: dict[str, Any]) -> Ticket:
    """The call becomes an internal note, on the phone channel, of the caller's open ticket."""
    ticket = (
        Ticket.objects.visible_to(user)
        .filter(pk=data["add_to"], requester=data["requester"])
        .first()
    )
    if ticket is None:
        raise ServiceError(_("That ticket is not the caller's."), field="add_to", code="invalid")
    body = _("Call from %(name)s: %(title)s") % {
        "name": data["requester"].full_name or data["requester"].email,
        "title": data["title"],
    }
    if (data.get("description") or "").strip():
        body += "\n\n" + data["description"].strip()
    services.add_comment(user, ticket, body, internal=True, channel=Channel.PHONE)
    return ticket


def _context(user: User, form: LogCallForm, post: QueryDict) -> dict[str, Any]:
    caller = form.cleaned_data.get("requester") if hasattr(form, "cleaned_data") else None
    return {
        "nav": "call",
        "form": form,
        "caller": caller,
        "categories": list(Category.objects.filter(is_active=True).select_related("default_group")),
        "groups": list(SupportGroup.objects.filter(is_active=True)),
        "panels": [(panel, panel.context(user, post)) for panel in call_panels.panels()],
    }


@agent_required
def call_similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The warning: the caller already has an open ticket with a similar title."""
    caller = (
        directory.people_visible_to(request.user)
        .filter(pk=_int(request.GET.get("requester")))
        .first()
    )
    title = request.GET.get("title", "")[:200]
    tickets = similar_open(request.user, caller, title, get_language() or "en")
    return render(request, "tickets/partials/call_similar.html", {"tickets": tickets})


@agent_required
def caller_search(request: AuthenticatedHttpRequest) -> HttpResponse:
    text = request.GET.get("caller", "").strip()
    people: list[User] = []
    if len(text) >= 2:
        people = list(
            directory.people_visible_to(request.user)
            .filter(
                Q(full_name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
            )
            .select_related("organisation", "location")
            .order_by("full_name")[:SEARCH_RESULTS]
        )
    context = {"people": people, "text": text}
    return render(request, "tickets/partials/caller_results.html", context)


@agent_required
def caller_pick(request: AuthenticatedHttpRequest) -> HttpResponse:
    caller = (
        directory.people_visible_to(request.user)
        .filter(pk=_int(request.GET.get("requester")))
        .select_related("organisation", "location")
        .first()
    )
    recent: list[Ticket] = []
    if caller is not None:
        recent = list(
            Ticket.objects.visible_to(request.user)
            .filter(requester=caller)
            .select_related("status")
            .order_by("-updated_at")[:5]
        )
    response = render(
        request, "tickets/partials/caller_card.html", {"caller": caller, "recent": recent}
    )
    return trigger_client_event(response, "caller-picked", after="settle")


@agent_required
def call_route(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The escalation group select, preset to the suggestion for this category and caller."""
    category = Category.objects.filter(pk=_int(request.GET.get("category"))).first()
    caller = User.objects.filter(pk=_int(request.GET.get("requester"))).first()
    suggested = suggest_group(category, caller)
    form = LogCallForm(initial={"group": suggested.pk if suggested else None})
    context = {"form": form, "suggested": suggested}
    return render(request, "tickets/partials/call_route.html", context)


def _int(value: str | None) -> int:
    number = parse_id(value) if value else None
    return number or 0
