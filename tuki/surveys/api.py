"""Survey answers over REST: GET /api/v1/surveys/, for agents and administrators.

The list holds the responses of the tickets the caller may see (surveys/access.py); a
requester gets a 403. Reports aggregate them (tuki/reports); this is the raw list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Query, Router

from tuki.lib.bounds import Id, Schema
from tuki.lib.errors import ServiceError
from tuki.lib.http import ApiRequest
from tuki.surveys import access
from tuki.surveys.models import SurveyResponse
from tuki.tickets.models import Ticket

router = Router(tags=["surveys"])


class SurveyFilters(Schema):
    ticket: str | None = Field(None, max_length=30, description="A ticket number (INC-12) or id")
    agent: Id | None = Field(None, description="The agent who resolved (user id)")
    group: Id | None = Field(None, description="The group that resolved (id)")
    organisation: Id | None = Field(None, description="The ticket's organisation (id)")
    answered: bool | None = Field(None, description="Only answered (true) or unanswered (false)")
    since: date | None = Field(None, description="Asked on or after this day (UTC)")
    until: date | None = Field(None, description="Asked on or before this day (UTC)")
    cursor: Id | None = Field(None, description="`next_cursor` of the previous page")
    limit: int = Field(50, ge=1, le=200)


class SurveyOut(Schema):
    id: int
    ticket: str = Field(description="The ticket's number")
    cycle: int = Field(description="1 for the first resolution, 2 after one reopen, …")
    requester: int
    agent: int | None
    group: int | None
    organisation: int | None
    sent_at: datetime
    score: int | None = Field(description="1 (very poor) to 5 (very good); null until answered")
    comment: str
    answered_at: datetime | None


class SurveyPage(Schema):
    items: list[SurveyOut]
    next_cursor: int | None


def _out(r: SurveyResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "ticket": r.ticket.number,
        "cycle": r.cycle,
        "requester": r.requester_id,
        "agent": r.agent_id,
        "group": r.group_id,
        "organisation": r.ticket.organisation_id,
        "sent_at": r.sent_at,
        "score": r.score,
        "comment": r.comment,
        "answered_at": r.answered_at,
    }


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _filtered(qs: QuerySet[SurveyResponse], f: SurveyFilters) -> QuerySet[SurveyResponse]:
    if f.ticket:
        parsed = Ticket.parse_number(f.ticket)
        if parsed is not None:
            qs = qs.filter(ticket__in=Ticket.objects.filter(Ticket.number_q(*parsed)))
        elif f.ticket.isascii() and f.ticket.isdigit() and len(f.ticket) < 19:
            qs = qs.filter(ticket_id=int(f.ticket))
        else:
            raise ServiceError(_("Not a ticket number."), field="ticket", code="invalid")
    if f.agent is not None:
        qs = qs.filter(agent_id=f.agent)
    if f.group is not None:
        qs = qs.filter(group_id=f.group)
    if f.organisation is not None:
        qs = qs.filter(ticket__organisation_id=f.organisation)
    if f.answered is not None:
        qs = qs.filter(answered_at__isnull=not f.answered)
    if f.since is not None:
        qs = qs.filter(sent_at__gte=_day_start(f.since))
    if f.until is not None:
        qs = qs.filter(sent_at__lt=_day_start(f.until) + timedelta(days=1))
    return qs


@router.get("", response=SurveyPage, summary="Satisfaction survey responses, newest first")
def list_responses(request: ApiRequest, filters: Query[SurveyFilters]) -> dict[str, Any]:
    user = request.auth
    if not access.may_list(user):
        raise PermissionDenied(_("Only the desk reads survey answers."))
    qs = _filtered(access.responses_for(user), filters).select_related("ticket").order_by("-id")
    if filters.cursor is not None:
        qs = qs.filter(pk__lt=filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    items = rows[: filters.limit]
    return {"items": [_out(r) for r in items], "next_cursor": items[-1].pk if more else None}
