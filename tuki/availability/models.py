"""Outages of services and configuration items, availability targets per agreement, and
which services the public status page shows (docs/operations.md, Availability management).

An outage counts against a catalogue service (`sla.Service`). One declared on a business
service's configuration item names that item's service too (services.py), so every
computation reads `service` only.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Impact(models.TextChoices):
    FULL = "full", _("Full outage")
    PARTIAL = "partial", _("Partial (degraded)")


class Source(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    ALERT = "alert", _("Monitoring alert")
    DECLARED = "declared", _("Declared")


class State(models.TextChoices):
    """A service's state at an instant or over a day, from the best to the worst."""

    OPERATIONAL = "operational", _("Operational")
    MAINTENANCE = "maintenance", _("Planned maintenance")
    DEGRADED = "degraded", _("Degraded")
    OUTAGE = "outage", _("Outage")


SEVERITY = {State.OPERATIONAL: 0, State.MAINTENANCE: 1, State.DEGRADED: 2, State.OUTAGE: 3}


class Outage(models.Model):
    """A time a service (or a configuration item) was down or degraded.

    `ends_at` is empty while it lasts. A planned outage is agreed downtime: it is taken out
    of the agreed service time, not counted as downtime. A partial outage counts its
    `degradation` percent of its time as downtime.
    """

    service = models.ForeignKey(
        "sla.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outages",
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="outages",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True, help_text=_("Empty: ongoing."))
    planned = models.BooleanField(
        _("planned"), default=False, help_text=_("Agreed maintenance: not counted as downtime.")
    )
    impact = models.CharField(_("impact"), max_length=10, choices=Impact, default=Impact.FULL)
    degradation = models.PositiveSmallIntegerField(
        _("degradation (%)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("For a partial outage: how much of the service was lost, e.g. 50."),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source, default=Source.DECLARED)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outages",
    )
    alert_ref = models.CharField(
        _("alert"),
        max_length=100,
        blank=True,
        help_text=_("The monitoring alert that declared it."),
    )
    title = models.CharField(
        _("public title"), max_length=200, help_text=_("Shown on the status page.")
    )
    notice = models.TextField(
        _("public notice"), blank=True, help_text=_("What requesters read on the status page.")
    )
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("declared by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ended by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("declared"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(service__isnull=False) | Q(ci__isnull=False),
                name="availability_outage_names_something",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="availability_outage_range",
            ),
            models.CheckConstraint(
                condition=(Q(impact="full") & Q(degradation__isnull=True))
                | (Q(impact="partial") & Q(degradation__gte=1) & Q(degradation__lte=99)),
                name="availability_outage_degradation",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "starts_at"], name="availability_outage_service"),
            models.Index(
                fields=["service"],
                condition=Q(ends_at__isnull=True),
                name="availability_outage_ongoing",
            ),
            models.Index(fields=["ticket"], name="availability_outage_ticket"),
        ]
        verbose_name = _("outage")
        verbose_name_plural = _("outages")

    def __str__(self) -> str:
        return self.title

    @property
    def weight(self) -> float:
        """The share of the service lost: 1 for a full outage, the degradation for a partial."""
        if self.impact == Impact.PARTIAL and self.degradation:
            return self.degradation / 100
        return 1.0

    @property
    def state(self) -> State:
        if self.planned:
            return State.MAINTENANCE
        return State.OUTAGE if self.impact == Impact.FULL else State.DEGRADED

    def is_ongoing(self, at: datetime | None = None) -> bool:
        now = at or timezone.now()
        return self.starts_at <= now and (self.ends_at is None or self.ends_at > now)


class AvailabilityTarget(models.Model):
    """The availability an agreement promises: for one of its services, or (no service) for
    every service it covers that has no target of its own."""

    agreement = models.ForeignKey(
        "sla.Agreement",
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="availability_targets",
    )
    service = models.ForeignKey(
        "sla.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="availability_targets",
        help_text=_("Empty: every service of the agreement without a target of its own."),
    )
    percent = models.DecimalField(
        _("availability target (%)"),
        max_digits=6,
        decimal_places=3,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("E.g. 99.5: the share of the agreed service time the service is up."),
    )

    class Meta:
        ordering = ["agreement_id", "service_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service"], name="availability_target_unique"
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(service__isnull=True),
                name="availability_target_agreement_unique",
            ),
            models.CheckConstraint(
                condition=Q(percent__gte=0) & Q(percent__lte=100),
                name="availability_target_range",
            ),
        ]
        verbose_name = _("availability target")
        verbose_name_plural = _("availability targets")

    def __str__(self) -> str:
        return f"{self.agreement}: {self.percent} %"


class PublicService(models.Model):
    """A service shown on the public status page (/status/, when it is switched on)."""

    service = models.OneToOneField(
        "sla.Service",
        verbose_name=_("service"),
        on_delete=models.CASCADE,
        related_name="public_status",
    )
    is_public = models.BooleanField(
        _("on the public status page"),
        default=True,
        help_text=_("Anonymous visitors see its state when the public status page is on."),
    )

    class Meta:
        ordering = ["service"]
        verbose_name = _("service on the status page")
        verbose_name_plural = _("services on the status page")

    def __str__(self) -> str:
        return str(self.service)
