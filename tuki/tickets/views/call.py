"""Log a call: the first-line operator's keyboard-first intake form."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import fields as custom_fields, fields_forms, services
from tuki.tickets.forms import LogCallForm
from tuki.tickets.models import Category, Channel, Kind, ResolutionCode, Ticket
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
    custom = _custom_form(request.POST or None, request.POST.get("category"))
    if request.method == "POST" and form.is_valid() & custom.is_valid():
        try:
            ticket = _register(request.user, form.cleaned_data, custom.values())
        except ServiceError as exc:
            if (exc.field or "").startswith("custom."):
                custom.add_service_error(exc)
            else:
                form.add_service_error(exc)
        except PermissionDenied as exc:
            form.add_error(None, str(exc) or _("You may not do this."))
        else:
            messages.success(request, _("%(number)s was registered.") % {"number": ticket.number})
            return go_to(request, ticket.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    context = _context(form) | {"custom_form": custom}
    return render(request, "tickets/log_call.html", context, status=status)


def _custom_form(data: Any, category_id: str | None) -> fields_forms.CustomValuesFormBase:
    """The custom fields of an incident in this category (Log a call registers incidents)."""
    category = Category.objects.filter(pk=_int(category_id)).first() if category_id else None
    return fields_forms.values_form(custom_fields.fields_for(Kind.INCIDENT, category), data)


@agent_required
def call_custom_fields(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The custom fields again when the category changes (htmx)."""
    form = _custom_form(None, request.GET.get("category"))
    return render(request, "tickets/partials/custom_fields_form.html", {"custom_form": form})


def _register(user: User, data: dict[str, Any], custom: dict[str, Any] | None = None) -> Ticket:
    """Create the ticket, and resolve it at once when the operator solved it on the phone.
    One transaction: a refused resolution leaves no ticket behind."""
    outcome = data["outcome"]
    with transaction.atomic():
        ticket = services.create_ticket(
            user,
            title=data["title"],
            description=data["description"],
            requester=data["requester"],
            category=data["category"],
            impact=data["impact"],
            urgency=data["urgency"],
            channel=Channel.PHONE,
            group=data["group"] if outcome == LogCallForm.ESCALATE else None,
            # The operator is talking with the caller: this call is the first response.
            answered_live=True,
            custom=custom,
        )
        if outcome == LogCallForm.RESOLVE:
            ticket = services.resolve_ticket(
                user, ticket, code=ResolutionCode.FIRST_CONTACT, resolution=data["resolution"]
            )
    return ticket


def _context(form: LogCallForm) -> dict[str, Any]:
    caller = form.cleaned_data.get("requester") if hasattr(form, "cleaned_data") else None
    return {
        "nav": "call",
        "form": form,
        "caller": caller,
        "categories": list(Category.objects.filter(is_active=True).select_related("default_group")),
        "groups": list(SupportGroup.objects.filter(is_active=True)),
    }


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
