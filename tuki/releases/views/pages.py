"""The release pages (docs/releases.md): the board, a new release, freezes, the section of
the ticket page, and the calendar's release entries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.approvals.models import Approval
from tuki.changes.calendar import Entry
from tuki.changes.models import BlackoutKind, BlackoutPeriod
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.releases import access, rules, services
from tuki.releases.forms import FreezeForm, ReleaseForm
from tuki.releases.models import Deployment, Release, Stage
from tuki.tickets.models import Ticket

View = Callable[..., HttpResponseBase]
BOARD_LIMIT = 50  # cards per column


def agent_required(func: View) -> View:
    """Agents and administrators. Anonymous visitors sign in first; anyone else gets a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not access.may_read(request.user):
            raise Http404("No releases here")
        return func(request, *args, **kwargs)

    return wrapper


def _approval_states(ticket_ids: list[int]) -> dict[int, str]:
    labels = dict(Approval._meta.get_field("state").choices or [])
    return {pk: str(labels.get(s, s)) for pk, s in rules.latest_approvals(ticket_ids).items()}


@agent_required
def board(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Columns by stage; each card: number, title, version, window, changes, approval."""
    releases = list(
        access.releases_visible_to(request.user)
        .select_related("ticket__status")
        .annotate(change_count=Count("grouped"))
        .order_by("planned_start", "ticket_id")
    )
    approvals = _approval_states([r.pk for r in releases])
    columns = []
    for stage in Stage:
        cards = [r for r in releases if r.stage == stage][:BOARD_LIMIT]
        for card in cards:
            card.approval_label = approvals.get(card.pk, "")  # type: ignore[attr-defined]
        columns.append({"stage": stage, "cards": cards})
    context = {"nav": "releases", "columns": columns, "total": len(releases)}
    return render(request, "releases/board.html", context)


@agent_required
def new_release(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ReleaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            release = services.create_release(
                request.user,
                title=data["title"],
                version=data["version"],
                environment=data["environment"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                description=data["description"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(
                request, _("Release %(number)s planned.") % {"number": release.ticket.number}
            )
            return redirect(release.ticket)
    status = 422 if request.method == "POST" else 200
    return render(request, "releases/new.html", {"nav": "releases", "form": form}, status=status)


@agent_required
def freezes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The release freezes (current and coming; staff plan and remove them)."""
    may_manage = access.may_manage_freezes(request.user)
    form = FreezeForm(request.POST or None)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied(_("Only administrators plan freezes."))
        if form.is_valid():
            try:
                services.create_freeze(request.user, **form.cleaned_data)
            except ServiceError as exc:
                form.add_service_error(exc)
            else:
                messages.success(request, _("Freeze planned."))
                return redirect("releases:freezes")
    rows = list(
        BlackoutPeriod.objects.filter(kind=BlackoutKind.FREEZE, ends_at__gt=timezone.now())
        .annotate(item_count=Count("items"))
        .order_by("starts_at", "pk")[:200]
    )
    context = {"nav": "releases", "form": form, "freezes": rows, "may_manage": may_manage}
    status = 422 if request.method == "POST" else 200
    return render(request, "releases/freezes.html", context, status=status)


@agent_required
def freeze_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    if request.method != "POST":
        return redirect("releases:freezes")
    freeze = BlackoutPeriod.objects.filter(pk=pk, kind=BlackoutKind.FREEZE).first()
    if freeze is None:
        raise Http404("No such freeze")
    try:
        services.delete_freeze(request.user, freeze)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Freeze removed."))
    return redirect("releases:freezes")


# --- the ticket page's section ----------------------------------------------------------------


def section_context(user: User, ticket: Ticket) -> dict[str, Any] | None:
    """For tickets/sections.py: release tickets, agents only; it loads with htmx."""
    if ticket.kind != "release" or not access.may_read(user):
        return None
    return {"url": reverse("releases:section", args=[ticket.pk])}


def _section(
    request: AuthenticatedHttpRequest, release: Release, status: int = 200
) -> HttpResponse:
    changes = rules.grouped_changes(release)
    states = rules.latest_approvals([release.pk, *(c.ticket_id for c in changes)])
    labels = dict(Approval._meta.get_field("state").choices or [])
    visible = set(
        Ticket.objects.visible_to(request.user)
        .filter(pk__in=[c.ticket_id for c in changes])
        .values_list("pk", flat=True)
    )
    rows = [
        {
            "change": c,
            "visible": c.ticket_id in visible,
            "approved": rules.change_is_approved(c, states.get(c.ticket_id)),
            "approval": str(labels.get(states.get(c.ticket_id, ""), "")),
        }
        for c in changes
    ]
    freezes = []
    if release.planned_start and release.planned_end:
        ids = [release.pk, *(c.ticket_id for c in changes)]
        freezes = rules.periods_over(release.planned_start, release.planned_end, ids)
    context = {
        "release": release,
        "rows": rows,
        "approval": str(labels.get(states.get(release.pk, ""), "")),
        "next_stages": [s for s in Stage if s in services.NEXT_STAGES[Stage(release.stage)]],
        "may_change": access.may_change(request.user, release),
        "freezes": freezes,
        "deployments": list(Deployment.objects.filter(release=release)[:10]),
    }
    return render(request, "releases/partials/section.html", context, status=status)


def _release(request: AuthenticatedHttpRequest, pk: int) -> Release:
    return access.get_release_for_user(request.user, pk)


@agent_required
def section(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _section(request, _release(request, pk))


def _after(
    request: AuthenticatedHttpRequest, release: Release, fn: Callable[[], Any], done: str
) -> HttpResponse:
    try:
        fn()
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect(release.ticket)


@agent_required
def stage(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if request.method != "POST":
        return redirect(release.ticket)
    target = request.POST.get("stage", "")
    return _after(
        request,
        release,
        lambda: services.move_stage(request.user, release, target),
        _("Release stage moved."),
    )


@agent_required
def deployed(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if request.method != "POST":
        return redirect(release.ticket)
    return _after(
        request,
        release,
        lambda: services.mark_deployed(request.user, release),
        _("Deployment recorded."),
    )


@agent_required
def change_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if request.method != "POST":
        return redirect(release.ticket)
    ref = request.POST.get("change", "")
    return _after(
        request,
        release,
        lambda: services.add_change(request.user, release, ref),
        _("Change added to the release."),
    )


@agent_required
def change_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    release = _release(request, pk)
    if request.method != "POST":
        return redirect(release.ticket)
    change_id = parse_id(request.POST.get("change"))
    return _after(
        request,
        release,
        lambda: services.remove_change(request.user, release, str(change_id or "")),
        _("Change removed from the release."),
    )


# --- the change calendar ------------------------------------------------------------------


def calendar_entries(
    user: User, start: datetime, end: datetime, filters: dict[str, Any]
) -> list[Entry]:
    """Each release's window that `user` may see, overlapping [start, end)."""
    rows = (
        access.releases_visible_to(user)
        .filter(planned_start__lt=end, planned_end__gt=start)
        .select_related("ticket")
        .order_by("planned_start", "ticket_id")[:500]
    )
    return [
        Entry(
            kind="release",
            title=f"{r.ticket.number} {r.version or r.ticket.title}".strip(),
            starts_at=r.planned_start,
            ends_at=r.planned_end,
            url=r.ticket.get_absolute_url(),
            detail=str(Stage(r.stage).label),
        )
        for r in rows
        if r.planned_start is not None and r.planned_end is not None
    ]
