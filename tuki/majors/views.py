"""The major incidents' pages: the list, a major's page (children, communications, review)
and the section on the ticket page. Agents only; anything not visible is a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import User
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.majors import access, services
from tuki.majors.models import (
    ACTIVE_STATES,
    Communication,
    CommunicationKind,
    MajorIncident,
    State,
)
from tuki.tickets.models import Kind, LinkType, ResolutionCode, Ticket

View = Callable[..., HttpResponseBase]
LIST_LIMIT = 200


def agent_required(func: View) -> View:
    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.is_agent(request.user):
            raise Http404("Not for requesters")
        return func(request, *args, **kwargs)

    return wrapper


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: agents, incidents; loads with htmx (no query here)."""
    if ticket.kind != Kind.INCIDENT or not access.is_agent(user):
        return None
    return {"url": reverse("majors:ticket_section", args=[ticket.pk])}


@require_GET
@agent_required
def major_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    majors = list(
        access.majors_visible_to(request.user)
        .select_related("ticket__status", "manager")
        .annotate(
            active=Case(
                When(state__in=ACTIVE_STATES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            children_count=Count(
                "ticket__links_out", filter=Q(ticket__links_out__type=LinkType.PARENT_OF)
            ),
        )
        .order_by("active", "-created_at", "-ticket_id")[:LIST_LIMIT]
    )
    return render(request, "majors/list.html", {"nav": "majors", "majors": majors})


def _detail(
    request: AuthenticatedHttpRequest,
    major: MajorIncident,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    kids = list(
        services.children(major)
        .filter(pk__in=Ticket.objects.visible_to(user).values("pk"))
        .select_related("status", "requester")
        .order_by("pk")
    )
    hidden = services.children(major).count() - len(kids)
    communications = list(
        Communication.objects.filter(major=major).select_related("posted_by")[:200]
    )
    running = access.may_run(user, major)
    context = {
        "nav": "majors",
        "major": major,
        "ticket": major.ticket,
        "children": kids,
        "hidden_children": hidden,
        "similar": services.similar_incidents(user, major)
        if running and major.state == State.DECLARED
        else [],
        "communications": communications,
        "may_run": running,
        "is_manager": access.is_manager(user),
        "kinds": CommunicationKind.choices,
        "codes": ResolutionCode.choices,
        "errors": errors or {},
        "values": values or {},
    }
    return render(request, "majors/detail.html", context, status=status)


@require_GET
@agent_required
def major_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _detail(request, access.get_major_for_user(request.user, pk))


def _act(
    request: AuthenticatedHttpRequest, pk: int, do: Callable[[MajorIncident], object]
) -> HttpResponse:
    major = access.get_major_for_user(request.user, pk)
    try:
        do(major)
    except ServiceError as error:
        field = error.field or "form"
        return _detail(
            request,
            major,
            errors={field: str(error.message)},
            values={k: str(v) for k, v in request.POST.items()},
            status=422,
        )
    except PermissionDenied as denied:
        return _detail(request, major, errors={"form": str(denied)}, status=403)
    return redirect("majors:detail", pk=major.pk)


def _user(value: str) -> User | None:
    if not value or not value.isdigit() or len(value) > 12:
        return None
    user = User.objects.filter(pk=int(value), is_active=True).first()
    if user is None:
        raise ServiceError(gettext("No such person."), field="manager", code="not_found")
    return user


@require_POST
@agent_required
def post_update(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    kind = request.POST.get("kind", CommunicationKind.PUBLIC)
    return _act(
        request,
        pk,
        lambda m: services.post_update(request.user, m, request.POST.get("body", ""), kind=kind),
    )


@require_POST
@agent_required
def attach(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def do(major: MajorIncident) -> object:
        chosen = request.POST.getlist("ticket")
        if chosen:
            found = services.tickets_by_numbers(request.user, " ".join(chosen))
        else:
            found = services.tickets_by_numbers(request.user, request.POST.get("tickets", ""))
        return services.attach_children(request.user, major, found)

    return _act(request, pk, do)


@require_POST
@agent_required
def details(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: services.update_details(
            request.user,
            m,
            summary=request.POST.get("summary", ""),
            bridge=request.POST.get("bridge", ""),
        ),
    )


@require_POST
@agent_required
def accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: services.accept_proposal(
            request.user, m, manager=_user(request.POST.get("manager", ""))
        ),
    )


@require_POST
@agent_required
def reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: services.reject_proposal(request.user, m, reason=request.POST.get("reason", "")),
    )


@require_POST
@agent_required
def resolve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: services.resolve_major(
            request.user,
            m,
            code=request.POST.get("code", ""),
            resolution=request.POST.get("resolution", ""),
        ),
    )


@require_POST
@agent_required
def review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda m: services.review_major(
            request.user,
            m,
            timeline=request.POST.get("review_timeline", ""),
            root_cause=request.POST.get("review_root_cause", ""),
            actions=request.POST.get("review_actions", ""),
        ),
    )


# --- the ticket page's section --------------------------------------------------------------


@require_GET
@agent_required
def ticket_section(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket = access.visible_ticket(request.user, pk)
    major = MajorIncident.objects.filter(ticket=ticket).select_related("manager").first()
    # A parent the reader may not see (restricted) is not named.
    parent = (
        Ticket.objects.visible_to(request.user)
        .filter(links_out__target=ticket, links_out__type=LinkType.PARENT_OF)
        .filter(major__isnull=False)
        .first()
    )
    context = {
        "ticket": ticket,
        "major": major,
        "parent": parent,
        "children_count": services.children(major).count() if major else 0,
        "is_manager": access.is_manager(request.user),
        "can_start": ticket.kind == Kind.INCIDENT
        and ticket.status.category in services.ACTIVE_CATEGORIES
        and parent is None
        and (major is None or major.state == State.REJECTED),
    }
    return render(request, "majors/partials/ticket_panel.html", context)


def _from_ticket(
    request: AuthenticatedHttpRequest, pk: int, do: Callable[[Ticket], MajorIncident]
) -> HttpResponse:
    ticket = access.visible_ticket(request.user, pk)
    try:
        major = do(ticket)
    except (ServiceError, PermissionDenied) as error:
        message = str(error.message) if isinstance(error, ServiceError) else str(error)
        context = {"ticket": ticket, "message": message}
        return render(request, "majors/refused.html", context, status=422)
    return redirect("majors:detail", pk=major.pk)


@require_POST
@agent_required
def declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _from_ticket(
        request,
        pk,
        lambda t: services.declare_major(request.user, t, summary=request.POST.get("summary", "")),
    )


@require_POST
@agent_required
def propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _from_ticket(
        request,
        pk,
        lambda t: services.propose_major(request.user, t, summary=request.POST.get("summary", "")),
    )
