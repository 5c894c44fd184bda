"""What `tuki import` remembers: which source record became which ticket."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportedRecord(models.Model):
    """One record of another system (an incident, a CSV row's ticket) imported as a ticket.

    The unique pair (source, external id) makes imports idempotent: a record already here is
    counted as "already there" and skipped, so a run killed halfway resumes where it stopped.
    It is written in the same transaction as its ticket and events.
    """

    source = models.CharField(
        _("source"),
        max_length=50,
        help_text=_("The importer's format, e.g. servicenow-log or tickets."),
    )
    external_id = models.CharField(
        _("external id"), max_length=100, help_text=_("The record's id in its own system.")
    )
    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="imported_record",
    )
    imported_at = models.DateTimeField(_("imported"), default=timezone.now)

    class Meta:
        ordering = ["source", "external_id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="unique_imported_record")
        ]
        verbose_name = _("imported record")
        verbose_name_plural = _("imported records")

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"
