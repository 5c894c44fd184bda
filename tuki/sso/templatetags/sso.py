from __future__ import annotations

from typing import Any

from django import template

from tuki.sso import access

register = template.Library()


@register.inclusion_tag("sso/sign_in_options.html", takes_context=True)
def sso_sign_in(context: Any) -> dict[str, Any]:
    """The sign-in page's providers: desk-wide buttons and the "company account" form."""
    return {
        "providers": list(access.desk_wide_buttons()),
        "routed": access.any_routed(),
        "next": context.get("next", ""),
        "csrf_token": context.get("csrf_token"),
    }
