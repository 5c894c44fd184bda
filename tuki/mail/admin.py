"""Configuration of mailboxes, and the trace of mail in and out: quarantine, logs, bounces."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _, ngettext

from tuki.lib import crypto
from tuki.mail import services
from tuki.mail.inbound import polling
from tuki.mail.models import (
    BouncingAddress,
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundMessage,
    OutboundStatus,
    QuarantinedMessage,
)
from tuki.mail.outbound import sending


class MailboxForm(forms.ModelForm):
    imap_password = forms.CharField(
        label=_("IMAP password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "from_name",
            "is_active",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_password",
            "imap_folder",
            "processed_folder",
            "poll_interval",
            "kind",
            "group",
            "organisation",
            "category",
            "unknown_senders",
            "closed_replies",
            "trusted_authserv_ids",
            "verify_dkim",
            "reply_token_address",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not crypto.readable(self.instance.imap_password):
            self.fields["imap_password"].help_text = _(
                "The stored password cannot be decrypted with the configured encryption key "
                "(TUKI_ENCRYPTION_KEY): restore that key, or enter the password again."
            )

    def clean_imap_password(self) -> str:
        # The stored password is never sent to the browser; empty means unchanged.
        return self.cleaned_data["imap_password"] or self.instance.imap_password

    def clean_poll_interval(self) -> int:
        value = self.cleaned_data["poll_interval"]
        if value < polling.MIN_INTERVAL:
            raise forms.ValidationError(_("Poll at most every 10 seconds."))
        return value

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("imap_host") and not data.get("imap_user"):
            self.add_error("imap_user", _("An IMAP mailbox needs a user name."))
        return data


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin):
    form = MailboxForm
    list_display = [
        "name",
        "address",
        "imap_host",
        "is_active",
        "last_poll",
        "poll_error",
        "held_link",
    ]
    list_filter = ["is_active"]
    search_fields = ["name", "address"]
    autocomplete_fields = ["group", "organisation"]
    actions = ["poll_now"]
    fieldsets = [
        (None, {"fields": ["name", "address", "from_name", "is_active"]}),
        (
            _("IMAP polling"),
            {
                "fields": [
                    "imap_host",
                    "imap_port",
                    "imap_security",
                    "imap_user",
                    "imap_password",
                    "imap_folder",
                    "processed_folder",
                    "poll_interval",
                ],
                "description": _("Leave the host empty when the mail server pipes mail in."),
            },
        ),
        (_("New tickets"), {"fields": ["kind", "group", "organisation", "category"]}),
        (_("Policies"), {"fields": ["unknown_senders", "closed_replies"]}),
        (
            _("Sender proof"),
            {
                "fields": ["trusted_authserv_ids", "verify_dkim", "reply_token_address"],
                "description": _(
                    "A reply to a ticket is taken in only when something proves its sender; "
                    "otherwise it waits for an agent (see docs/security/mail.md)."
                ),
            },
        ),
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mailbox]:
        return super().get_queryset(request).select_related("poll")

    @admin.display(description=_("held messages"))
    def held_link(self, mailbox: Mailbox) -> str:
        url = reverse("mail:held_list") + f"?mailbox={mailbox.pk}"
        return format_html('<a href="{}">{}</a>', url, _("review"))

    @admin.display(description=_("last poll"))
    def last_poll(self, mailbox: Mailbox) -> object:
        poll = getattr(mailbox, "poll", None)
        return poll.last_poll_at if poll else None

    @admin.display(description=_("last error"))
    def poll_error(self, mailbox: Mailbox) -> str:
        poll = getattr(mailbox, "poll", None)
        return poll.last_error[:120] if poll else ""

    @admin.action(description=_("Poll the selected mailboxes now"), permissions=["change"])
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        count = 0
        for mailbox in queryset.filter(is_active=True).exclude(imap_host=""):
            polling.poll_mailbox.enqueue(mailbox.pk)
            count += 1
        self.message_user(request, _("Polling %(count)d mailbox(es).") % {"count": count})


class ReadOnlyLog(admin.ModelAdmin):
    """A trace written by the mail code only: admins read it and act through actions."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


