"""Change management's own data (docs/changes.md).

A change is a `tickets.Ticket` of kind "change" (its number, conversation, status, group and
SLA are the ticket's); `Change` is its one-to-one detail: the type, the plans, the window,
the implementer, the risk, the advisory board and the outcome.

- `ChangeTemplate`: a standard change's model, approved once; a change made from an approved
  template needs no approval of its own.
- `BlackoutPeriod`: a time when changes may not be implemented (a freeze), everywhere or on
  the named services and items.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChangeType(models.TextChoices):
    STANDARD = "standard", _("Standard")
    NORMAL = "normal", _("Normal")
    EMERGENCY = "emergency", _("Emergency")


class Risk(models.IntegerChoices):
    LOW = 1, _("Low")
    MODERATE = 2, _("Moderate")
    HIGH = 3, _("High")
    VERY_HIGH = 4, _("Very high")


class Outcome(models.TextChoices):
    SUCCESSFUL = "successful", _("Successful")
    WITH_ISSUES = "with_issues", _("Successful with issues")
    FAILED = "failed", _("Failed")
    BACKED_OUT = "backed_out", _("Backed out")


class TemplateState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    RETIRED = "retired", _("Retired")


class ChangeTemplate(models.Model):
    """A standard change: low risk, done often, the same way every time, approved once."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    duration_minutes = models.PositiveIntegerField(_("usual duration (minutes)"), default=60)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("implementing group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Risk.choices, default=Risk.LOW)
    state = models.CharField(
        _("state"), max_length=10, choices=TemplateState.choices, default=TemplateState.DRAFT
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("standard change template")
        verbose_name_plural = _("standard change templates")

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.state == TemplateState.APPROVED


class Change(models.Model):
    """The detail of a ticket of kind "change"."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="change"
    )
    change_type = models.CharField(
        _("change type"), max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    template = models.ForeignKey(
        ChangeTemplate,
        verbose_name=_("standard change template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    justification = models.TextField(_("reason for the change"), blank=True)
    implementation_plan = models.TextField(_("implementation plan"), blank=True)
    backout_plan = models.TextField(_("back-out plan"), blank=True)
    test_plan = models.TextField(_("test plan"), blank=True)
    planned_start = models.DateTimeField(_("planned start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("planned end"), null=True, blank=True)
    actual_start = models.DateTimeField(_("actual start"), null=True, blank=True)
    actual_end = models.DateTimeField(_("actual end"), null=True, blank=True)
    implementer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("implementer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="implementing_changes",
    )
    # Risk: the higher of the rules' and the questionnaire's, with why (docs/changes.md).
    risk = models.PositiveSmallIntegerField(_("risk"), choices=Risk.choices, null=True, blank=True)
    risk_reasons = models.JSONField(_("why this risk"), default=list, blank=True)
    questionnaire = models.JSONField(_("risk questionnaire answers"), default=dict, blank=True)
    cab = models.ForeignKey(
        "approvals.ApprovalTemplate",
        verbose_name=_("change advisory board"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    outcome_notes = models.TextField(_("outcome notes"), blank=True)
    review = models.TextField(_("post-implementation review"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)

    class Meta:
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index(fields=["planned_start", "planned_end"], name="change_window"),
            models.Index(fields=["implementer", "planned_start"], name="change_implementer"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="change_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ({self.change_type})"


class BlackoutKind(models.TextChoices):
    BLACKOUT = "blackout", _("Blackout")
    FREEZE = "freeze", _("Release freeze")


class BlackoutPeriod(models.Model):
    """No changes implemented from `starts_at` to `ends_at`: on the named items, or on every
    item when none is named. A freeze holds releases too (docs/releases.md)."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(
        _("kind"), max_length=10, choices=BlackoutKind.choices, default=BlackoutKind.BLACKOUT
    )
    reason = models.TextField(_("reason"), blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    items = models.ManyToManyField(
        "cmdb.ConfigurationItem",
        verbose_name=_("services and items"),
        blank=True,
        related_name="blackouts",
        help_text=_("None: every service and item."),
    )
    allow_emergency = models.BooleanField(
        _("emergency changes allowed"),
        default=True,
        help_text=_("An emergency change may still be implemented in this period."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("blackout period")
        verbose_name_plural = _("blackout periods")
        indexes = [models.Index(fields=["starts_at", "ends_at"], name="blackout_span")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="blackout_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ChangeSettings(models.Model):
    """The desk's change settings, one row (`ChangeSettings.load()`): which approval
    template is the change advisory board (normal changes) and which the emergency board."""

    cab = models.ForeignKey(
        "approvals.ApprovalTemplate",
        verbose_name=_("change advisory board (CAB)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ecab = models.ForeignKey(
        "approvals.ApprovalTemplate",
        verbose_name=_("emergency change advisory board (ECAB)"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("change settings")
        verbose_name_plural = _("change settings")

    def __str__(self) -> str:
        return "change settings"

    @classmethod
    def load(cls) -> ChangeSettings:
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class RiskQuestion(models.Model):
    """One question of the risk questionnaire; each answer weighs 1 (low) to 4 (very high)."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    text = models.CharField(_("question"), max_length=300)
    # [{"key": "no", "label": "No", "risk": 1}, ...]; labels stored in English, shown translated.
    answers = models.JSONField(_("answers"), default=list)
    order = models.PositiveIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "key"]
        verbose_name = _("risk question")
        verbose_name_plural = _("risk questions")

    def __str__(self) -> str:
        return self.text
