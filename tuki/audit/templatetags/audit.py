"""{% load audit %}{% history_link obj %}: a link to the object's entries in the audit trail,
for administrators (nothing for anyone else). For the edit pages of configuration."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from tuki.audit import access

register = template.Library()


@register.simple_tag(takes_context=True)
def history_link(context: dict[str, Any], obj: Any) -> SafeString | str:
    request = context.get("request")
    if obj is None or getattr(obj, "pk", None) is None or request is None:
        return ""
    if not access.may_read(getattr(request, "user", None)):
        return ""
    meta = obj._meta
    query = urlencode({"type": f"{meta.app_label}.{meta.model_name}", "object": obj.pk})
    return format_html(
        '<a class="small text-nowrap" href="{}?{}"><i class="bi bi-clock-history"></i> {}</a>',
        reverse("audit:list"),
        query,
        _("History"),
    )
