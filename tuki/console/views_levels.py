"""The console's business calendars (hours, closed days, a deadline preview), services and
OLA targets. Thin views: every write goes through the owning app's service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import holidays
from django.contrib import messages
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.models import SupportGroup
from tuki.calendars import services as calendars
from tuki.calendars.arithmetic import add_business_minutes
from tuki.calendars.models import WEEKDAYS, Calendar
from tuki.calendars.validation import day_label
from tuki.console.access import admin_required, get_for_admin
from tuki.console.forms import (
    CalendarForm,
    ClosedDayForm,
    OlaForm,
    PreviewForm,
    ServiceForm,
    periods_text,
)
from tuki.console.views import _edit_page, _save
from tuki.lib.dates import absolute
from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.sla import rules
from tuki.sla.models import OlaTarget, Service, SlaPolicy

# --- calendars -------------------------------------------------------------------------------


def week_summary(calendar: Calendar) -> list[tuple[str, str]]:
    """Per open weekday, its periods as text: [("Monday", "08:00–16:00"), ...]."""
    if calendar.always_open:
        return []
    return [
        (day_label(day), periods_text(calendar.week[day]))
        for day in WEEKDAYS
        if calendar.week.get(day)
    ]


@require_GET
@admin_required
def calendar_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = [
        {"calendar": c, "week": week_summary(c), "closed_days": len(c.closed_days)}
        for c in Calendar.objects.order_by("name")
    ]
    return render(request, "console/calendars.html", {"nav": "manage", "rows": rows})


def calendar_preview(calendar: Calendar, form: PreviewForm) -> dict[str, Any]:
    """When a target of the form's length, started at its moment (default now), ends."""
    zone = ZoneInfo(calendar.time_zone)
    start = timezone.now()
    minutes = 4 * 60
    if form.is_bound and form.is_valid():
        minutes = form.total_minutes()
        chosen = form.cleaned_data.get("start")
        if chosen is not None:
            start = chosen.replace(tzinfo=zone)
    try:
        end: datetime | None = add_business_minutes(calendar.schedule(), start, minutes)
    except ValueError:
        end = None
    return {
        "start": start.astimezone(zone),
        "end": end.astimezone(zone) if end else None,
        "start_text": _shown(start, zone),
        "end_text": _shown(end, zone) if end else "",
        "minutes": minutes,
        "zone": calendar.time_zone,
    }


def _shown(moment: datetime, zone: ZoneInfo) -> str:
    """ "Monday 3.3.2025 9.00" in the calendar's own zone (and the reader's language)."""
    with timezone.override(zone):
        return f"{date_format(moment.astimezone(zone), 'l')} {absolute(moment)}"


def public_holidays(calendar: Calendar, year: int) -> list[tuple[date, str]]:
    """The public holidays of the calendar's country in `year`, with their names."""
    if not calendar.holiday_country or calendar.always_open:
        return []
    try:
        found = holidays.country_holidays(
            calendar.holiday_country, subdiv=calendar.holiday_subdivision or None, years=year
        )
    except (NotImplementedError, KeyError, ValueError):
        return []
    return sorted(found.items())


def _calendar_page(
    request: AuthenticatedHttpRequest,
    calendar: Calendar | None,
    form: CalendarForm,
    status: int = 200,
    day_form: ClosedDayForm | None = None,
) -> HttpResponse:
    preview_form = PreviewForm(request.GET if "hours" in request.GET else None)
    context: dict[str, Any] = {
        "nav": "manage",
        "calendar": calendar,
        "form": form,
        "day_form": day_form or ClosedDayForm(),
        "preview_form": preview_form,
    }
    if calendar is not None:
        year = timezone.localdate().year
        context |= {
            "preview": calendar_preview(calendar, preview_form),
            "closed_days": [
                {"day": day, "iso": day.isoformat(), "weekday": date_format(day, "l")}
                for day in map(date.fromisoformat, calendar.closed_days)
            ],
            "public_holidays": public_holidays(calendar, year),
            "year": year,
            "users": calendars.calendar_users(calendar),
        }
    return render(request, "console/calendar.html", context, status=status)


def _calendar_save(request: AuthenticatedHttpRequest, calendar: Calendar) -> HttpResponse:
    form = CalendarForm(request.POST)
    if form.is_valid():
        data = form.service_input(list(calendar.closed_days))
        saved = _save(form, lambda: calendars.update_calendar(request.user, calendar, data))
        if saved is not None:
            messages.success(request, _("Calendar “%(name)s” saved.") % {"name": saved.name})
            return redirect("console:calendar", pk=saved.pk)
    if calendar.pk is not None:
        calendar.refresh_from_db()
    return _calendar_page(request, calendar if calendar.pk else None, form, status=422)


@admin_required
def calendar_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _calendar_save(request, Calendar())
    initial = {"time_zone": request.user.time_zone or "UTC"}
    initial |= {f"week_{day}": "08:00–16:00" for day in WEEKDAYS[:5]}
    return _calendar_page(request, None, CalendarForm(initial=initial))


