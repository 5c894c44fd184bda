from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def hours_minutes(minutes: int | None) -> str:
    """A target in minutes as business hours and minutes: 90 -> "1 h 30 min"."""
    if not minutes:
        return "—"
    hours, rest = divmod(int(minutes), 60)
    if hours and rest:
        return _("%(h)d h %(m)d min") % {"h": hours, "m": rest}
    if hours:
        return _("%(h)d h") % {"h": hours}
    return _("%(m)d min") % {"m": rest}
