"""{% load sla %}: SLA badges for ticket lists and the clocks card of the ticket page."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from tuki.lib import dates
from tuki.sla.access import clock_views
from tuki.sla.explain import ClockView, deadline_tone
from tuki.sla.models import Metric

register = template.Library()


@register.simple_tag(takes_context=True)
def sla_clocks(context: template.Context, ticket: Any) -> list[ClockView]:
    """The ticket's clocks, explained (one query)."""
    request = context.get("request")
    return clock_views(ticket, getattr(request, "user", None))


@register.simple_tag
def sla_badge(ticket: Any) -> SafeString:
    """The most urgent clock of a ticket from the queue's annotations (no query).

    Built here rather than by a template: lists show it on each of their rows.
    """
    deadline = getattr(ticket, "sla_deadline", None)
    if deadline is not None:
        tone, status = deadline_tone(deadline, getattr(ticket, "sla_warn_at", None))
        metric = getattr(ticket, "sla_metric", "") or ""
        label = Metric(metric).label if metric in Metric.values else ""
        due = dates.absolute(deadline)
        return format_html(
            '<span class="badge text-bg-{} ws-sla" title="{}{} {}">'
            '<i class="bi bi-stopwatch"></i> {}</span>',
            tone,
            format_html("{}: ", label) if label else "",
            _("due"),
            due,
            status,
        )
    if getattr(ticket, "sla_paused", False):
        return format_html(
            '<span class="badge text-bg-secondary ws-sla" title="{}">'
            '<i class="bi bi-pause-circle"></i> {}</span>',
            _("SLA clocks paused"),
            _("paused"),
        )
    return mark_safe("")
