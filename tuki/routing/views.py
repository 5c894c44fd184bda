"""Routing pages: rules (administrators), a group's assignment mode and its members' away
dates (administrators and the group's manager), one's own away dates (agents)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.accounts import services as accounts
from tuki.accounts.models import SupportGroup, User
from tuki.assist.models import AssistSettings
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.routing import access, services
from tuki.routing.forms import AbsenceForm, AssignmentModeForm, RoutingRuleForm
from tuki.routing.models import RoutingRule


def _status(request: HttpRequest) -> int:
    """A form posted and shown again has errors: 422, as the ticket pages answer."""
    return 422 if request.method == "POST" else 200


# --- routing rules ---------------------------------------------------------------------------


@login_required
def rules(request: AuthenticatedHttpRequest) -> HttpResponse:
    access.require_rule_admin(request.user)
    rows = RoutingRule.objects.select_related(
        "category", "service", "organisation", "location", "group"
    )
    return render(request, "routing/rules.html", {"rules": rows, "nav": "manage"})


@login_required
def rule_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    rule = access.get_rule_for_user(request.user, pk) if pk else RoutingRule()
    access.require_rule_admin(request.user)
    form = RoutingRuleForm.for_rule(rule, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_rule(request.user, rule, form.cleaned_data)
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The routing rule was saved."))
            return redirect("routing:rules")
    threshold = AssistSettings.load().routing_threshold
    percent = None if threshold is None else round(threshold * 100)
    ctx = {"form": form, "rule": rule, "nav": "manage", "assist_threshold": percent}
    return render(request, "routing/rule_form.html", ctx, status=_status(request))


@login_required
@require_POST
def rule_move(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request.user, pk)
    services.move_rule(request.user, rule, -1 if request.POST.get("direction") == "up" else 1)
    return redirect("routing:rules")


@login_required
@require_POST
def rule_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    rule = access.get_rule_for_user(request.user, pk)
    services.delete_rule(request.user, rule)
    messages.success(request, _("The routing rule %(name)s was deleted.") % {"name": rule.name})
    return redirect("routing:rules")


# --- groups: assignment mode and who is away -------------------------------------------------


@login_required
def groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = list(access.managed_groups(request.user).prefetch_related("members"))
    if not rows and not request.user.is_staff:
        raise PermissionDenied(_("Only administrators and group managers may do this."))
    members = {m.pk: m for g in rows for m in g.members.all()}
    away = accounts.away_user_ids(members.values())
    groups = [(group, [m for m in group.members.all() if m.pk in away]) for group in rows]
    return render(request, "routing/groups.html", {"groups": groups, "nav": "manage"})


@login_required
def group(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = access.get_group_for_user(request.user, pk)
    form = AssignmentModeForm(request.POST or None, initial={"assignment": group.assignment})
    if request.method == "POST" and form.is_valid():
        try:
            accounts.set_assignment_mode(request.user, group, form.cleaned_data["assignment"])
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The assignment mode was saved."))
            return redirect("routing:group", pk=group.pk)
    ctx = _group_context(group, form)
    return render(request, "routing/group.html", ctx, status=_status(request))


def _group_context(
    group: SupportGroup, form: AssignmentModeForm, absence_form: AbsenceForm | None = None
) -> dict[str, object]:
    members = list(group.members.order_by("full_name"))
    away = accounts.away_user_ids(members)
    return {
        "group": group,
        "form": form,
        "members": [(m, m.pk in away) for m in members],
        "absences": access.current_absences(members).order_by("starts_on", "user__full_name"),
        "absence_form": absence_form or AbsenceForm(members=group.members.all()),
        "next": reverse("routing:group", args=[group.pk]),
        "nav": "manage",
    }


# --- away dates ------------------------------------------------------------------------------


def away_dates_section(user: User) -> dict[str, object] | None:
    """The preferences page's away dates (tuki/accounts/preferences.py), for agents: their
    dates and the groups they manage."""
    if not (user.is_agent or user.is_superuser):
        return None
    return {
        "absences": access.current_absences([user]).order_by("starts_on"),
        "absence_form": AbsenceForm(),
        "managed_groups": access.managed_groups(user).filter(manager=user),
        "next": reverse("preferences"),
    }


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("preferences")


def _absence_members(actor: User) -> object:
    """Whom the actor may give away dates to: themselves, their groups' members, or anyone."""
    if actor.is_staff or actor.is_superuser:
        return User.objects.filter(is_agent=True, is_active=True)
    return User.objects.filter(
        Q(pk=actor.pk) | Q(pk__in=SupportGroup.objects.filter(manager=actor).values("members"))
    )


@login_required
@require_POST
def absence_add(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Own away dates (no `user` field) or a member's (a manager or administrator)."""
    for_other = "user" in request.POST
    members = _absence_members(request.user) if for_other else None
    form = AbsenceForm(request.POST, members=members)
    if form.is_valid():
        data = form.cleaned_data
        person = data.get("user") or request.user
        try:
            accounts.add_absence(
                request.user,
                person,
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                note=data["note"],
            )
        except ServiceError as exc:
            form.add_service_error(exc)
        else:
            messages.success(request, _("The away dates were saved."))
            return redirect(_next(request))
    ctx = {"absence_form": form, "next": _next(request), "nav": "preferences"}
    return render(request, "routing/absence_form.html", ctx, status=422)


@login_required
@require_POST
def absence_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    absence = access.get_absence_for_user(request.user, pk)
    accounts.delete_absence(request.user, absence)
    messages.success(request, _("The away dates were removed."))
    return redirect(_next(request))
