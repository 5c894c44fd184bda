"""Notifications: what an agent is told about tickets, in the app and by email.

One row per recipient and thing to tell (architecture.md: no state in process memory). The text is
rendered when the notification is made, in the recipient's language; the ticket link lets the
list page and the API name the ticket without parsing the text.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED_TO_ME = "assigned_to_me", _("A ticket is assigned to me")
    GROUP_TICKET = "group_ticket", _("A new ticket in my group")
    REPLY_ON_MY_TICKET = "reply_on_my_ticket", _("A reply on my ticket")
    NOTE_ON_MY_TICKET = "note_on_my_ticket", _("An internal note on my ticket")
    MENTION = "mention", _("Someone mentions me in a note")
    CONSULTED = "consulted", _("Someone asks for my help on a ticket")
    THREAD_MESSAGE = "thread_message", _("A message in a consultation I take part in")
    SLA_WARNING = "sla_warning", _("An SLA deadline is near")
    SLA_BREACH = "sla_breach", _("An SLA deadline has passed")
    APPROVAL_REQUESTED = "approval_requested", _("My approval is requested")
    APPROVAL_DECIDED = "approval_decided", _("An approval is decided")
    WATCHED_TICKET_CHANGED = "watched_ticket_changed", _("A ticket I watch changes")
    RULE = "rule", _("An automation rule tells me")


# (in the app, by email) for a kind nobody has chosen for yet: everything in the app; email
# only for what needs the person soon, so a busy group's members are not flooded.
DEFAULTS: dict[str, tuple[bool, bool]] = {
    NotificationKind.ASSIGNED_TO_ME: (True, True),
    NotificationKind.GROUP_TICKET: (True, False),
    NotificationKind.REPLY_ON_MY_TICKET: (True, False),
    NotificationKind.NOTE_ON_MY_TICKET: (True, False),
    NotificationKind.MENTION: (True, True),
    NotificationKind.CONSULTED: (True, True),
    NotificationKind.THREAD_MESSAGE: (True, False),
    NotificationKind.SLA_WARNING: (True, False),
    NotificationKind.SLA_BREACH: (True, True),
    NotificationKind.APPROVAL_REQUESTED: (True, True),
    NotificationKind.APPROVAL_DECIDED: (True, False),
    NotificationKind.WATCHED_TICKET_CHANGED: (True, False),
    NotificationKind.RULE: (True, False),
}


class Notification(models.Model):
    """One thing one agent is told. Unread while `read_at` is empty."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    text = models.TextField(_("text"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    url = models.CharField(_("link"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_recipient"),
            # The header's unread count on every page: a partial index stays small however
            # many old notifications people keep.
            models.Index(
                fields=["recipient", "-created_at"],
                condition=Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return f"{self.recipient_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """A person's choice for one kind; without a row the kind's DEFAULTS apply."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preferences",
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    in_app = models.BooleanField(_("in the app"), default=True)
    email = models.BooleanField(_("by email"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")
        ]
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}"