def _ticket_link(obj: InboundMessage | OutboundMessage) -> str:
    ticket = obj.ticket if obj.ticket_id else None
    if ticket is None:
        return "—"
    url = reverse("tickets:detail", args=[ticket.number])
    return format_html('<a href="{}">{}</a>', url, ticket.number)


@admin.register(InboundMessage)
class InboundMessageAdmin(ReadOnlyLog):
    list_display = [
        "received_at",
        "status",
        "action",
        "from_address",
        "subject",
        "ticket_link",
        "mailbox",
    ]
    list_filter = ["status", "action", "proof", "is_auto", "mailbox"]
    search_fields = ["from_address", "subject", "message_id", "reason"]
    list_select_related = ["ticket", "mailbox"]
    exclude = ["raw", "key"]
    readonly_fields = ["ticket_link", "raw_link"]
    actions = ["reprocess"]

    @admin.display(description=_("ticket"))
    def ticket_link(self, message: InboundMessage) -> str:
        return _ticket_link(message)

    @admin.display(description=_("message"))
    def raw_link(self, message: InboundMessage) -> str:
        url = reverse("mail:inbound_raw", args=[message.pk])
        return format_html('<a href="{}">{}</a>', url, _("Download the original message"))

    def has_reprocess_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mail.change_inboundmessage")

    @admin.action(
        description=_("Process the selected quarantined messages again"), permissions=["reprocess"]
    )
    def reprocess(self, request: HttpRequest, queryset: QuerySet[InboundMessage]) -> None:
        done = still = 0
        for message in queryset.filter(status=InboundStatus.QUARANTINED):
            try:
                result = services.reprocess(message)
            except services.TransientError as exc:
                self.message_user(request, str(exc), messages.ERROR)
                return
            if result.status == InboundStatus.QUARANTINED:
                still += 1
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(done)d message processed.", "%(done)d messages processed.", done)
            % {"done": done},
        )
        if still:
            self.message_user(
                request,
                ngettext(
                    "%(still)d message is still refused; see its reason.",
                    "%(still)d messages are still refused; see their reasons.",
                    still,
                )
                % {"still": still},
                messages.WARNING,
            )


@admin.register(QuarantinedMessage)
class QuarantineAdmin(InboundMessageAdmin):
    list_display = ["received_at", "from_address", "subject", "reason_code", "reason", "mailbox"]
    list_filter = ["reason_code", "mailbox"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Discarding junk from the quarantine is fine; processed messages stay in the log.
        return super(ReadOnlyLog, self).has_delete_permission(request, obj)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyLog):
    list_display = [
        "created_at",
        "status",
        "what",
        "to_address",
        "subject",
        "ticket_link",
        "attempts",
    ]
    list_filter = ["status", "what"]
    search_fields = ["to_address", "subject", "message_id", "last_error"]
    list_select_related = ["ticket"]
    exclude = ["raw"]
    readonly_fields = ["ticket_link"]
    actions = ["retry"]

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # threading of replies needs every Message-ID Tuki sent

    @admin.display(description=_("ticket"))
    def ticket_link(self, message: OutboundMessage) -> str:
        return _ticket_link(message)

    def has_retry_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("mail.change_outboundmessage")

    @admin.action(description=_("Send the selected failed messages again"), permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboundMessage]) -> None:
        failed = list(queryset.filter(status=OutboundStatus.FAILED))
        for message in failed:
            sending.retry_now(message)
        self.message_user(request, _("%(count)d message(s) queued.") % {"count": len(failed)})


@admin.register(BouncingAddress)
class BouncingAddressAdmin(ReadOnlyLog):
    list_display = ["address", "bounces", "first_bounce_at", "last_bounce_at"]
    search_fields = ["address"]
    actions = ["reset"]

    @admin.action(
        description=_("Reset: send mail to the selected addresses again"), permissions=["delete"]
    )
    def reset(self, request: HttpRequest, queryset: QuerySet[BouncingAddress]) -> None:
        count, _deleted = queryset.delete()
        self.message_user(request, _("%(count)d address(es) reset.") % {"count": count})
