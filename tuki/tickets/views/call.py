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
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from tuki.accounts import directory
from tuki.accounts.models import SupportGroup, User
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import (
    access,
    call_panels,
    fields as custom_fields,
    fields_forms,
    intake,
    services,
)
from tuki.tickets.choices import LinkType
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
        _link_new(user, data, ticket)
        advisor = intake.advisor()
        if advisor is not None:
            advisor.registered(user, post, ticket)
        if outcome == LogCallForm.RESOLVE:
            ticket = services.resolve_ticket(
                user, ticket, code=ResolutionCode.FIRST_CONTACT, resolution=data["resolution"]
            )
    return ticket


def _link_new(user: User, data: dict[str, Any], ticket: Ticket) -> None:
    """Link the new ticket to the open ticket or the live outage the operator picked."""
    if data.get("link_to"):
        other = Ticket.objects.visible_to(user).active().filter(pk=data["link_to"]).first()
        if other is None:
            raise ServiceError(_("That ticket is not open."), field="add_to", code="invalid")
        services.link_tickets(user, ticket, other, LinkType.RELATED)
    if data.get("child_of"):
        outage = intake.live_outages(user).filter(pk=data["child_of"]).first()
        if outage is None:
            raise ServiceError(_("That outage is over."), field="add_to", code="invalid")
        if ticket.kind != Kind.INCIDENT:
            raise ServiceError(
                _("Only an incident can be part of an outage."), field="kind", code="invalid"
            )
        services.link_tickets(user, outage, ticket, LinkType.PARENT_OF)


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


def _call(request: AuthenticatedHttpRequest) -> intake.Call:
    """What the operator has typed so far, from the query string (htmx)."""
    get = request.GET
    caller = directory.people_visible_to(request.user).filter(pk=_int(get.get("requester")))
    category = Category.objects.filter(pk=_int(get.get("category")), is_active=True)
    return intake.Call(
        caller=caller.first(),
        title=get.get("title", "")[:200],
        description=get.get("description", "")[:2000],
        category=category.first(),
        language=get_language() or "en",
        impact=_choice(get.get("impact"), (1, 2, 3)),
        urgency=_choice(get.get("urgency"), (1, 2, 3)),
        kind=Kind.REQUEST if get.get("kind") == Kind.REQUEST else Kind.INCIDENT,
    )


def _choice(value: str | None, allowed: tuple[int, ...]) -> int | None:
    number = _int(value)
    return number if number in allowed else None


@agent_required
def call_similar(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The warning: open tickets this call may duplicate (the caller's, the organisation's,
    the same category's or service's) and live outages it may be part of."""
    call = _call(request)
    advisor = intake.advisor()
    if advisor is not None:
        found = advisor.duplicates(request.user, call)
    else:
        tickets = similar_open(request.user, call.caller, call.title, call.language)
        found = [intake.Duplicate(t, [_("same caller")], 1.0, True, False) for t in tickets]
    return render(request, "tickets/partials/call_similar.html", {"duplicates": found})


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


@agent_required
def call_assist(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Assist's suggested group, category and priority for the call, each with its reason
    (the similar past tickets the operator may open), and the token of what was shown."""
    advisor = intake.advisor()
    advice, token = advisor.advise(request.user, _call(request)) if advisor else ([], "")
    context = {"advice": {a.kind: a for a in advice}, "assist_token": token}
    return render(request, "tickets/partials/call_assist.html", context)


def _int(value: str | None) -> int:
    number = parse_id(value) if value else None
    return number or 0


@agent_required
def ticket_duplicates(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """The ticket page's "Possible duplicates" (htmx): open tickets saying the same thing as
    this open one, however it came in (a mail, the portal, a call), and live outages."""
    ticket = access.get_ticket_for_user(request.user, number)
    advisor = intake.advisor()
    found: list[intake.Duplicate] = []
    if advisor is not None and ticket.is_active:
        call = intake.Call(
            caller=ticket.requester,
            title=ticket.title,
            description=ticket.description[:2000],
            category=ticket.category,
            language=get_language() or "en",
            kind=ticket.kind,
        )
        linked = set(ticket.links_out.values_list("target_id", flat=True))
        linked |= set(ticket.links_in.values_list("source_id", flat=True))
        found = [
            d
            for d in advisor.duplicates(request.user, call)
            if d.ticket.pk != ticket.pk and d.ticket.pk not in linked
        ]
    context = {"duplicates": found, "ticket": ticket}
    return render(request, "tickets/partials/ticket_duplicates.html", context)


@require_POST
@agent_required(hide=True)
def join_outage(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """ "Part of this outage" in the ticket page's Possible duplicates: the live outage
    becomes this incident's parent, in one step (as Log a call's "Register, linked to the
    outage"). An outage that is over, or one the agent may not see, is refused."""
    ticket = access.get_ticket_for_user(request.user, number)
    outage = intake.live_outages(request.user).filter(pk=_int(request.POST.get("outage"))).first()
    try:
        if outage is None:
            raise ServiceError(_("That outage is over."), field="outage", code="invalid")
        if ticket.kind != Kind.INCIDENT or not ticket.is_active:
            raise ServiceError(
                _("Only an open incident can be part of an outage."), field="outage", code="kind"
            )
        services.link_tickets(request.user, outage, ticket, LinkType.PARENT_OF)
    except (ServiceError, PermissionDenied) as exc:
        messages.error(request, str(getattr(exc, "message", "") or exc))
    else:
        messages.success(
            request,
            _("%(number)s is now part of the outage %(outage)s.")
            % {"number": ticket.number, "outage": outage.number},
        )
    return go_to(request, ticket.get_absolute_url())
