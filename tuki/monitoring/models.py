"""Monitoring alerts (docs/operations.md, "Monitoring alerts").

An `AlertSource` is a monitoring system allowed to post alerts (Alertmanager, a script):
its own token, the person it acts as, where its incidents go and how it reads severities.
An `Alert` is one alert, known by its fingerprint: a repeat only counts. An `AlertGroup` is
one incident opened for a group of alerts (a business service, a CI, an Alertmanager group):
at most one open group per key, which a partial unique index guarantees.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    CRITICAL = "critical", _("Critical")
    WARNING = "warning", _("Warning")
    INFO = "info", _("Info")


class AlertState(models.TextChoices):
    FIRING = "firing", _("Firing")
    RESOLVED = "resolved", _("Resolved")
    SUPPRESSED = "suppressed", _("Suppressed (maintenance)")


# What a severity label says, whatever the monitoring system calls it (a source adds more).
DEFAULT_SEVERITY_MAP: dict[str, str] = {
    "critical": Severity.CRITICAL,
    "page": Severity.CRITICAL,
    "disaster": Severity.CRITICAL,
    "high": Severity.CRITICAL,
    "error": Severity.WARNING,
    "major": Severity.WARNING,
    "warning": Severity.WARNING,
    "average": Severity.WARNING,
    "minor": Severity.WARNING,
    "info": Severity.INFO,
    "information": Severity.INFO,
    "none": Severity.INFO,
}


class AlertSource(models.Model):
    """A monitoring system that posts alerts with its own token (only a digest is kept)."""

    PREFIX = "tukialert_"

    name = models.CharField(_("name"), max_length=100, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="alert_sources",
        help_text=_("The requester of the incidents it opens."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(max_length=16, blank=True, editable=False)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group for incidents"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: the CI's support group, else the service desk."),
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category for incidents"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    severity_map = models.JSONField(
        _("severity mapping"),
        default=dict,
        blank=True,
        help_text=_("Extra severity labels and what they mean: critical, warning or info."),
    )
    info_opens_incident = models.BooleanField(_("info alerts open incidents"), default=False)
    flap_changes = models.PositiveIntegerField(
        _("flapping after changes"),
        default=4,
        help_text=_("More changes between firing and resolved than this within the window."),
    )
    flap_minutes = models.PositiveIntegerField(_("flapping window (minutes)"), default=30)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def hash(raw: str) -> str:
        return hashlib.sha256(raw.encode()).hexdigest()

    def new_token(self) -> str:
        """A fresh token (shown once); the caller saves the source."""
        raw = self.PREFIX + secrets.token_urlsafe(32)
        self.digest = self.hash(raw)
        self.hint = raw[:16]
        return raw

    def severity_of(self, label: str) -> str:
        key = (label or "").strip().lower()
        mapping: dict[str, Any] = {**DEFAULT_SEVERITY_MAP, **(self.severity_map or {})}
        value = mapping.get(key, Severity.WARNING)
        return value if value in Severity.values else Severity.WARNING


class AlertGroup(models.Model):
    """The incident of a group of alerts. While `closed_at` is empty the group is open, and
    only one open group exists per key (the partial unique index)."""

    key = models.CharField(_("group key"), max_length=200)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alert_groups",
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    auto_resolved = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=Q(closed_at__isnull=True), name="monitoring_group_open"
            )
        ]
        verbose_name = _("alert group")
        verbose_name_plural = _("alert groups")

    def __str__(self) -> str:
        return self.key


class Alert(models.Model):
    """One alert, known by its fingerprint; a repeat counts and moves `last_seen`."""

    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    source = models.ForeignKey(
        AlertSource,
        verbose_name=_("source"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    name = models.CharField(_("name"), max_length=200)
    severity = models.CharField(_("severity"), max_length=20, choices=Severity)
    state = models.CharField(_("state"), max_length=20, choices=AlertState)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    ci_text = models.CharField(_("CI as sent"), max_length=255, blank=True)
    service = models.CharField(_("service"), max_length=200, blank=True)
    group_key = models.CharField(_("group key"), max_length=200, blank=True)
    group = models.ForeignKey(
        AlertGroup,
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    description = models.TextField(_("description"), blank=True)
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    generator_url = models.CharField(_("generator URL"), max_length=500, blank=True)
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    first_seen = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    count = models.PositiveIntegerField(_("times received"), default=1)
    flapping = models.BooleanField(_("flapping"), default=False)
    # The instants it changed between firing and resolved within the flapping window.
    changes = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-last_seen", "-pk"]
        indexes = [
            models.Index(fields=["ci", "-last_seen"], name="monitoring_alert_ci"),
            models.Index(fields=["group", "state"], name="monitoring_alert_group"),
            models.Index(fields=["state", "-last_seen"], name="monitoring_alert_state"),
        ]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")

    def __str__(self) -> str:
        return self.name

    @property
    def incident(self) -> Any:
        return self.group.ticket if self.group_id and self.group else None
