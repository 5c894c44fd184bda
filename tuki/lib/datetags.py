"""{% load dates %} (registered in settings.TEMPLATES): `|absolute`, `|absolute_date` and `|relative`, the one way templates show
dates and moments (tuki/lib/dates.py says which is for what)."""

from __future__ import annotations

from django import template

from tuki.lib import dates

register = template.Library()
register.filter("absolute", dates.absolute)
register.filter("absolute_date", dates.absolute_date)
register.filter("relative", dates.relative, is_safe=True)
