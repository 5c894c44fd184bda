"""One view, two renderings: the full page, or just a fragment for an htmx request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.middleware import HtmxDetails


def is_fragment_request(request: HttpRequest) -> bool:
    # HtmxMiddleware sets request.htmx; requests built without it (tests) have none.
    htmx = getattr(request, "htmx", None)
    return isinstance(htmx, HtmxDetails) and bool(htmx) and not htmx.boosted


def render_page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    template = fragment if is_fragment_request(request) else page
    return render(request, template, context, status=status)
