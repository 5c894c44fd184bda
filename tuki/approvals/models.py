"""Approvals: a ticket waits until its approvers, step by step, say yes (or one step says no).

- `ApprovalTemplate` is a reusable definition (name, which kinds, a list of steps) that agents
  pick on the ticket page and rules name in their `request_approval` action.
- `Approval` is one round of approval on one ticket; at most one is pending per ticket.
- `ApprovalStep` is one step of it. `approvers` and `group` are what was asked for; `voters`
  is who may decide, fixed when the approval is requested (the named people plus the group's
  active members), so counting "all" or "a majority" does not drift when a group changes.
- `ApprovalDecision` is one voter's approve or reject on one step, with a comment.

How a step is decided (services.step_outcome): it passes when its rule is met, and is
rejected as soon as its rule can no longer be met:
- any: one approval passes; rejected only when every voter rejected;
- all: every voter must approve; one rejection rejects;
- majority: more than half of the voters must approve; rejected when so many rejected that
  a majority is out of reach (with 4 voters: 3 approvals pass, 2 rejections reject).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Rule(models.TextChoices):
    ANY = "any", _("Any one approver")
    ALL = "all", _("All approvers")
    MAJORITY = "majority", _("A majority of approvers")


class State(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class StepState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an earlier step")
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    REJECT = "reject", _("Reject")


class Via(models.TextChoices):
    WEB = "web", _("web page")
    EMAIL = "email", _("email link")
    API = "api", _("API")


APPROVABLE_KINDS = ("request", "change", "release")


class ApprovalTemplate(models.Model):
    """A reusable approval: which ticket kinds it fits and its steps.

    `steps` is a list of {"rule": "any"|"all"|"majority", "users": [user ids], "group": id or
    null}; services.clean_steps validates it.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    kinds = models.JSONField(
        _("ticket kinds"), default=list, blank=True, help_text=_("Empty: every kind that may wait.")
    )
    steps = models.JSONField(_("steps"), default=list)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("approval template")
        verbose_name_plural = _("approval templates")

    def __str__(self) -> str:
        return self.name

    def fits(self, kind: str) -> bool:
        return kind in (self.kinds or APPROVABLE_KINDS)


class Approval(models.Model):
    """One round of approval on one ticket."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="approvals")
    template = models.ForeignKey(
        ApprovalTemplate,
        verbose_name=_("template"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="approvals",
    )
    name = models.CharField(_("name"), max_length=120)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Where the ticket was before it waited: a cancelled approval returns it there.
    previous_status = models.ForeignKey(
        "tickets.Status", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=Q(state="pending"), name="one_pending_approval"
            )
        ]
        verbose_name = _("approval")
        verbose_name_plural = _("approvals")

    def __str__(self) -> str:
        return f"{self.name} ({self.get_state_display()})"

    @property
    def is_pending(self) -> bool:
        return self.state == State.PENDING


class ApprovalStep(models.Model):
    approval = models.ForeignKey(Approval, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("position"))
    rule = models.CharField(_("rule"), max_length=10, choices=Rule.choices, default=Rule.ANY)
    approvers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("approvers"), blank=True, related_name="+"
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("approving group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    voters = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who may decide"),
        blank=True,
        related_name="approval_steps",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=StepState.choices, default=StepState.WAITING
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)

    class Meta:
        ordering = ["approval", "position"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "position"], name="unique_step_position")
        ]
        indexes = [models.Index(fields=["state"], name="approval_step_state")]
        verbose_name = _("approval step")
        verbose_name_plural = _("approval steps")

    def __str__(self) -> str:
        return f"{self.approval} #{self.position}"

    @property
    def is_open(self) -> bool:
        return self.state == StepState.PENDING


class ApprovalDecision(models.Model):
    step = models.ForeignKey(ApprovalStep, on_delete=models.CASCADE, related_name="decisions")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approver"),
        on_delete=models.PROTECT,
        related_name="approval_decisions",
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    via = models.CharField(_("via"), max_length=10, choices=Via.choices, default=Via.WEB)
    decided_at = models.DateTimeField(_("decided"), default=timezone.now)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["step", "approver"], name="one_decision_per_approver")
        ]
        verbose_name = _("approval decision")
        verbose_name_plural = _("approval decisions")

    def __str__(self) -> str:
        return f"{self.approver}: {self.decision}"
