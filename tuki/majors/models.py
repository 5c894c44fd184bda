"""Major incidents (docs/major-incidents.md): an incident declared major, with its manager,
its public summary, the communications sent while it lasts and the review after it.

The children of a major incident are ordinary incidents linked to it with a `parent_of`
ticket link (parent --parent_of--> child): tickets owns links, so no table here repeats them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class State(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    DECLARED = "declared", _("Declared")
    REJECTED = "rejected", _("Rejected")
    RESOLVED = "resolved", _("Resolved")
    REVIEWED = "reviewed", _("Reviewed")


ACTIVE_STATES = (State.PROPOSED, State.DECLARED)


class DeclaredVia(models.TextChoices):
    MANAGER = "manager", _("a manager")
    RULE = "rule", _("an automation rule")


class MajorIncident(models.Model):
    """The major-incident detail of one incident ticket (a one-to-one detail table)."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="major",
        verbose_name=_("ticket"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PROPOSED, db_index=True
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    declared_via = models.CharField(
        _("declared by way of"), max_length=10, choices=DeclaredVia.choices, blank=True
    )
    rule_name = models.CharField(
        _("rule"), max_length=200, blank=True, help_text=_("The rule that declared it, if any.")
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="managed_majors",
        verbose_name=_("major incident manager"),
    )
    summary = models.TextField(
        _("public summary"),
        blank=True,
        help_text=_("Shown on the status page: write it for everybody, name no one."),
    )
    bridge = models.TextField(
        _("bridge and call details"),
        blank=True,
        help_text=_("Where the people working on it meet (a call, a chat room)."),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    review_timeline = models.TextField(_("timeline summary"), blank=True)
    review_root_cause = models.TextField(
        _("root cause"),
        blank=True,
        help_text=_("What caused it, or where that is followed (a problem's number)."),
    )
    review_actions = models.TextField(_("actions"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-ticket_id"]
        indexes = [models.Index(fields=["state", "created_at"], name="majors_state_created")]
        verbose_name = _("major incident")
        verbose_name_plural = _("major incidents")

    def __str__(self) -> str:
        return f"{self.ticket_id} ({self.state})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class CommunicationKind(models.TextChoices):
    PUBLIC = "public", _("Public update")
    INTERNAL = "internal", _("Internal update")
    STAKEHOLDER = "stakeholder", _("Stakeholder note")


class Communication(models.Model):
    """One entry of a major incident's communications timeline."""

    major = models.ForeignKey(
        MajorIncident,
        on_delete=models.CASCADE,
        related_name="communications",
        verbose_name=_("major incident"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=CommunicationKind.choices)
    body = models.TextField(_("text"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("posted by"),
    )
    posted_at = models.DateTimeField(_("posted at"), default=timezone.now)
    reached = models.PositiveIntegerField(
        _("requesters reached"),
        default=0,
        help_text=_("How many requesters of the children were mailed this update."),
    )

    class Meta:
        ordering = ["-posted_at", "-id"]
        indexes = [models.Index(fields=["major", "posted_at"], name="majors_comm_major_posted")]
        verbose_name = _("communication")
        verbose_name_plural = _("communications")

    def __str__(self) -> str:
        return f"{self.major_id}: {self.kind}"

    @property
    def is_public(self) -> bool:
        return self.kind == CommunicationKind.PUBLIC
