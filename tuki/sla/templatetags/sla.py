"""{% load sla %}: SLA readings for ticket lists and the clocks card of the ticket page.

Both show `tuki.sla.reading`'s one reading of a clock: the same words for the same clock.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from tuki.sla.access import clock_views
from tuki.sla.explain import ClockView
from tuki.sla.reading import Reading, metric_label, read_row

register = template.Library()


@register.simple_tag(takes_context=True)
def sla_clocks(context: template.Context, ticket: Any) -> list[ClockView]:
    """The ticket's clocks, explained (one query)."""
    request = context.get("request")
    return clock_views(ticket, getattr(request, "user", None))


@register.simple_tag
def sla_badge(ticket: Any) -> SafeString:
    """The most urgent clock of a ticket from the lists' columns (`with_sla`; no query).

    Built here rather than by a template: lists show it on each of their rows.
    """
    found = read_row(ticket)
    if found is None:
        return mark_safe("")
    return found.html(metric_label(str(ticket.sla_shown.get("metric") or "")))


@register.filter
def sla_reading(reading: Reading, title: str = "") -> SafeString:
    """`{{ view.reading|sla_reading:view.title }}`: the badge and deadline of a clock."""
    return reading.html(str(title))
