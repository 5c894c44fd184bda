"""The notification pages: the list, the header's bell and dropdown, preferences, and the
watch button on the ticket page. Agents only; requesters hear from Tuki by email."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_htmx.http import trigger_client_event

from tuki.lib.htmx import is_fragment_request, render_page_or_fragment
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.notifications import access, services
from tuki.notifications.forms import PreferencesForm
from tuki.tickets import services as ticket_services
from tuki.tickets.views.common import agent_required
from tuki.tickets.views.detail import load_ticket

PAGE_SIZE = 30
LATEST = 6
CHANGED = "notifications-changed"  # htmx event: the bell refreshes its count


def _ordered(request: AuthenticatedHttpRequest) -> Any:
    return (
        access.notifications_of(request.user)
        .select_related("ticket", "actor")
        .order_by(F("read_at").asc(nulls_first=True), "-created_at", "-id")
    )


def _list_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    paginator = Paginator(_ordered(request), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return {"nav": "notifications", "page": page, "notifications": list(page.object_list)}


@agent_required
def notification_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render_page_or_fragment(
        request,
        "notifications/list.html",
        "notifications/partials/list.html",
        _list_context(request),
    )


@agent_required
@require_POST
def mark_read(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    notification = access.get_notification_for_user(request.user, pk)
    services.mark_read(request.user, [notification.pk])
    if not is_fragment_request(request):
        return redirect("notifications:list")
    notification.refresh_from_db()
    response = render(request, "notifications/partials/row.html", {"n": notification})
    return trigger_client_event(response, CHANGED)


@agent_required
@require_POST
def mark_all_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = services.mark_read(request.user, "all")
    if not is_fragment_request(request):
        messages.success(request, _("%(count)d notifications marked read.") % {"count": count})
        return redirect("notifications:list")
    response = render(request, "notifications/partials/list.html", _list_context(request))
    return trigger_client_event(response, CHANGED)


@agent_required
def open_notification(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Follow a notification's link, marking it read (it is the user's own, so harmless)."""
    notification = access.get_notification_for_user(request.user, pk)
    services.mark_read(request.user, [notification.pk])
    url = notification.url
    if not url or not url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return redirect("notifications:list")
    return redirect(url)


@agent_required
def bell(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(request, "notifications/partials/bell.html")


@agent_required
def latest(request: AuthenticatedHttpRequest) -> HttpResponse:
    items = list(_ordered(request).filter(read_at__isnull=True)[:LATEST])
    return render(request, "notifications/partials/latest.html", {"notifications": items})


@agent_required
def preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    current = services.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        services.set_preferences(request.user, request.user, form.choices())
        messages.success(request, _("Your notification preferences were saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form, "nav": "preferences"})


@agent_required(hide=True)
@require_POST
def watch(request: AuthenticatedHttpRequest, number: str) -> HttpResponse:
    """Watch or stop watching a ticket (the button on the ticket page)."""
    ticket = load_ticket(request.user, number)
    if request.POST.get("watch") == "0":
        ticket_services.remove_watcher(request.user, ticket, request.user)
        watching = False
    else:
        ticket_services.add_watchers(request.user, ticket, [request.user])
        watching = True
    if not is_fragment_request(request):
        return redirect(ticket)
    context = {"ticket": ticket, "watching": watching}
    response = render(request, "notifications/partials/watch.html", context)
    return trigger_client_event(response, "ticket-changed")
