"""Stored messages for agents and administrators: the original bytes, the sanitised HTML, and
the held messages an agent accepts or rejects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tuki.lib.errors import ServiceError
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.mail import services
from tuki.mail.access import (
    get_held_for_user,
    get_inbound_for_user,
    get_outbound_for_user,
    held_for_user,
)
from tuki.mail.inbound.parsing import parse_message
from tuki.mail.models import InboundStatus
from tuki.tickets.models import Ticket
from tuki.tickets.views.common import agent_required

PAGE_SIZE = 30

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


# Held messages: replies nothing proves, and mail that came before the desk was set up --------


@agent_required
def held_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    held = held_for_user(request.user).select_related("ticket", "mailbox").defer("raw")
    mailbox = request.GET.get("mailbox", "")
    if mailbox.isascii() and mailbox.isdigit() and len(mailbox) < 12:
        held = held.filter(mailbox_id=int(mailbox))
    page = Paginator(held.order_by("-received_at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "mail/held_list.html", {"nav": "held", "page": page})


@agent_required(hide=True)
def held_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The message as text only: no HTML, no remote content, nothing it could run."""
    message = get_held_for_user(request.user, pk)
    parsed = parse_message(bytes(message.raw))
    context = {"nav": "held", "message": message, "parsed": parsed}
    response = render(request, "mail/held_detail.html", context)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@agent_required(hide=True)
@require_POST
def held_accept(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_held_for_user(request.user, pk)
    try:
        result = services.accept_held(request.user, message)
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("mail:held_list")
    row = result.inbound
    if row.status == InboundStatus.PROCESSED:
        messages.success(request, _("The message was taken in."))
    else:
        messages.warning(request, row.shown_reason or _("The message could not be taken in."))
    if row.ticket_id is not None:
        ticket = Ticket.objects.visible_to(request.user).filter(pk=row.ticket_id).first()
        if ticket is not None:
            return redirect("tickets:detail", ticket.number)
    return redirect("mail:held_list")


@agent_required(hide=True)
@require_POST
def held_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    message = get_held_for_user(request.user, pk)
    try:
        services.reject_held(request.user, message)
    except ServiceError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The message was rejected; nothing was done with it."))
    return redirect("mail:held_list")
