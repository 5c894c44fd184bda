"""How the accuracy page writes its shares: "73.9 %" in the reader's number format, "–" for
a share of nothing."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number_format(float(value) * 100, 1)} %"
