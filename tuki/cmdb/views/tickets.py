"""The "Affected items" section of the ticket page (registered in tickets/sections.py from
CmdbConfig.ready()): the items the ticket names, add and remove, and what else is affected.

The ticket page itself spends no query on it: the section loads its content from here."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import trigger_client_event

from tuki.accounts.models import User
from tuki.cmdb import access, services
from tuki.cmdb.models import AffectedItem
from tuki.cmdb.views.common import reader_required
from tuki.cmdb.views.impact import ticket_impact_context
from tuki.lib.bounds import parse_id
from tuki.lib.htmx import is_fragment_request
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Ticket


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: agents see the section; it costs the ticket page nothing."""
    if not access.may_read(user):
        return None
    return {"url": reverse("cmdb:ticket_affected", args=[ticket.pk])}


def _ticket(user: User, pk: int) -> Ticket:
    ticket = Ticket.objects.visible_to(user).filter(pk=pk).first()
    if ticket is None:
        raise Http404("No such ticket")
    return ticket


def _panel(request: AuthenticatedHttpRequest, ticket: Ticket, status: int = 200) -> HttpResponse:
    user = request.user
    readable = access.items_visible_to(user)
    rows = list(
        AffectedItem.objects.filter(ticket=ticket)
        .select_related("ci__ci_class")
        .order_by("ci__name", "pk")
    )
    visible = set(readable.filter(pk__in=[r.ci_id for r in rows]).values_list("pk", flat=True))
    items = [row.ci for row in rows if row.ci_id in visible]
    context = {
        "ticket": ticket,
        "items": items,
        "hidden_count": len(rows) - len(items),
        "can_work": ticket_access.can_work(user, ticket),
        "impact": ticket_impact_context(user, ticket, readable) if items else None,
    }
    return render(request, "cmdb/partials/ticket_affected.html", context, status=status)


def _done(request: AuthenticatedHttpRequest, ticket: Ticket, message: str) -> HttpResponse:
    if is_fragment_request(request):
        return trigger_client_event(_panel(request, ticket), "ticket-changed")
    messages.success(request, message)
    return redirect(ticket)


@reader_required
def affected(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """GET: the section's content. POST: name the items picked (`ci`, several)."""
    ticket = _ticket(request.user, pk)
    if request.method != "POST":
        return _panel(request, ticket)
    ids = {i for raw in request.POST.getlist("ci") if (i := parse_id(raw)) is not None}
    items = list(access.items_visible_to(request.user).filter(pk__in=ids))
    if not items:
        if is_fragment_request(request):
            return _panel(request, ticket, status=422)
        messages.error(request, _("Search for an item and pick it."))
        return redirect(ticket)
    services.name_affected(request.user, ticket, items)  # PermissionDenied: a 403
    return _done(request, ticket, _("Affected items added."))


@reader_required
def affected_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket = _ticket(request.user, pk)
    if request.method != "POST":
        return redirect(ticket)
    ci_pk = parse_id(request.POST.get("ci"))
    ci = access.items_visible_to(request.user).filter(pk=ci_pk).first() if ci_pk else None
    if ci is None:
        raise Http404("No such item")
    services.unname_affected(request.user, ticket, ci)
    return _done(request, ticket, _("Affected item removed."))
