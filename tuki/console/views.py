"""The administration console: its home, people and groups, organisations and offices, and SLA
policies with a deadline preview. Thin views: every write goes through a service."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts import services as accounts
from tuki.accounts.models import Location, Organisation, SupportGroup, User
from tuki.accounts.signin import recent_second_factor
from tuki.calendars.arithmetic import add_business_minutes
from tuki.calendars.models import Calendar
from tuki.console.access import admin_required, get_for_admin
from tuki.console.forms import (
    METRICS,
    AgreementForm,
    GroupForm,
    LocationForm,
    MemberForm,
    OrganisationForm,
    PolicyForm,
    UserForm,
)
from tuki.console.sections import HEADING_ICONS, HEADING_LABELS
from tuki.lib import console
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.sla import rules
from tuki.sla.models import Agreement, SlaPolicy
from tuki.tickets.models import Priority

USERS_PER_PAGE = 50


def _save(form: Any, call: Any) -> Any:
    """Run a service; a refusal becomes a field error on `form` (None returned)."""
    try:
        return call()
    except ServiceError as exc:
        form.add_service_error(exc)
    except PermissionDenied as exc:
        form.add_error(None, str(exc))
    return None


def _edit_page(
    request: AuthenticatedHttpRequest, form: Form, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(
        request, "console/edit.html", {"nav": "manage", "form": form, **context}, status=status
    )


# --- home --------------------------------------------------------------------------------------


@require_GET
@admin_required
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    headings: dict[str, list[console.Section]] = {}
    for section in console.sections_for(request.user):
        headings.setdefault(section.heading, []).append(section)
    groups = [
        {
            "key": key,
            "label": HEADING_LABELS[key],
            "icon": HEADING_ICONS[key],
            "sections": [{"section": s, "url": reverse(s.url_name)} for s in headings.get(key, [])],
        }
        for key in console.HEADINGS
        if key in headings
    ]
    return render(request, "console/home.html", {"nav": "manage", "headings": groups})


# --- support groups ------------------------------------------------------------------------


@require_GET
@admin_required
def groups(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = SupportGroup.objects.select_related("manager", "location").annotate(
        member_count=Count("members", distinct=True)
    )
    return render(request, "console/groups.html", {"nav": "manage", "groups": rows})


def _group_data(form: GroupForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@admin_required
def group_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = GroupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        group = _save(
            form, lambda: accounts.save_group(request.user, SupportGroup(), _group_data(form))
        )
        if group is not None:
            messages.success(request, _("Group “%(name)s” saved.") % {"name": group.name})
            return redirect("console:group", pk=group.pk)
    status = 422 if request.method == "POST" else 200
    return _edit_page(request, form, _group_crumbs(None), status)


def _group_crumbs(group: SupportGroup | None) -> dict[str, Any]:
    return {
        "title": group.name if group else _("New support group"),
        "parent_label": _("Support groups"),
        "parent_url": reverse("console:groups"),
        "icon": "bi-people",
    }


@admin_required
def group_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_for_admin(request.user, SupportGroup, pk)
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            saved = _save(form, lambda: accounts.save_group(request.user, group, _group_data(form)))
            if saved is not None:
                messages.success(request, _("Group “%(name)s” saved.") % {"name": saved.name})
                return redirect("console:group", pk=group.pk)
        return _group_page(request, group, form, MemberForm(), status=422)
    return _group_page(request, group, GroupForm(initial=_group_initial(group)), MemberForm())


def _group_initial(group: SupportGroup) -> dict[str, Any]:
    return {
        "name": group.name,
        "tier": group.tier,
        "email": group.email,
        "manager": group.manager_id,
        "location": group.location_id,
        "may_write_to_requesters": group.may_write_to_requesters,
        "is_active": group.is_active,
    }


def _group_page(
    request: AuthenticatedHttpRequest,
    group: SupportGroup,
    form: GroupForm,
    member_form: MemberForm,
    status: int = 200,
) -> HttpResponse:
    members = group.members.order_by("full_name").only("id", "full_name", "email", "is_active")
    context = {
        "nav": "manage",
        "group": group,
        "form": form,
        "member_form": member_form,
        "members": members,
        **_group_crumbs(group),
    }
    return render(request, "console/group.html", context, status=status)


@require_POST
@admin_required
def group_member_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    group = get_for_admin(request.user, SupportGroup, pk)
    form = MemberForm(request.POST)
    if form.is_valid():
        user = form.cleaned_data["user"]

        def add() -> bool:
            accounts.add_group_member(request.user, group, user)
            return True

        if _save(form, add):
            messages.success(request, _("%(name)s added.") % {"name": user.full_name})
            return redirect("console:group", pk=group.pk)
    return _group_page(request, group, GroupForm(initial=_group_initial(group)), form, status=422)


@require_POST
@admin_required
def group_member_remove(request: AuthenticatedHttpRequest, pk: int, user_id: int) -> HttpResponse:
    group = get_for_admin(request.user, SupportGroup, pk)
    user = get_for_admin(request.user, User, user_id)
    accounts.remove_group_member(request.user, group, user)
    messages.success(request, _("%(name)s removed.") % {"name": user.full_name})
    return redirect("console:group", pk=group.pk)


# --- people --------------------------------------------------------------------------------

ROLE_FILTERS = {
    "agents": Q(is_agent=True),
    "requesters": Q(is_agent=False, is_staff=False, is_superuser=False),
    "admins": Q(is_staff=True) | Q(is_superuser=True),
    "inactive": Q(is_active=False),
}


@require_GET
@admin_required
def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:100]
    role = request.GET.get("role") or ""
    people = User.objects.select_related("organisation", "location").order_by("full_name", "id")
    if query:
        people = people.filter(Q(full_name__icontains=query) | Q(email__icontains=query))
    if role in ROLE_FILTERS:
        people = people.filter(ROLE_FILTERS[role])
    page = Paginator(people, USERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "nav": "manage",
        "page": page,
        "query": query,
        "role": role,
        "roles": [
            ("", _("Everyone")),
            ("agents", _("Agents")),
            ("requesters", _("Requesters")),
            ("admins", _("Administrators")),
            ("inactive", _("Inactive")),
        ],
    }
    return render(request, "console/users.html", context)


def _user_crumbs(person: User | None) -> dict[str, Any]:
    return {
        "title": person.full_name if person else _("New person"),
        "parent_label": _("People and roles"),
        "parent_url": reverse("console:users"),
        "icon": "bi-person",
        "note": None
        if person
        else _("They set their password through the “Forgot your password?” link."),
    }


def _user_save(request: AuthenticatedHttpRequest, form: UserForm, person: User) -> Any:
    data = dict(form.cleaned_data)
    groups = data.pop("groups")
    return _save(form, lambda: accounts.save_user(request.user, person, data, groups))


@admin_required
@recent_second_factor  # may make an administrator
def user_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = _user_save(request, form, User())
        if person is not None:
            messages.success(request, _("%(name)s saved.") % {"name": person.full_name})
            return redirect("console:users")
    status = 422 if request.method == "POST" else 200
    return _edit_page(request, form, _user_crumbs(None), status)


@admin_required
@recent_second_factor  # may make an administrator
def user_edit(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    person = get_for_admin(request.user, User, user_id)
    if request.method == "POST":
        form = UserForm(request.POST)
        if form.is_valid() and _user_save(request, form, person) is not None:
            messages.success(request, _("%(name)s saved.") % {"name": person.full_name})
            return redirect("console:users")
        return _edit_page(request, form, _user_crumbs(person), 422)
    initial = {
        key: getattr(person, key)
        for key in ("full_name", "email", "phone", "language", "time_zone")
        + ("is_agent", "sees_all_tickets", "sees_organisation_tickets", "is_staff", "is_active")
    }
    initial |= {
        "organisation": person.organisation_id,
        "location": person.location_id,
        "groups": list(person.support_groups.all()),
    }
    context = _user_crumbs(person) | {
        "grants": _grant_rows(person),
        "links": [(reverse("twofactor:person", args=[person.pk]), _("Second factors"))],
    }
    return _edit_page(request, UserForm(initial=initial), context)


def _grant_rows(person: User) -> list[tuple[str, list[str]]]:
    """Each role or support group a source granted, with who granted it (directories, SCIM,
    single sign-on, by hand): empty for people no source manages."""
    rows: dict[str, list[str]] = {}
    for grant in accounts.grants_of(person):
        label = str(grant.group) if grant.group is not None else grant.role
        rows.setdefault(label, []).append(grant.source)
    if all(sources == [accounts.MANUAL] for sources in rows.values()):
        return []
    return sorted(rows.items())


# --- organisations and offices -------------------------------------------------------------


@require_GET
@admin_required
def organisations(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "nav": "manage",
        "organisations": Organisation.objects.annotate(person_count=Count("members")),
        "locations": Location.objects.annotate(person_count=Count("people")),
    }
    return render(request, "console/organisations.html", context)


def _simple_edit(
    request: AuthenticatedHttpRequest,
    form_class: Any,
    instance: Any,
    save: Any,
    crumbs: dict[str, Any],
    fields: tuple[str, ...],
) -> HttpResponse:
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            saved = _save(form, lambda: save(request.user, instance, dict(form.cleaned_data)))
            if saved is not None:
                messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
                return redirect("console:organisations")
        return _edit_page(request, form, crumbs, 422)
    initial = {key: getattr(instance, key) for key in fields} if instance.pk else None
    return _edit_page(request, form_class(initial=initial), crumbs)


def _place_crumbs(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "parent_label": _("Organisations and offices"),
        "parent_url": reverse("console:organisations"),
        "icon": "bi-building",
    }


ORGANISATION_FIELDS = ("name", "domains", "phone", "notes", "is_active")
LOCATION_FIELDS = ("name", "address", "time_zone")


@admin_required
def organisation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    crumbs = _place_crumbs(_("New organisation"))
    return _simple_edit(
        request,
        OrganisationForm,
        Organisation(),
        accounts.save_organisation,
        crumbs,
        ORGANISATION_FIELDS,
    )


@admin_required
def organisation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_for_admin(request.user, Organisation, pk)
    return _simple_edit(
        request,
        OrganisationForm,
        found,
        accounts.save_organisation,
        _place_crumbs(found.name),
        ORGANISATION_FIELDS,
    )


@admin_required
def location_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    crumbs = _place_crumbs(_("New office"))
    return _simple_edit(
        request, LocationForm, Location(), accounts.save_location, crumbs, LOCATION_FIELDS
    )


@admin_required
def location_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    found = get_for_admin(request.user, Location, pk)
    return _simple_edit(
        request,
        LocationForm,
        found,
        accounts.save_location,
        _place_crumbs(found.name),
        LOCATION_FIELDS,
    )


# --- SLA policies ----------------------------------------------------------------------------


@require_GET
@admin_required
def policies(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = SlaPolicy.objects.select_related("calendar").prefetch_related("targets")
    return render(request, "console/policies.html", {"nav": "manage", "policies": rows})


def preview(policy: SlaPolicy | None) -> dict[str, Any]:
    """When a ticket registered now would be due, per priority, by the policy's calendar."""
    calendar = (policy.calendar if policy else None) or Calendar.default()
    schedule = calendar.schedule()
    now = timezone.now()
    targets = {t.priority: t for t in policy.targets.all()} if policy and policy.pk else {}
    rows = []
    for priority, label in Priority.choices:
        target = targets.get(priority)
        due = []
        for metric, _label in METRICS:
            minutes = target.minutes_for(metric) if target else None
            try:
                due.append(add_business_minutes(schedule, now, minutes) if minutes else None)
            except ValueError:
                due.append(None)
        rows.append({"priority": label, "due": due, "has_target": target is not None})
    return {"calendar": calendar, "now": now, "rows": rows}


