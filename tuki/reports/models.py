"""What reports read: one row of figures per ticket, kept current from its events.

`TicketFact` is derived data: `tuki/reports/facts.py` (`refresh`) is its single definition,
computed from the ticket's events, SLA clocks and survey answers; `tuki reports rebuild`
recomputes every row. docs/reports.md defines each figure.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.reports.periods import Period
from tuki.tickets.models import Channel, Kind, Priority, StatusCategory


def _fk(to: str, name: Any, *, null: bool = True) -> Any:
    """A denormalised key: no database constraint (the ticket's own keys hold the rule), kept
    when the row it names goes (SET_NULL would write every fact of a deleted group)."""
    return models.ForeignKey(
        to,
        verbose_name=name,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=null,
        blank=null,
        related_name="+",
    )


class TicketFact(models.Model):
    """One ticket's figures for reports (docs/reports.md): its dimensions as they are now,
    and what its history measures (first response, resolution, reopens, hops, pending
    time, SLA outcomes, satisfaction). Times in minutes; `*_business` by the ticket's
    calendar (its SLA clock's, else the default calendar)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="fact",
    )
    # Dimensions (the ticket's current values).
    created_at = models.DateTimeField(_("created"))
    created_day = models.DateField(_("created on"), help_text=_("In the desk's time zone."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    category = _fk("tickets.Category", _("category"))
    service = _fk("sla.Service", _("service"))
    organisation = _fk("accounts.Organisation", _("organisation"))
    agreement = _fk("sla.Agreement", _("agreement"))
    owner_group = _fk("accounts.SupportGroup", _("owner group"), null=False)
    owner = _fk(settings.AUTH_USER_MODEL, _("owner"))
    group = _fk("accounts.SupportGroup", _("assigned group"), null=False)
    assignee = _fk(settings.AUTH_USER_MODEL, _("assignee"))
    requester = _fk(settings.AUTH_USER_MODEL, _("requester"), null=False)
    restricted = models.BooleanField(_("restricted"), default=False)
    status_category = models.CharField(
        _("status category"), max_length=10, choices=StatusCategory.choices
    )
    # Measures.
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    first_response_minutes = models.FloatField(_("first response (minutes)"), null=True)
    first_response_business = models.FloatField(_("first response (business minutes)"), null=True)
    first_resolved_at = models.DateTimeField(_("first resolved"), null=True, blank=True)
    resolved_at = models.DateTimeField(
        _("resolved"), null=True, blank=True, help_text=_("The last resolution; empty while open.")
    )
    resolved_day = models.DateField(_("resolved on"), null=True, blank=True)
    resolve_minutes = models.FloatField(_("time to resolve (minutes)"), null=True)
    resolve_business = models.FloatField(_("time to resolve (business minutes)"), null=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    hops = models.PositiveIntegerField(_("reassignments"), default=0)
    escalated = models.BooleanField(_("escalated to second line"), default=False)
    pending_minutes = models.FloatField(_("pending (minutes)"), default=0)
    first_contact = models.BooleanField(_("resolved at first contact"), default=False)
    sla_response_met = models.BooleanField(_("response target met"), null=True)
    sla_resolution_met = models.BooleanField(_("resolution target met"), null=True)
    ola_met = models.BooleanField(_("group targets met"), null=True)
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("refreshed"), default=timezone.now)

    class Meta:
        ordering = ["-ticket_id"]
        verbose_name = _("ticket figures")
        verbose_name_plural = _("ticket figures")
        permissions = [("view_reports", _("Can view reports"))]
        indexes = [
            models.Index(fields=["created_day"], name="fact_created_day"),
            models.Index(fields=["resolved_day"], name="fact_resolved_day"),
            models.Index(fields=["group", "created_day"], name="fact_group_created"),
            models.Index(fields=["organisation", "created_day"], name="fact_org_created"),
            models.Index(fields=["assignee", "status_category"], name="fact_assignee_status"),
            # Reports read restricted tickets from the facts beside the rollups (rollups.py).
            models.Index(
                fields=["created_day"],
                condition=models.Q(restricted=True),
                name="fact_restricted_created",
            ),
            models.Index(
                fields=["resolved_day"],
                condition=models.Q(restricted=True),
                name="fact_restricted_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}"


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


class RollupMonth(models.Model):
    """Whether a month's rollups (`Rollup`, `RollupSpan`) hold its facts as they are now.

    A fact written or deleted marks the months of its days (`version` goes up); rolling the
    month (tuki/reports/rollups.py) records which version it read (`rolled_version`).
    Reports read a month from the rollups only while the two are equal, and from the facts
    otherwise."""

    month = models.DateField(_("month"), primary_key=True)
    version = models.BigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed"))
    rolled_version = models.BigIntegerField(_("rolled version"), null=True, blank=True)
    rolled_at = models.DateTimeField(_("rolled"), null=True, blank=True)

    class Meta:
        ordering = ["month"]
        verbose_name = _("rolled-up month")
        verbose_name_plural = _("rolled-up months")

    def __str__(self) -> str:
        return self.month.isoformat()


class Rollup(models.Model):
    """One month's sums of one figure over the facts of a cohort (registered or resolved in
    the month), in total (`dimension` empty) or for one key of a dimension; for a time, with
    the histogram its percentiles are read from. Restricted tickets are left out: reports
    add those a viewer may see from the facts."""

    month = models.DateField(_("month"))
    cohort = models.CharField(_("cohort"), max_length=10)
    dimension = models.CharField(_("dimension"), max_length=20, blank=True)
    key = models.CharField(_("key"), max_length=40, blank=True)
    figure = models.CharField(_("figure"), max_length=40)
    n = models.BigIntegerField(_("count"), default=0)
    hits = models.BigIntegerField(_("hits"), default=0)
    total = models.FloatField(_("total"), default=0.0)
    histogram = models.JSONField(
        _("histogram"),
        default=dict,
        blank=True,
        help_text=_("For a time: how many values fell in each bucket."),
    )

    class Meta:
        ordering = ["month", "id"]
        indexes = [
            models.Index(fields=["cohort", "dimension", "figure", "month"], name="rollup_read"),
            models.Index(fields=["month"], name="rollup_month"),
        ]
        verbose_name = _("rollup")
        verbose_name_plural = _("rollups")

    def __str__(self) -> str:
        return f"{self.month} {self.cohort} {self.dimension}={self.key} {self.figure}"


class RollupSpan(models.Model):
    """How many (unrestricted) tickets were registered on a day and last resolved on another
    (or are open): the backlog and its age on any day, without reading every ticket."""

    created_day = models.DateField(_("created on"))
    resolved_day = models.DateField(_("resolved on"), null=True, blank=True)
    n = models.IntegerField(_("count"))

    class Meta:
        ordering = ["created_day", "id"]
        indexes = [
            models.Index(fields=["created_day"], name="rollup_span_created"),
            models.Index(fields=["resolved_day"], name="rollup_span_resolved"),
        ]
        verbose_name = _("rollup span")
        verbose_name_plural = _("rollup spans")

    def __str__(self) -> str:
        return f"{self.created_day} → {self.resolved_day}: {self.n}"
