"""The audit trail: who changed which configuration, and who signed in, when, from where.

Ticket data is not here: a ticket's own timeline (TicketEvent) records its changes.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")
    SIGN_IN = "sign_in", _("signed in")
    SIGN_OUT = "sign_out", _("signed out")
    SIGN_IN_FAILED = "sign_in_failed", _("sign-in failed")


SIGN_IN_ACTIONS = (Action.SIGN_IN, Action.SIGN_OUT, Action.SIGN_IN_FAILED)


class Via(models.TextChoices):
    WEB = "web", _("pages")
    API = "api", _("API")
    ADMIN = "admin", _("data administration")
    COMMAND = "command", _("command")
    SYSTEM = "system", _("system")


class AuditEntry(models.Model):
    """One configuration change (a row created, changed or deleted, or a membership changed)
    or one sign-in, sign-out or failed sign-in.

    `changes` maps a field's name to `[before, after]` as shown to people (a related row by
    its name, secrets as a mask), or, for a many-to-many field, to
    `{"added": [...], "removed": [...]}`.
    """

    created_at = models.DateTimeField(_("when"), default=timezone.now)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # No database constraint, and nothing done when the user is deleted: the entry keeps the
    # id of who acted (an account deleting itself records that too), `actor_label` the email.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(
        _("actor"),
        max_length=254,
        blank=True,
        help_text=_("The actor's email at the time, or the command or process that acted."),
    )
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.SYSTEM)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("object type"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=254, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="audit_newest"),
            models.Index(fields=["content_type", "object_id", "-id"], name="audit_object"),
            models.Index(fields=["actor", "-id"], name="audit_actor"),
            models.Index(fields=["action", "-id"], name="audit_action"),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )
