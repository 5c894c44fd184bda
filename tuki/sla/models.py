"""Service levels: services, agreements, policies with their targets, and the clocks on tickets.

A ticket's clocks are kept by tuki/sla/engine.py, driven by ticket events (receivers.py);
docs/sla.md explains the rules to administrators.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.tickets.models import Kind, Priority

DEFAULT_THRESHOLDS = [75, 90]
BREACH = 100  # the threshold percent of the deadline itself


def default_thresholds() -> list[int]:
    return list(DEFAULT_THRESHOLDS)


def validate_thresholds(value: object) -> None:
    if not isinstance(value, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) for v in value
    ):
        raise ValidationError(_("Enter whole percentages, e.g. 75, 90."), code="invalid")
    if any(v < 1 or v > 99 for v in value):
        raise ValidationError(_("Each warning must be between 1 and 99 percent."), code="range")
    if len(set(value)) != len(value):
        raise ValidationError(_("Each warning percentage only once."), code="duplicate")


def validate_kinds(value: object) -> None:
    if not isinstance(value, list) or any(v not in Kind.values for v in value):
        raise ValidationError(_("Unknown ticket kind."), code="invalid")


def validate_priorities(value: object) -> None:
    if not isinstance(value, list) or any(v not in Priority.values for v in value):
        raise ValidationError(_("Priorities are 1 to 5."), code="invalid")


class Metric(models.TextChoices):
    FIRST_RESPONSE = "first_response", _("First response")
    NEXT_RESPONSE = "next_response", _("Next response")
    RESOLUTION = "resolution", _("Resolution")
    OLA = "ola", _("Group target (OLA)")


class ClockState(models.TextChoices):
    RUNNING = "running", _("Running")
    PAUSED = "paused", _("Paused")
    MET = "met", _("Met")
    BREACHED = "breached", _("Breached")
    CANCELLED = "cancelled", _("Cancelled")


# Clocks whose deadline can still move; a breach is final (docs/sla.md).
ACTIVE_STATES = (ClockState.RUNNING, ClockState.PAUSED)


class Service(models.Model):
    """A service the provider runs (E-mail, VPN, ...); its categories say which tickets are about it."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(
        "tickets.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="services",
        help_text=_("Tickets in these categories, or below them, are about this service."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Targets per priority for tickets that meet its conditions (an empty condition is any).

    Policies are tried in `order`; the policy named by the ticket's agreement is tried first.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveIntegerField(
        _("order"),
        default=100,
        help_text=_("Policies are tried from the lowest number; the first that matches applies."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    kinds = models.JSONField(
        _("kinds"),
        default=list,
        blank=True,
        validators=[validate_kinds],
        help_text=_("Only tickets of these kinds; empty: every kind."),
    )
    priorities = models.JSONField(
        _("priorities"),
        default=list,
        blank=True,
        validators=[validate_priorities],
        help_text=_("Only tickets of these priorities; empty: every priority."),
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("organisations"), blank=True, related_name="+"
    )
    agreements: models.ManyToManyField[Agreement, Any] = models.ManyToManyField(
        "Agreement", verbose_name=_("agreements"), blank=True, related_name="+"
    )
    services = models.ManyToManyField(
        Service, verbose_name=_("services"), blank=True, related_name="+"
    )
    categories = models.ManyToManyField(
        "tickets.Category",
        verbose_name=_("categories"),
        blank=True,
        related_name="+",
        help_text=_("Also matches their subcategories."),
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Counts time by this calendar; empty: the agreement's, else the default."),
    )
    warning_thresholds = models.JSONField(
        _("warnings at (%)"),
        default=default_thresholds,
        blank=True,
        validators=[validate_thresholds],
        help_text=_("Percentages of the allowed time at which a warning is recorded."),
    )
    pause_statuses = models.ManyToManyField(
        "tickets.Status",
        verbose_name=_("statuses that pause"),
        blank=True,
        related_name="+",
        help_text=_("Empty: every status in the pending category pauses the clocks."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class SlaTarget(models.Model):
    """How many business minutes each metric may take at one priority under a policy."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"),
        null=True,
        blank=True,
        help_text=_("Time to answer a requester's message after the first response."),
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["policy", "priority"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="unique_sla_target"),
            models.CheckConstraint(
                condition=Q(first_response_minutes__gt=0) | Q(first_response_minutes__isnull=True),
                name="sla_first_response_positive",
            ),
            models.CheckConstraint(
                condition=Q(next_response_minutes__gt=0) | Q(next_response_minutes__isnull=True),
                name="sla_next_response_positive",
            ),
            models.CheckConstraint(
                condition=Q(resolution_minutes__gt=0) | Q(resolution_minutes__isnull=True),
                name="sla_resolution_positive",
            ),
        ]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")

    def __str__(self) -> str:
        return f"{self.policy} P{self.priority}"

    def minutes_for(self, metric: str) -> int | None:
        return getattr(self, f"{metric}_minutes", None)


class OlaTarget(models.Model):
    """An internal target: how long one support group may hold a ticket (its own clock)."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="ola_targets")
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        related_name="ola_targets",
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"),
        choices=Priority.choices,
        null=True,
        blank=True,
        help_text=_("Empty: every priority without a target of its own."),
    )
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        ordering = ["policy", "group", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["policy", "group", "priority"], name="unique_ola_target"
            ),
            models.UniqueConstraint(
                fields=["policy", "group"],
                condition=Q(priority__isnull=True),
                name="unique_ola_target_any_priority",
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="ola_minutes_positive"),
        ]
        verbose_name = _("OLA target")
        verbose_name_plural = _("OLA targets")

    def __str__(self) -> str:
        return f"{self.policy}: {self.group}"


class Agreement(models.Model):
    """A service level agreement with a client organisation or an internal department."""

    name = models.CharField(_("name"), max_length=150)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="agreements",
    )
    services = models.ManyToManyField(
        Service,
        verbose_name=_("services"),
        blank=True,
        related_name="agreements",
        help_text=_("The services it covers; empty: every service."),
    )
    policy = models.ForeignKey(
        SlaPolicy,
        verbose_name=_("SLA policy"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="named_by",
        help_text=_("Tried before the ordered policies for the tickets it covers."),
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    valid_from = models.DateField(_("valid from"), default=date.today)
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Empty: open-ended.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    target_percent = models.DecimalField(
        _("target (% of clocks met)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_(
            "The share of SLA clocks promised to be met; reports compare with it. "
            "Empty: the desk's target."
        ),
    )

    class Meta:
        ordering = ["organisation", "-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="agreement_valid_range",
            )
        ]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        # A provider keeps one agreement per client at a time.
        if self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("The end is before the start.")})
        if not self.organisation_id or not self.is_active:
            return
        overlapping = Agreement.objects.filter(
            organisation_id=self.organisation_id, is_active=True
        ).exclude(pk=self.pk)
        overlapping = overlapping.filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=self.valid_from)
        )
        if self.valid_until:
            overlapping = overlapping.filter(valid_from__lte=self.valid_until)
        other = overlapping.first()
        if other is not None:
            raise ValidationError(
                {
                    "valid_from": _("%(name)s already covers this organisation then.")
                    % {"name": other.name}
                }
            )

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class SlaClock(models.Model):
    """One timed promise on a ticket: a metric (for OLA, of one group) in one cycle.

    `deadline` is when the target is reached counting only business time outside `pauses`
    (wall-time intervals, [[start, end], ...] in ISO format); it is empty while paused.
    `elapsed_minutes` is the business time used up to the last pause or stop.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla_clocks"
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=1)
    policy = models.ForeignKey(
        SlaPolicy, verbose_name=_("policy"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    calendar = models.ForeignKey(
        "calendars.Calendar",
        verbose_name=_("calendar"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    target_minutes = models.PositiveIntegerField(_("target (minutes)"))
    started_at = models.DateTimeField(_("started"))
    pauses = models.JSONField(_("pauses"), default=list, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    deadline = models.DateTimeField(_("deadline"), null=True, blank=True)
    warn_at = models.DateTimeField(
        _("first warning"), null=True, blank=True, help_text=_("When the first warning is due.")
    )
    stopped_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=ClockState.choices, default=ClockState.RUNNING
    )
    elapsed_minutes = models.FloatField(_("elapsed (minutes)"), default=0)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    # Its timers, once an SLA operation loaded them (sla/clocks.py: Work.load_timers, timers_of).
    _work_timers: list[SlaTimer]

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "cycle"],
                condition=Q(group__isnull=True),
                name="unique_sla_clock_cycle",
            ),
            models.UniqueConstraint(
                fields=["ticket", "metric", "group", "cycle"],
                condition=Q(group__isnull=False),
                name="unique_ola_clock_cycle",
            ),
        ]
        indexes = [
            models.Index(fields=["ticket", "state"], name="sla_clock_ticket_state"),
            models.Index(fields=["calendar", "state"], name="sla_clock_calendar_state"),
            models.Index(fields=["state", "deadline"], name="sla_clock_state_deadline"),
        ]
        verbose_name = _("SLA clock")
        verbose_name_plural = _("SLA clocks")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.metric} #{self.cycle}"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def is_open(self) -> bool:
        """Not yet achieved: active, or breached and still waiting for the response."""
        return self.stopped_at is None and self.state != ClockState.CANCELLED

    @property
    def remaining_minutes(self) -> float:
        return max(0.0, self.target_minutes - self.elapsed_minutes)

    def pause_spans(self) -> list[tuple[datetime, datetime]]:
        return [(datetime.fromisoformat(a), datetime.fromisoformat(b)) for a, b in self.pauses]


class ClockChange(models.TextChoices):
    STARTED = "started", _("started")
    PAUSED = "paused", _("paused")
    RESUMED = "resumed", _("resumed")
    RECOMPUTED = "recomputed", _("recomputed")
    WARNED = "warned", _("warned")
    BREACHED = "breached", _("breached")
    MET = "met", _("met")
    STOPPED_LATE = "stopped_late", _("stopped late")
    CANCELLED = "cancelled", _("cancelled")


class SlaClockLog(models.Model):
    """One change of a clock: what, why, and the deadline before and after.

    `why` is a stable code and `details` its particulars (names, percentages, the policy's
    matched conditions), so the explanation is written in the reader's language.
    """

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="logs")
    at = models.DateTimeField(_("at"), default=timezone.now)
    what = models.CharField(_("what"), max_length=15, choices=ClockChange.choices)
    why = models.CharField(_("why"), max_length=30, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    old_deadline = models.DateTimeField(_("old deadline"), null=True, blank=True)
    new_deadline = models.DateTimeField(_("new deadline"), null=True, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("SLA clock change")
        verbose_name_plural = _("SLA clock changes")

    def __str__(self) -> str:
        return f"{self.clock_id} {self.what} {self.why}"


class SlaTimer(models.Model):
    """One threshold of one clock (a warning percentage, or 100 for the breach).

    Fires exactly once: a worker claims it with a conditional UPDATE on `fired_at` and the
    `due_at` its task was planned for; a task whose due time moved does nothing.
    `planned_for` is the due time a task has been enqueued for.
    """

    clock = models.ForeignKey(SlaClock, on_delete=models.CASCADE, related_name="timers")
    percent = models.PositiveSmallIntegerField(_("percent"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    planned_for = models.DateTimeField(_("planned for"), null=True, blank=True)
    fired_at = models.DateTimeField(_("fired"), null=True, blank=True)

    class Meta:
        ordering = ["clock", "percent"]
        constraints = [
            models.UniqueConstraint(fields=["clock", "percent"], name="unique_sla_timer"),
        ]
        indexes = [
            models.Index(
                fields=["due_at"], name="sla_timer_unfired_due", condition=Q(fired_at__isnull=True)
            ),
        ]
        verbose_name = _("SLA timer")
        verbose_name_plural = _("SLA timers")

    def __str__(self) -> str:
        return f"{self.clock_id} {self.percent}%"

    @property
    def is_breach(self) -> bool:
        return self.percent == BREACH
