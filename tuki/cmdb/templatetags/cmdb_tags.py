"""{% load cmdb_tags %}: names the configuration database stores in English (standard
classes, their attributes), shown in the reader's language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(text: object) -> str:
    return gettext(str(text)) if text else ""
