"""Reading business calendars: agents and administrators see them all, requesters none.

Calendars are desk configuration, not anybody's data, so a requester is refused outright
(403) rather than told a calendar does not exist.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from tuki.accounts.models import User
from tuki.calendars.models import Calendar


def may_read_calendars(user: User) -> bool:
    return user.is_authenticated and user.role in ("agent", "admin")


def calendars_for_user(user: User) -> QuerySet[Calendar]:
    _check_may_read(user)
    return Calendar.objects.all()


def get_calendar_for_user(user: User, calendar_id: int) -> Calendar:
    _check_may_read(user)
    found = Calendar.objects.filter(pk=calendar_id).first()
    if found is None:
        raise Http404(_("No such calendar."))
    return found


def _check_may_read(user: User) -> None:
    if not may_read_calendars(user):
        raise PermissionDenied(_("Only the service desk may see business calendars."))
