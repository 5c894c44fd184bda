"""Stored messages for agents and administrators: the original bytes and the sanitised HTML."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template.loader import render_to_string

from tuki.lib.http import AuthenticatedHttpRequest
from tuki.mail.access import get_inbound_for_user, get_outbound_for_user
from tuki.mail.inbound.parsing import parse_message

# Whatever the message holds, the browser runs nothing and fetches nothing from it.
SANDBOX = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; sandbox"


def _download(raw: bytes, name: str) -> HttpResponse:
    response = HttpResponse(raw, content_type="message/rfc822")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX
    return response


@login_required
def inbound_raw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_inbound_for_user(request.user, pk)
    return _download(bytes(message.raw), f"inbound-{message.pk}.eml")


@login_required
def outbound_raw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_outbound_for_user(request.user, pk)
    return _download(bytes(message.raw), f"outbound-{message.pk}.eml")


@login_required
def inbound_html(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The message as its sender formatted it, sanitised (nh3) and shown in a sandbox."""
    message = get_inbound_for_user(request.user, pk)
    parsed = parse_message(bytes(message.raw))
    page = render_to_string(
        "mail/message.html", {"message": message, "parsed": parsed}, request=request
    )
    response = HttpResponse(page)
    response["Content-Security-Policy"] = SANDBOX
    response["X-Content-Type-Options"] = "nosniff"
    return response
