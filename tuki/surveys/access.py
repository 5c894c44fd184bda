"""Who sees which survey answers: agents and administrators, those of the tickets they may
see (tuki/tickets/access.py's one rule). Requesters see their own survey on their ticket in
the portal only; the list and the ticket page panel are the desk's."""

from __future__ import annotations

from django.db.models import QuerySet

from tuki.accounts.models import User
from tuki.surveys.models import SurveyResponse
from tuki.tickets import access as ticket_access


def may_list(user: User) -> bool:
    return bool(user.is_active and (user.is_agent or user.is_superuser))


def responses_for(user: User) -> QuerySet[SurveyResponse]:
    """The survey responses `user` may read (none for a requester)."""
    if not may_list(user):
        return SurveyResponse.objects.none()
    if user.is_superuser:
        return SurveyResponse.objects.all()
    return SurveyResponse.objects.filter(ticket_access.ticket_visible(user))
