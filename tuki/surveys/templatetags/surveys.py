"""{% load surveys %}: the survey panel of the agent's ticket page (one query, none for a
requester) and the portal's question."""

from __future__ import annotations

from typing import Any

from django import template

from tuki.surveys.models import SurveyResponse

register = template.Library()


@register.simple_tag(takes_context=True)
def survey_panel(context: template.Context, ticket: Any) -> list[SurveyResponse]:
    """The ticket's surveys, newest resolution first: shown to the desk (agents who see the
    ticket, which the ticket page has checked) and never to requesters."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not (user.is_agent or user.is_superuser):
        return []
    if not (ticket.resolved_at or ticket.reopen_count):
        return []  # never resolved, so never asked: no query for the open tickets of a queue
    return list(SurveyResponse.objects.filter(ticket=ticket).order_by("-cycle"))


@register.filter
def stars(score: int | None) -> str:
    """★★★☆☆ for 3 (the number is shown beside it for screen readers)."""
    if not score:
        return ""
    return "★" * score + "☆" * (5 - score)
