"""{% load sla %}: SLA badges for ticket lists and the clocks card of the ticket page."""

from __future__ import annotations

from typing import Any

from django import template

from tuki.sla.access import clock_views
from tuki.sla.explain import ClockView, deadline_tone
from tuki.sla.models import Metric

register = template.Library()


@register.simple_tag(takes_context=True)
def sla_clocks(context: template.Context, ticket: Any) -> list[ClockView]:
    """The ticket's clocks, explained (one query)."""
    request = context.get("request")
    return clock_views(ticket, getattr(request, "user", None))


@register.inclusion_tag("tickets/partials/sla_badge.html")
def sla_badge(ticket: Any) -> dict[str, Any]:
    """The most urgent clock of a ticket from the queue's annotations (no query)."""
    deadline = getattr(ticket, "sla_deadline", None)
    if deadline is not None:
        tone, status = deadline_tone(deadline, getattr(ticket, "sla_warn_at", None))
        metric = getattr(ticket, "sla_metric", "") or ""
        label = Metric(metric).label if metric in Metric.values else ""
        return {"tone": tone, "status": status, "metric": label, "deadline": deadline}
    if getattr(ticket, "sla_paused", False):
        return {"tone": "secondary", "status": "", "paused": True}
    return {}
