"""The console's mailboxes: their last poll, settings with a write-only password, a check of
the IMAP connection, switching them on and off. Writes go through tuki.mail.admin_services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tuki.accounts.signin import recent_second_factor
from tuki.console.access import admin_required, get_for_admin
from tuki.console.forms import MailboxForm
from tuki.console.views import _save
from tuki.lib import crypto
from tuki.lib.http import AuthenticatedHttpRequest
from tuki.mail import admin_services
from tuki.mail.models import Mailbox


@require_GET
@admin_required
def mailbox_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    rows = Mailbox.objects.select_related("poll", "group").order_by("name")
    return render(request, "console/mailboxes.html", {"nav": "manage", "mailboxes": rows})


def _mailbox_page(
    request: AuthenticatedHttpRequest,
    mailbox: Mailbox | None,
    form: MailboxForm,
    status: int = 200,
) -> HttpResponse:
    poll = getattr(mailbox, "poll", None) if mailbox is not None else None
    context: dict[str, Any] = {
        "nav": "manage",
        "mailbox": mailbox,
        "form": form,
        "poll": poll,
        "has_password": bool(mailbox and mailbox.imap_password),
        "password_readable": mailbox is None or crypto.readable(mailbox.imap_password),
    }
    return render(request, "console/mailbox.html", context, status=status)


def _mailbox_save(request: AuthenticatedHttpRequest, mailbox: Mailbox) -> HttpResponse:
    form = MailboxForm(request.POST)
    if form.is_valid():
        data = form.service_data()
        saved = _save(form, lambda: admin_services.save_mailbox(request.user, mailbox, data))
        if saved is not None:
            messages.success(request, _("Mailbox “%(name)s” saved.") % {"name": saved.name})
            return redirect("console:mailbox", pk=saved.pk)
    if mailbox.pk is not None:
        mailbox.refresh_from_db()
    return _mailbox_page(request, mailbox if mailbox.pk else None, form, status=422)


@admin_required
@recent_second_factor  # mailbox settings: where mail is read from, with a password
def mailbox_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _mailbox_save(request, Mailbox())
    return _mailbox_page(request, None, MailboxForm())


@admin_required
@recent_second_factor  # mailbox settings: where mail is read from, with a password
def mailbox_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mailbox = get_for_admin(request.user, Mailbox, pk)
    if request.method == "POST":
        return _mailbox_save(request, mailbox)
    return _mailbox_page(request, mailbox, MailboxForm(initial=MailboxForm.initial_for(mailbox)))


@require_POST
@admin_required
def mailbox_check(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mailbox = get_for_admin(request.user, Mailbox, pk)
    result = admin_services.check_connection(request.user, mailbox)
    if result.ok:
        messages.success(request, result.message)
    else:
        messages.error(request, result.message)
    return redirect("console:mailbox", pk=mailbox.pk)


@require_POST
@admin_required
def mailbox_active(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    mailbox = get_for_admin(request.user, Mailbox, pk)
    active = request.POST.get("active") == "1"
    admin_services.set_mailbox_active(request.user, mailbox, active)
    if active:
        messages.success(request, _("Mailbox “%(name)s” is on.") % {"name": mailbox.name})
    else:
        messages.success(request, _("Mailbox “%(name)s” is off.") % {"name": mailbox.name})
    return redirect("console:mailboxes")
