"""`{% solved_button article %}`: the "This solved my problem" form on an article page.

Shown only while suggestions are pending for this session (the reader came from the
request form or a call); posts to search:solved, which counts the deflection.
"""

from __future__ import annotations

from typing import Any

from django import template

from tuki.search import deflection

register = template.Library()


@register.inclusion_tag("search/partials/solved_button.html", takes_context=True)
def solved_button(context: dict[str, Any], article: Any) -> dict[str, Any]:
    request = context.get("request")
    shown = deflection.pending(request) if request is not None else None
    return {"article": article, "show": shown is not None, "csrf_token": context.get("csrf_token")}
