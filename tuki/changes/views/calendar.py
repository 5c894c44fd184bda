"""The change calendar (month and week) and a change's window section (docs/change-calendar.md)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import wraps
from typing import Any

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tuki.accounts.models import User
from tuki.changes import calendar, calendar_sources, conflicts, scheduling
from tuki.changes.calendar import Entry
from tuki.changes.models import Change
from tuki.cmdb import access as cmdb_access
from tuki.lib.bounds import parse_id
from tuki.lib.errors import ServiceError
from tuki.lib.forms import BootstrapMixin
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.tickets import access as ticket_access
from tuki.tickets.models import Ticket

calendar_sources.register_builtin_sources()  # idempotent; ChangesConfig.ready() calls it too

View = Callable[..., HttpResponseBase]
FORMAT = "%Y-%m-%dT%H:%M"


def agent_required(func: View) -> View:
    """Agents and administrators; anonymous visitors sign in first; anyone else a 404."""

    @wraps(func)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not cmdb_access.may_read(request.user):
            raise Http404("Not for requesters")
        return func(request, *args, **kwargs)

    return wrapper


@dataclass
class Day:
    day: date
    in_month: bool
    is_today: bool
    entries: list[Entry] = field(default_factory=list)

    @property
    def weekday(self) -> str:
        return date_format(self.day, "D")


def _day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        return timezone.localdate()


def _span(view: str, day: date) -> tuple[date, date]:
    if view == "week":
        first = day - timedelta(days=day.weekday())
        return first, first + timedelta(days=7)
    first = day.replace(day=1)
    start = first - timedelta(days=first.weekday())
    following = (first + timedelta(days=32)).replace(day=1)
    end = following + timedelta(days=(7 - following.weekday()) % 7)
    return start, end


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _days(view: str, day: date, found: list[Entry]) -> list[Day]:
    start, end = _span(view, day)
    today = timezone.localdate()
    days = []
    current = start
    while current < end:
        begin, finish = _moment(current), _moment(current + timedelta(days=1))
        days.append(
            Day(
                current,
                view == "week" or current.month == day.month,
                current == today,
                [e for e in found if e.starts_at < finish and e.ends_at > begin],
            )
        )
        current += timedelta(days=1)
    return days


def _steps(view: str, day: date) -> tuple[date, date]:
    if view == "week":
        return day - timedelta(days=7), day + timedelta(days=7)
    first = day.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1), (first + timedelta(days=32)).replace(day=1)


@agent_required
def calendar_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    view = "week" if request.GET.get("view") == "week" else "month"
    day = _day(request.GET.get("date"))
    filters: dict[str, int] = {}
    for key in ("service", "item"):
        value = parse_id(request.GET.get(key))
        if value is not None:
            filters[key] = value
    start, end = _span(view, day)
    found = calendar.entries(request.user, _moment(start), _moment(end), filters)
    days = _days(view, day, found)
    previous, following = _steps(view, day)
    named = {
        ci.pk: ci.name
        for ci in cmdb_access.items_visible_to(request.user).filter(pk__in=list(filters.values()))
    }
    context = {
        "view": view,
        "day": day,
        "day_iso": day.isoformat(),
        "month_title": date_format(day, "YEAR_MONTH_FORMAT"),
        "weeks": [days[i : i + 7] for i in range(0, len(days), 7)],
        "days": days,
        "previous": previous.isoformat(),
        "following": following.isoformat(),
        "today": timezone.localdate().isoformat(),
        "filters": filters,
        "filter_names": {key: named.get(pk, "") for key, pk in filters.items()},
        "entry_count": len(found),
    }
    return render(request, "changes/calendar.html", context)


# The window section of a change's page


class WindowForm(BootstrapMixin, forms.Form):
    start = forms.DateTimeField(
        label=_("Planned start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT),
    )
    end = forms.DateTimeField(
        label=_("Planned end"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=FORMAT),
    )
    implementer = forms.ModelChoiceField(
        label=_("Implementer"),
        queryset=User.objects.filter(is_active=True, is_agent=True).order_by("full_name"),
        required=False,
    )

    FIELDS = {"planned_start": "start", "planned_end": "end", "implementer": "implementer"}

    def add_service_error(self, exc: ServiceError) -> None:
        self.add_error(self.FIELDS.get(exc.field or "", None), exc.message)


def _change_for(user: User, pk: int) -> tuple[Ticket, Change]:
    ticket = ticket_access.get_ticket_for_user(user, pk)
    change = Change.objects.filter(pk=ticket.pk).select_related("implementer").first()
    if change is None:
        raise Http404("Not a change")
    change.ticket = ticket
    return ticket, change


@require_http_methods(["GET", "POST"])
@agent_required
def window(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    ticket, change = _change_for(request.user, pk)
    may_plan = ticket_access.can_work(request.user, ticket)
    status = 200
    if request.method == "POST":
        if not may_plan:
            raise PermissionDenied
        form = WindowForm(request.POST)
        if form.is_valid():
            try:
                scheduling.set_window(
                    request.user,
                    change,
                    start=form.cleaned_data["start"],
                    end=form.cleaned_data["end"],
                    implementer=form.cleaned_data["implementer"],
                )
            except ServiceError as exc:
                form.add_service_error(exc)
                status = 422
            else:
                form = _form(change)
        else:
            status = 422
    else:
        form = _form(change)
    found = conflicts.check(change, request.user)
    slots = conflicts.free_slots(change) if change.planned_start else []
    context = {
        "ticket": ticket,
        "change": change,
        "form": form,
        "conflicts": found,
        "slots": [(s, e, s.strftime(FORMAT), e.strftime(FORMAT)) for s, e in _local(slots)],
        "may_plan": may_plan,
        "window_day": (
            timezone.localtime(change.planned_start).date().isoformat()
            if change.planned_start
            else ""
        ),
    }
    return render(request, "changes/partials/window.html", context, status=status)


def _local(slots: list[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    return [(timezone.localtime(s), timezone.localtime(e)) for s, e in slots]


def _form(change: Change) -> WindowForm:
    initial: dict[str, Any] = {"implementer": change.implementer_id}
    if change.planned_start and change.planned_end:
        initial["start"] = timezone.localtime(change.planned_start)
        initial["end"] = timezone.localtime(change.planned_end)
    return WindowForm(initial=initial)