def _policy_page(
    request: AuthenticatedHttpRequest, form: PolicyForm, policy: SlaPolicy | None, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "manage",
        "form": form,
        "policy": policy,
        "metrics": [label for _key, label in METRICS],
        "target_rows": form.target_rows(),
        "preview": preview(policy),
    }
    return render(request, "console/policy.html", context, status=status)


def _policy_save(request: AuthenticatedHttpRequest, policy: SlaPolicy) -> HttpResponse:
    form = PolicyForm(request.POST)
    if form.is_valid():
        saved = _save(form, lambda: rules.save_policy(request.user, policy, form.service_data()))
        if saved is not None:
            messages.success(
                request,
                _("Policy “%(name)s” saved; open tickets' clocks are being recomputed.")
                % {"name": saved.name},
            )
            return redirect("console:policy", pk=saved.pk)
    return _policy_page(request, form, policy if policy.pk else None, status=422)


@admin_required
def policy_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _policy_save(request, SlaPolicy())
    return _policy_page(request, PolicyForm(), None)


@admin_required
def policy_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = get_for_admin(request.user, SlaPolicy, pk)
    if request.method == "POST":
        return _policy_save(request, policy)
    return _policy_page(request, PolicyForm(initial=PolicyForm.initial_for(policy)), policy)


# --- agreements ----------------------------------------------------------------------------


@require_GET
@admin_required
def agreements(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Agreement.objects.select_related("organisation", "policy", "calendar")
    return render(request, "console/agreements.html", {"nav": "manage", "agreements": rows})


def _agreement_crumbs(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "parent_label": _("Agreements"),
        "parent_url": reverse("console:agreements"),
        "icon": "bi-file-earmark-check",
    }


def _agreement_page(request: AuthenticatedHttpRequest, agreement: Agreement) -> HttpResponse:
    title = agreement.name if agreement.pk else _("New agreement")
    if request.method != "POST":
        initial = AgreementForm.initial_for(agreement) if agreement.pk else None
        return _edit_page(request, AgreementForm(initial=initial), _agreement_crumbs(title))
    form = AgreementForm(request.POST)
    if form.is_valid():
        saved = _save(
            form, lambda: rules.save_agreement(request.user, agreement, form.service_data())
        )
        if saved is not None:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect("console:agreements")
    return _edit_page(request, form, _agreement_crumbs(title), 422)


@admin_required
def agreement_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _agreement_page(request, Agreement())


@admin_required
def agreement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _agreement_page(request, get_for_admin(request.user, Agreement, pk))
