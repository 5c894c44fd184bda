"""Capacity management (docs/operations.md, "Capacity management").

A configuration item's measurements (disk used, CPU, licences or seats in use) arrive in
batches through the API. Each (item, metric) pair is one `Series`: its unit, its last value,
its breach state and the one ticket of its current breach, and its forecast. The raw values
are `Sample`s of a series, kept `TUKI_CAPACITY_RETENTION_DAYS`: a sample is three columns (the
series, the instant, the value), so the index (series, at) is the index (ci, metric, at)
without repeating the item and the metric's name in every row.

A `Threshold` sets the warning and critical levels of a metric for one item, or for every
item of a class (and of its subclasses); an item's own threshold wins over its class's.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    ABOVE = "above", _("above the level")
    BELOW = "below", _("below the level")


class State(models.TextChoices):
    OK = "ok", _("OK")
    WARNING = "warning", _("Warning")
    CRITICAL = "critical", _("Critical")


# What share of the warning level a value must come back past to end a breach, when a
# threshold sets no hysteresis of its own.
DEFAULT_HYSTERESIS_SHARE = 0.05


class Threshold(models.Model):
    """The warning and critical levels of one metric, for one item or for a class's items."""

    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capacity_thresholds",
    )
    ci_class = models.ForeignKey(
        "cmdb.CIClass",
        verbose_name=_("class"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="capacity_thresholds",
        help_text=_("Applies to every item of the class and of its subclasses."),
    )
    metric = models.CharField(
        _("metric"), max_length=60, help_text=_("For example disk_used_pct, cpu_pct, seats_used.")
    )
    warning = models.FloatField(_("warning level"))
    critical = models.FloatField(_("critical level"), null=True, blank=True)
    direction = models.CharField(
        _("breached when the value is"), max_length=10, choices=Direction, default=Direction.ABOVE
    )
    hysteresis = models.FloatField(
        _("hysteresis"),
        null=True,
        blank=True,
        help_text=_(
            "How far past the warning level the value must come back to end a breach, in the "
            "metric's unit. Empty: 5 percent of the warning level."
        ),
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("support group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who gets the ticket of a breach. Empty: the item's support group."),
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["metric", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ci__isnull=False, ci_class__isnull=True)
                | Q(ci__isnull=True, ci_class__isnull=False),
                name="capacity_threshold_item_or_class",
            ),
            models.UniqueConstraint(
                fields=["ci", "metric"],
                condition=Q(ci__isnull=False),
                name="capacity_threshold_item_unique",
            ),
            models.UniqueConstraint(
                fields=["ci_class", "metric"],
                condition=Q(ci_class__isnull=False),
                name="capacity_threshold_class_unique",
            ),
        ]
        indexes = [models.Index(fields=["metric", "is_active"], name="capacity_threshold_metric")]
        verbose_name = _("capacity threshold")
        verbose_name_plural = _("capacity thresholds")

    def __str__(self) -> str:
        return f"{self.ci or self.ci_class}: {self.metric}"

    @property
    def margin(self) -> float:
        if self.hysteresis is not None:
            return abs(self.hysteresis)
        return abs(self.warning) * DEFAULT_HYSTERESIS_SHARE

    def level_of(self, value: float) -> str:
        """The state a value alone stands in (no hysteresis)."""
        if self.direction == Direction.ABOVE:
            if self.critical is not None and value >= self.critical:
                return State.CRITICAL
            return State.WARNING if value >= self.warning else State.OK
        if self.critical is not None and value <= self.critical:
            return State.CRITICAL
        return State.WARNING if value <= self.warning else State.OK

    def recovered(self, value: float) -> bool:
        """Back past the warning level by the hysteresis margin: the breach is over."""
        if self.direction == Direction.ABOVE:
            return value < self.warning - self.margin
        return value > self.warning + self.margin


class Series(models.Model):
    """One metric of one item: its unit, last value, breach state and forecast."""

    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.CASCADE,
        related_name="capacity_series",
    )
    metric = models.CharField(_("metric"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    last_value = models.FloatField(_("last value"), null=True, blank=True)
    last_at = models.DateTimeField(_("last measured"), null=True, blank=True)
    # The threshold that applied at the last evaluation or forecast.
    threshold = models.ForeignKey(
        Threshold, on_delete=models.SET_NULL, null=True, blank=True, related_name="series"
    )
    state = models.CharField(_("state"), max_length=10, choices=State, default=State.OK)
    state_since = models.DateTimeField(_("since"), null=True, blank=True)
    # The ticket of the current breach: one per breach, kept until the breach ends.
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The forecast, refreshed by the periodic job (services.refresh_forecasts): the instants
    # at which the trend and its band cross each level; empty when it goes away from it.
    forecast_at = models.DateTimeField(null=True, blank=True)
    slope_per_day = models.FloatField(null=True, blank=True)
    warning_earliest = models.DateTimeField(null=True, blank=True)
    warning_likely = models.DateTimeField(null=True, blank=True)
    warning_latest = models.DateTimeField(null=True, blank=True)
    critical_earliest = models.DateTimeField(null=True, blank=True)
    critical_likely = models.DateTimeField(null=True, blank=True)
    critical_latest = models.DateTimeField(null=True, blank=True)
    # The likely crossing of the next level not yet breached: the report's order.
    next_breach_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["ci", "metric"]
        constraints = [
            models.UniqueConstraint(fields=["ci", "metric"], name="capacity_series_unique")
        ]
        indexes = [
            models.Index(fields=["state", "next_breach_at"], name="capacity_series_report"),
            models.Index(fields=["forecast_at"], name="capacity_series_forecast"),
        ]
        verbose_name = _("metric series")
        verbose_name_plural = _("metric series")

    def __str__(self) -> str:
        return f"{self.ci_id}: {self.metric}"


class Sample(models.Model):
    """One measured value of a series at an instant."""

    series = models.ForeignKey(Series, on_delete=models.CASCADE, related_name="samples")
    at = models.DateTimeField()
    value = models.FloatField()

    class Meta:
        ordering = ["series", "at"]
        # (series, at) is (ci, metric, at): a series is one item's one metric.
        indexes = [
            models.Index(fields=["series", "at"], name="capacity_sample_series_at"),
            models.Index(fields=["at"], name="capacity_sample_at"),  # retention
        ]
        verbose_name = _("metric sample")
        verbose_name_plural = _("metric samples")

    def __str__(self) -> str:
        return f"{self.series_id} {self.at:%Y-%m-%d %H:%M} {self.value}"
