"""Reports: saved and scheduled reports (the pages' models; the fact table is the engine's)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.reports.periods import Period


class Schedule(models.TextChoices):
    NEVER = "", _("Never")
    WEEKLY = "weekly", _("Weekly (Monday, the week before)")
    MONTHLY = "monthly", _("Monthly (the 1st, the month before)")


class SavedReport(models.Model):
    """One report a person keeps: an indicator (or the overview), its filters, breakdown and
    a relative period, private or shared; mailed weekly or monthly when scheduled."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        related_name="saved_reports",
    )
    name = models.CharField(_("name"), max_length=150)
    indicator = models.CharField(
        _("indicator"), max_length=40, blank=True, help_text=_("Empty: the overview.")
    )
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    by = models.CharField(_("breakdown"), max_length=20, blank=True)
    period = models.CharField(
        _("period"), max_length=20, choices=Period.choices, default=Period.LAST_MONTH
    )
    shared = models.BooleanField(
        _("shared"), default=False, help_text=_("Everyone who may view reports sees it.")
    )
    schedule = models.CharField(
        _("mailed"), max_length=10, choices=Schedule.choices, default=Schedule.NEVER, blank=True
    )
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("also mailed to"),
        blank=True,
        related_name="+",
    )
    last_sent_period = models.CharField(
        _("last period mailed"),
        max_length=10,
        blank=True,
        help_text=_("The first day of the last period mailed: each period is mailed once."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="saved_report_name_per_owner")
        ]
        indexes = [models.Index(fields=["schedule"], name="saved_report_schedule")]
        verbose_name = _("saved report")
        verbose_name_plural = _("saved reports")

    def __str__(self) -> str:
        return self.name


class MailingStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Not sent")


class ReportMailing(models.Model):
    """One scheduled report's summary for one recipient and one period: made once when the
    period is due, claimed once by the task that sends it."""

    report = models.ForeignKey(
        SavedReport, verbose_name=_("report"), on_delete=models.CASCADE, related_name="mailings"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    status = models.CharField(
        _("status"), max_length=10, choices=MailingStatus.choices, default=MailingStatus.PENDING
    )
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "recipient", "period_start"], name="report_mailing_once"
            )
        ]
        verbose_name = _("report mailing")
        verbose_name_plural = _("report mailings")

    def __str__(self) -> str:
        return f"{self.report} → {self.recipient} ({self.period_start})"
