"""Knowledge reports: what is read, what helps, what is due for review, what self-service
saved, and what people searched for without finding anything."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from tuki.knowledge import access
from tuki.knowledge.models import Deflection, DeflectionOutcome, State
from tuki.knowledge.views.common import (
    agent_required,
    page_context,
    reader_language,
    titled,
    with_titles,
)
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.search import engine

WEEKS = 12
DAYS = 30
REVIEW_AHEAD = datetime.timedelta(days=14)


def deflection_weeks(since: datetime.datetime) -> list[dict[str, Any]]:
    """Solved and submitted per week (Monday), oldest first, weeks without any included."""
    rows = (
        Deflection.objects.filter(created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(
            solved=Count("pk", filter=Q(outcome=DeflectionOutcome.SOLVED)),
            submitted=Count("pk", filter=Q(outcome=DeflectionOutcome.SUBMITTED)),
        )
    )
    counts = {}
    for row in rows:
        week = row["week"]
        day = week.date() if isinstance(week, datetime.datetime) else week
        counts[day] = (row["solved"], row["submitted"])
    start = since.date() - datetime.timedelta(days=since.date().weekday())
    weeks = []
    for n in range(WEEKS + 1):
        day = start + datetime.timedelta(weeks=n)
        solved, submitted = counts.get(day, (0, 0))
        total = solved + submitted
        weeks.append({"week": day, "solved": solved, "submitted": submitted, "total": total})
    peak = max([w["total"] for w in weeks] + [1])
    for w in weeks:
        w["solved_pct"] = round(100 * w["solved"] / peak)
        w["submitted_pct"] = round(100 * w["submitted"] / peak)
    return weeks


@agent_required(hide=True)
def reports(request: AuthenticatedHttpRequest) -> HttpResponse:
    language = reader_language(request)
    today = timezone.localdate()
    articles = with_titles(access.articles_visible_to(request.user)).select_related("owner")
    rated = articles.annotate(votes=F("helpful_count") + F("not_helpful_count")).filter(votes__gt=0)
    since = timezone.now() - datetime.timedelta(weeks=WEEKS)
    weeks = deflection_weeks(since)
    solved = sum(w["solved"] for w in weeks)
    submitted = sum(w["submitted"] for w in weeks)
    context = page_context(
        most_viewed=titled(
            articles.filter(view_count__gt=0).order_by("-view_count")[:10], language
        ),
        least_helpful=titled(
            rated.order_by(F("helpful_count") * 1.0 / F("votes"), "-votes")[:10], language
        ),
        due=titled(
            articles.filter(review_by__lte=today + REVIEW_AHEAD).order_by("review_by")[:20],
            language,
        ),
        weeks=weeks,
        solved=solved,
        submitted=submitted,
        rate=round(100 * solved / (solved + submitted)) if solved + submitted else None,
        unanswered=engine.top_unanswered(days=DAYS),
        days=DAYS,
        today=today,
        published=articles.filter(state=State.PUBLISHED).count(),
    )
    return render(request, "knowledge/reports.html", context)
