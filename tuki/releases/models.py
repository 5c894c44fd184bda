"""Release management's own data (docs/releases.md).

A release is a `tickets.Ticket` of kind "release" (number REL-n; its conversation, status,
group and SLA are the ticket's); `Release` is its one-to-one detail: the version, the stage,
the window, the target environment and the changes it groups. `Deployment` is one question
asked of the deployment gate, with the signed answer.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    BUILD = "build", _("Build")
    TEST = "test", _("Test")
    APPROVE = "approve", _("Approve")
    DEPLOY = "deploy", _("Deploy")
    REVIEW = "review", _("Review")
    DONE = "done", _("Done")


STAGE_ORDER = [s.value for s in Stage]


class Release(models.Model):
    """The detail of a ticket of kind "release"."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, primary_key=True, related_name="release"
    )
    version = models.CharField(_("version"), max_length=100, blank=True)
    stage = models.CharField(_("stage"), max_length=10, choices=Stage.choices, default=Stage.BUILD)
    environment = models.CharField(
        _("target environment"), max_length=60, default="production", blank=True
    )
    planned_start = models.DateTimeField(_("window start"), null=True, blank=True)
    planned_end = models.DateTimeField(_("window end"), null=True, blank=True)
    changes = models.ManyToManyField(
        "changes.Change",
        verbose_name=_("changes"),
        through="ReleaseChange",
        related_name="releases",
        blank=True,
    )
    deployed_at = models.DateTimeField(_("deployed"), null=True, blank=True)
    review = models.TextField(_("post-release review"), blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        indexes = [
            models.Index(fields=["stage"], name="release_stage"),
            models.Index(fields=["planned_start", "planned_end"], name="release_window"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gt=models.F("planned_start")),
                name="release_window_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"REL-{self.ticket_id} {self.version}".strip()


class ReleaseChange(models.Model):
    """A change grouped into a release."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="grouped")
    change = models.ForeignKey("changes.Change", on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("change of a release")
        verbose_name_plural = _("changes of releases")
        constraints = [
            models.UniqueConstraint(fields=["release", "change"], name="release_change_unique")
        ]

    def __str__(self) -> str:
        return f"{self.release_id} ← {self.change_id}"


class Deployment(models.Model):
    """One question asked of the deployment gate and its signed answer."""

    release = models.ForeignKey(
        Release, on_delete=models.CASCADE, null=True, blank=True, related_name="deployments"
    )
    change = models.ForeignKey(
        "changes.Change",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="deployments",
    )
    subject = models.CharField(
        _("asked about"), max_length=40, help_text=_("The number the pipeline named.")
    )
    environment = models.CharField(_("environment"), max_length=60, blank=True)
    pipeline = models.CharField(_("pipeline"), max_length=200, blank=True)
    ref = models.CharField(_("commit or ref"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"), default=timezone.now)
    allowed = models.BooleanField(_("allowed"))
    reason = models.TextField(_("reason"), blank=True)
    signature = models.TextField(_("signature"), blank=True)
    key_id = models.CharField(_("key id"), max_length=40, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        indexes = [
            models.Index(fields=["release", "-requested_at"], name="deployment_release"),
            models.Index(fields=["change", "-requested_at"], name="deployment_change"),
        ]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return f"{self.subject} {self.environment} {verdict}"