@admin_required
def calendar_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    calendar = get_for_admin(request.user, Calendar, pk)
    if request.method == "POST":
        return _calendar_save(request, calendar)
    return _calendar_page(
        request, calendar, CalendarForm(initial=CalendarForm.initial_for(calendar))
    )


@require_POST
@admin_required
def calendar_day_add(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    calendar = get_for_admin(request.user, Calendar, pk)
    day_form = ClosedDayForm(request.POST)
    if day_form.is_valid():
        day = day_form.cleaned_data["day"]
        if _save(day_form, lambda: calendars.add_closed_day(request.user, calendar, day)):
            messages.success(request, _("Closed on %(day)s.") % {"day": day.isoformat()})
            return redirect(reverse("console:calendar", args=[calendar.pk]) + "#closed-days")
    form = CalendarForm(initial=CalendarForm.initial_for(calendar))
    return _calendar_page(request, calendar, form, status=422, day_form=day_form)


@require_POST
@admin_required
def calendar_day_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    calendar = get_for_admin(request.user, Calendar, pk)
    try:
        parsed = date.fromisoformat(request.POST.get("day") or "")
    except ValueError:
        parsed = None
    if parsed is not None:
        try:
            calendars.remove_closed_day(request.user, calendar, parsed)
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Open again on %(day)s.") % {"day": parsed.isoformat()})
    return redirect(reverse("console:calendar", args=[calendar.pk]) + "#closed-days")


@require_POST
@admin_required
def calendar_delete(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    calendar = get_for_admin(request.user, Calendar, pk)
    try:
        calendars.delete_calendar(request.user, calendar)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("console:calendar", pk=calendar.pk)
    messages.success(request, _("Calendar “%(name)s” deleted.") % {"name": calendar.name})
    return redirect("console:calendars")


# --- services --------------------------------------------------------------------------------


@require_GET
@admin_required
def service_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Service.objects.annotate(category_count=Count("categories")).order_by("name")
    return render(request, "console/services.html", {"nav": "manage", "services": rows})


def _service_crumbs(title: str) -> dict[str, Any]:
    return {
        "title": title,
        "parent_label": _("Services"),
        "parent_url": reverse("console:services"),
        "icon": "bi-hdd-stack",
    }


def _service_page(request: AuthenticatedHttpRequest, service: Service) -> HttpResponse:
    title = service.name if service.pk else _("New service")
    if request.method != "POST":
        initial = ServiceForm.initial_for(service) if service.pk else None
        return _edit_page(request, ServiceForm(initial=initial), _service_crumbs(title))
    form = ServiceForm(request.POST)
    if form.is_valid():
        saved = _save(form, lambda: rules.save_service(request.user, service, form.service_data()))
        if saved is not None:
            messages.success(request, _("“%(name)s” saved.") % {"name": saved.name})
            return redirect("console:services")
    return _edit_page(request, form, _service_crumbs(title), 422)


@admin_required
def service_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _service_page(request, Service())


@admin_required
def service_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _service_page(request, get_for_admin(request.user, Service, pk))


# --- OLA targets -----------------------------------------------------------------------------


@require_GET
@admin_required
def ola_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    policies = SlaPolicy.objects.order_by("order", "name").prefetch_related("ola_targets__group")
    return render(request, "console/olas.html", {"nav": "manage", "policies": policies})


def _ola_groups() -> list[SupportGroup]:
    return list(SupportGroup.objects.filter(is_active=True).order_by("tier", "name"))


def _ola_page(
    request: AuthenticatedHttpRequest, policy: SlaPolicy, form: OlaForm, status: int = 200
) -> HttpResponse:
    context = {
        "nav": "manage",
        "policy": policy,
        "form": form,
        "columns": form.columns(),
        "rows": form.rows(),
    }
    return render(request, "console/ola.html", context, status=status)


@admin_required
def ola_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    policy = get_for_admin(request.user, SlaPolicy, pk)
    groups = _ola_groups()
    # Targets of groups no longer active stay as they are (they are not on the page).
    kept = [
        {"group": t.group_id, "priority": t.priority, "minutes": t.minutes}
        for t in OlaTarget.objects.filter(policy=policy).exclude(group__in=groups)
    ]
    if request.method != "POST":
        form = OlaForm(initial=OlaForm.initial_for(policy), groups=groups)
        return _ola_page(request, policy, form)
    form = OlaForm(request.POST, groups=groups)
    if form.is_valid():
        data = {"ola_targets": kept + form.cleaned_data["ola_targets"]}
        saved = _save(form, lambda: rules.save_policy(request.user, policy, data))
        if saved is not None:
            messages.success(request, _("OLA targets of “%(name)s” saved.") % {"name": saved.name})
            return redirect("console:ola", pk=policy.pk)
    return _ola_page(request, policy, form, status=422)
