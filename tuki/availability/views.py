"""The availability pages for agents: the report, a service's page with its outages, and
the forms that declare an outage, end one, and mark an incident as one."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import Organisation
from tuki.availability import access, compute, periods, services
from tuki.availability.forms import OutageForm, TicketOutageForm
from tuki.availability.models import Outage
from tuki.availability.presenting import Row
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.sla.models import Service
from tuki.tickets.access import get_ticket_for_user, ticket_visible

View = Callable[..., HttpResponse]
OUTAGE_LIMIT = 200


def agent_required(func: View) -> View:
    """Agents and administrators; anonymous users sign in first, anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_read(request.user):
            raise Http404("Not for you")
        return func(request, *args, **kwargs)

    return wrapper


def _organisations() -> list[Organisation]:
    return list(
        Organisation.objects.filter(agreements__is_active=True).distinct().order_by("name", "pk")
    )


def _choices(request: HttpRequest) -> tuple[periods.Period, int | None, list[str]]:
    """The period and organisation asked for, and what was wrong with the query."""
    errors = []
    try:
        period = periods.parse(request.GET)
    except ServiceError as exc:
        errors.append(exc.message)
        period = periods.named(periods.THIS_MONTH)
    organisation_id = None
    if request.GET.get("organisation"):
        organisation_id = parse_id(request.GET["organisation"])
        if organisation_id is None:
            errors.append(_("Unknown organisation."))
    return period, organisation_id, errors


def _query(period: periods.Period, organisation_id: int | None) -> str:
    parts = [f"period={period.key}"]
    if period.key == periods.CUSTOM:
        parts += [f"start={period.first.isoformat()}", f"end={period.last.isoformat()}"]
    if organisation_id:
        parts.append(f"organisation={organisation_id}")
    return "&".join(parts)


@require_GET
@agent_required
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    period, organisation_id, errors = _choices(request)
    organisations = _organisations()
    chosen = next((o for o in organisations if o.pk == organisation_id), None)
    if organisation_id is not None and chosen is None:
        errors.append(_("This organisation has no agreement."))
    wanted = list(access.services_for_report(request.user))
    lines = compute.report(
        wanted, period.start, period.end, organisation_id=chosen.pk if chosen else None
    )
    rows = [Row(line) for line in lines]
    context = {
        "nav": "availability",
        "period": period,
        "period_choices": periods.CHOICES,
        "organisations": organisations,
        "chosen": chosen,
        "rows": rows,
        "errors": errors,
        "query": _query(period, chosen.pk if chosen else None),
        "calendar_name": lines[0].calendar_name if lines else "",
        "ticket_form": TicketOutageForm(),
    }
    return render(request, "availability/report.html", context, status=422 if errors else 200)


def _service_context(
    request: AuthenticatedHttpRequest, service: Service, form: OutageForm | None = None
) -> dict[str, Any]:
    period, organisation_id, errors = _choices(request)
    organisations = _organisations()
    chosen = next((o for o in organisations if o.pk == organisation_id), None)
    lines = []
    if chosen is not None:  # the client's hours and target, if its agreement covers it
        lines = compute.report([service], period.start, period.end, organisation_id=chosen.pk)
    if not lines:
        chosen = None
        lines = compute.report([service], period.start, period.end)
    now = timezone.now()
    outages = (
        Outage.objects.filter(service=service)
        .filter(
            Q(starts_at__lt=period.end, ends_at__gt=period.start)
            | Q(ends_at__isnull=True)
            | Q(starts_at__gt=now)
        )
        .select_related("declared_by", "ci", "ticket")
        .annotate(ticket_seen=ticket_visible(request.user))
        .order_by("-starts_at", "-pk")[:OUTAGE_LIMIT]
    )
    may_declare = access.may_declare(request.user, service, None)
    return {
        "nav": "availability",
        "service": service,
        "period": period,
        "period_choices": periods.CHOICES,
        "errors": errors,
        "organisations": organisations,
        "chosen": chosen,
        "calendar_name": lines[0].calendar_name,
        "row": Row(lines[0]),
        "outages": outages,
        "now": now,
        "may_declare": may_declare,
        "form": form or (OutageForm(initial={"starts_at": now}) if may_declare else None),
        "query": _query(period, chosen.pk if chosen else None),
    }


@require_GET
@agent_required
def service_page(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = access.get_service_for_user(request.user, pk)
    return render(request, "availability/service.html", _service_context(request, service))


@require_POST
@agent_required
def declare(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    service = access.get_service_for_user(request.user, pk)
    if not access.may_declare(request.user, service, None):
        raise Http404("Not for you")
    form = OutageForm(request.POST)
    if form.is_valid():
        try:
            services.declare_outage(request.user, service=service, **form.service_data())
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("Outage recorded."))
            return redirect("availability:service", pk=service.pk)
    context = _service_context(request, service, form)
    return render(request, "availability/service.html", context, status=422)


@require_POST
@agent_required
def end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    outage = access.get_outage_for_user(request.user, pk)
    if not access.may_declare(request.user, outage.service, outage.ci):
        raise Http404("Not for you")
    try:
        services.end_outage(request.user, outage)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Outage ended."))
    if outage.service_id:
        return redirect("availability:service", pk=outage.service_id)
    return redirect("availability:report")


@agent_required
def ticket_outage(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Mark an incident as an outage of its affected business services."""
    form = TicketOutageForm(request.POST or None, initial={"ticket": request.GET.get("ticket")})
    if request.method == "POST" and form.is_valid():
        try:
            ticket = get_ticket_for_user(request.user, form.cleaned_data["ticket"].strip())
        except Http404:
            form.add_error("ticket", _("No such ticket."))
        else:
            try:
                made = services.outage_from_ticket(
                    request.user,
                    ticket,
                    starts_at=form.cleaned_data.get("starts_at"),
                    **form.impact_data(),
                )
            except ServiceError as exc:
                form.add_service_error(exc)
            except PermissionDenied:
                form.add_error("ticket", _("You may not declare outages of its services."))
            else:
                messages.success(
                    request,
                    _("%(ticket)s is now an outage of: %(services)s.")
                    % {
                        "ticket": ticket.number,
                        "services": ", ".join(o.service.name for o in made if o.service),
                    },
                )
                return redirect(reverse("availability:report"))
    status = 422 if request.method == "POST" else 200
    context = {"nav": "availability", "form": form}
    return render(request, "availability/ticket_outage.html", context, status=status)
