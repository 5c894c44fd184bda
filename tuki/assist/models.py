"""Assist: models learned from the desk's own resolved tickets, and every suggestion made.

A fitted model is pickled into `AssistModel.blob` with an HMAC of the bytes under the
SECRET_KEY (`signature`): the loader refuses any blob whose signature does not match, so
nothing is ever unpickled that Tuki itself did not write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    GROUP = "group", _("support group")
    CATEGORY = "category", _("category")
    PRIORITY = "priority", _("priority")


class Outcome(models.TextChoices):
    PENDING = "pending", _("pending")
    ACCEPTED = "accepted", _("accepted")
    REJECTED = "rejected", _("rejected")


class AssistModel(models.Model):
    """One fitted model of one kind; the newest of a kind is the one used."""

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    trained_at = models.DateTimeField(_("trained"), default=timezone.now, db_index=True)
    samples = models.PositiveIntegerField(_("samples"), default=0)
    metrics = models.JSONField(_("metrics"), default=dict, blank=True)
    blob = models.BinaryField(_("fitted model"))
    signature = models.CharField(_("signature"), max_length=128)

    class Meta:
        ordering = ["-trained_at", "-id"]
        verbose_name = _("assist model")
        verbose_name_plural = _("assist models")

    def __str__(self) -> str:
        return f"{self.kind} model of {self.trained_at:%Y-%m-%d %H:%M}"


class Suggestion(models.Model):
    """One suggestion shown for a ticket, and what the person did with it."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="suggestions",
    )
    model = models.ForeignKey(
        AssistModel,
        verbose_name=_("model"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    value = models.CharField(_("suggested value"), max_length=100)
    confidence = models.FloatField(_("confidence"))
    top = models.JSONField(_("best three"), default=list)  # [[value, probability], ...]
    reason = models.JSONField(_("similar past tickets"), default=list)  # ticket ids
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "outcome"], name="assist_sugg_kind_outcome")]
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")

    def __str__(self) -> str:
        return f"{self.kind}={self.value} ({self.confidence:.0%})"


class AssistSettings(models.Model):
    """The desk's Assist settings, one row (`AssistSettings.load()`)."""

    routing_threshold = models.FloatField(
        _("routing threshold"),
        null=True,
        blank=True,
        help_text=_(
            "Routing rules may use a suggested group only when its confidence is at least "
            "this (0 to 1); empty: never."
        ),
    )

    class Meta:
        verbose_name = _("assist settings")
        verbose_name_plural = _("assist settings")

    def __str__(self) -> str:
        return "assist settings"

    @classmethod
    def load(cls) -> AssistSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class TicketVector(models.Model):
    """The semantic vector of a ticket's title and the start of its description
    (tuki/assist/semantic.py), written by a task after the ticket is created or its text
    changes. `model` names the model that made it: another model's vectors are recomputed."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    model = models.CharField(_("model"), max_length=60)
    digest = models.CharField(_("text digest"), max_length=32)
    vector = models.BinaryField(_("vector"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        verbose_name = _("ticket vector")
        verbose_name_plural = _("ticket vectors")

    def __str__(self) -> str:
        return f"vector of ticket {self.ticket_id}"


class DocumentVector(models.Model):
    """The semantic vector of one language of a document another app owns: a knowledge
    article's translation (kind "article"), keyed as the search index keys it (kind, object,
    language). No foreign key: the knowledge base sits above this app, so, as in the search
    index, it tells this app what to store and removes it (semantic.register)."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    model = models.CharField(_("model"), max_length=60)
    digest = models.CharField(_("text digest"), max_length=32)
    vector = models.BinaryField(_("vector"))
    computed_at = models.DateTimeField(_("computed"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "language"], name="assist_unique_document_vector"
            )
        ]
        verbose_name = _("document vector")
        verbose_name_plural = _("document vectors")

    def __str__(self) -> str:
        return f"vector of {self.kind} {self.object_id} ({self.language})"
