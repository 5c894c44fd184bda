"""The change success score page: per group and per service, over a period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tuki.changes import scores as scoring
from tuki.changes.views.common import agent_required
from tuki.lib.http import AuthenticatedHttpRequest

DEFAULT_DAYS = 90


def period(raw_start: str | None, raw_end: str | None) -> tuple[datetime, datetime]:
    """[start, end) from ISO dates (the end day included); the last 90 days by default."""
    today = timezone.localdate()

    def parse(raw: str | None) -> date | None:
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            return None

    end_day = parse(raw_end) or today
    start_day = parse(raw_start) or end_day - timedelta(days=DEFAULT_DAYS)
    if start_day > end_day:
        start_day, end_day = end_day, start_day
    zone = timezone.get_current_timezone()
    start = datetime.combine(start_day, time.min, tzinfo=zone)
    end = datetime.combine(end_day + timedelta(days=1), time.min, tzinfo=zone)
    return start, end


@agent_required
def scores(request: AuthenticatedHttpRequest) -> HttpResponse:
    start, end = period(request.GET.get("start"), request.GET.get("end"))
    result = scoring.scores(request.user, start, end)
    context = {
        "nav": "changes",
        "result": result,
        "start": start.date(),
        "end": (end - timedelta(days=1)).date(),
        # The date inputs' values: ISO, whatever the reader's format.
        "start_value": start.date().isoformat(),
        "end_value": (end - timedelta(days=1)).date().isoformat(),
    }
    return render(request, "changes/scores.html", context)
