"""Automation: rules that act on tickets, their run log and their planned (scheduled) runs.

A rule's conditions, wait and actions are JSON checked against `catalogue.py` when the rule is
saved (`validation.validate_rule`, called by `services.create_rule`/`update_rule`); the engine
trusts what is stored and reports what vanished since (a deleted group) on the RuleRun.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


def _empty_conditions() -> dict:
    return {"match": "all", "items": []}


class Rule(models.Model):
    """An admin-built rule: when (trigger), on which tickets (kinds, conditions), what (actions)."""

    class Trigger(models.TextChoices):
        EVENT = "event", _("When a ticket event happens")
        SCHEDULED = "scheduled", _("When a ticket has matched for a time")

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveIntegerField(
        _("position"), default=100, help_text=_("Rules run in this order, lowest first.")
    )
    trigger = models.CharField(
        _("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.EVENT
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    kinds = models.JSONField(
        _("ticket kinds"), default=list, blank=True, help_text=_("Empty: every kind.")
    )
    conditions = models.JSONField(_("conditions"), default=_empty_conditions, blank=True)
    wait = models.JSONField(_("wait"), default=dict, blank=True)
    actions = models.JSONField(_("actions"), default=list, blank=True)
    stop_processing = models.BooleanField(
        _("stop processing"),
        default=False,
        help_text=_("When this rule acts, later rules do not run for the same event."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["position", "id"]
        indexes = [models.Index(fields=["is_active", "trigger", "position"], name="rule_active")]

    def __str__(self) -> str:
        return self.name


class RuleRun(models.Model):
    """One rule that matched a ticket and acted (or failed to): the rule's run log."""

    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="runs"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="rule_runs",
    )
    event = models.ForeignKey(
        "tickets.TicketEvent",
        verbose_name=_("event"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    trigger = models.CharField(_("trigger"), max_length=30, blank=True)
    ok = models.BooleanField(_("succeeded"), default=True)
    error = models.TextField(_("error"), blank=True)
    changes = models.JSONField(_("changes"), default=list, blank=True)
    depth = models.PositiveSmallIntegerField(_("depth"), default=1)
    at = models.DateTimeField(_("at"), default=timezone.now)

    # Set for the run log: the event's name, or "scheduled" (automation/views.py: _runs).
    trigger_label: str | Promise

    class Meta:
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["rule", "-at"], name="rulerun_rule"),
            models.Index(fields=["ticket", "-at"], name="rulerun_ticket"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.ticket_id}"


class ScheduledRun(models.Model):
    """A scheduled rule planned for one ticket: fires at `due_at` if nothing changed.

    `anchor` is the instant the wait counts from (the status change, the last reply...); a
    ticket whose anchor moved gets a new row and the old one is cancelled. At most one row
    per (rule, ticket, anchor): a rule acts once per anchor, however often events re-plan it.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        FIRED = "fired", _("fired")
        CANCELLED = "cancelled", _("cancelled")

    rule = models.ForeignKey(
        Rule, verbose_name=_("rule"), on_delete=models.CASCADE, related_name="scheduled_runs"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="scheduled_rule_runs",
    )
    anchor = models.DateTimeField(_("counting from"))
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    fired_at = models.DateTimeField(_("fired"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        verbose_name = _("scheduled rule run")
        verbose_name_plural = _("scheduled rule runs")
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "anchor"], name="scheduledrun_once_per_anchor"
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "state"], name="scheduledrun_ticket"),
            models.Index(fields=["state", "due_at"], name="scheduledrun_due"),
        ]

    def __str__(self) -> str:
        return f"{self.rule} → {self.ticket_id} at {self.due_at:%Y-%m-%d %H:%M}"
