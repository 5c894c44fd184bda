"""Webhooks: HTTP endpoints told about ticket events with signed JSON, and every delivery logged."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.lib.crypto import EncryptedTextField

# Ticket events a webhook may subscribe to (the same names as automation rules' events).
EVENTS = {
    "created": _("Ticket created"),
    "updated": _("Ticket updated"),
    "reply": _("Public reply added"),
    "note": _("Internal note added"),
    "status_changed": _("Status changed"),
    "email_received": _("Email received"),
    "sla_warning": _("SLA warning"),
    "sla_breach": _("SLA breached"),
}
TEST_EVENT = "ping"


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class Webhook(models.Model):
    """An endpoint: where to POST, with which secret, for which ticket events."""

    name = models.CharField(_("name"), max_length=120)
    url = models.URLField(_("URL"), max_length=500)
    # Encrypted at rest (tuki/lib/crypto.py): a copy of the database does not sign webhooks.
    secret = EncryptedTextField(_("signing secret"), default=new_secret)
    events = models.JSONField(_("events"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whose eyes bound what it sends: only tickets this person may see now (one visibility
    # rule, tickets/access.py). Whoever last saves the webhook becomes it, so an
    # administrator cannot point someone else's broader webhook at an address of theirs.
    run_as = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sends as"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The webhook sends only tickets this person may see."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One payload for one endpoint; its last attempt's request and response are kept."""

    webhook = models.ForeignKey(
        Webhook, verbose_name=_("webhook"), on_delete=models.CASCADE, related_name="deliveries"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=40)
    payload = models.JSONField(_("payload"), default=dict)
    state = models.CharField(
        _("state"), max_length=10, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    request_headers = models.JSONField(_("request headers"), default=dict, blank=True)
    request_body = models.TextField(_("request body"), blank=True)
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_body = models.TextField(_("response body"), blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["webhook", "-created_at"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.webhook} {self.event} #{self.pk}"

    @property
    def hidden(self) -> bool:
        """About a ticket the reader may not see: its ticket, payload and answer are not
        shown. Needs `ticket_seen` (webhooks/access.py annotates it); without it, hidden."""
        return self.ticket_id is not None and not getattr(self, "ticket_seen", False)


class WebhookAttempt(models.Model):
    """One try of a delivery: when, what came back, how long it took (the delivery keeps
    the last request and response in full)."""

    delivery = models.ForeignKey(
        WebhookDelivery,
        verbose_name=_("delivery"),
        on_delete=models.CASCADE,
        related_name="attempt_log",
    )
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    response_excerpt = models.CharField(_("response"), max_length=500, blank=True)
    error = models.TextField(_("error"), blank=True)
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True, blank=True)

    class Meta:
        ordering = ["delivery", "number", "id"]
        verbose_name = _("webhook attempt")
        verbose_name_plural = _("webhook attempts")

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
