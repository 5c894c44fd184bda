"""Satisfaction surveys: one question (1-5 and a comment) asked when a ticket is resolved."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Score(models.IntegerChoices):
    VERY_POOR = 1, _("Very poor")
    POOR = 2, _("Poor")
    FAIR = 3, _("Fair")
    GOOD = 4, _("Good")
    VERY_GOOD = 5, _("Very good")


class SurveyResponse(models.Model):
    """The survey of one resolution of a ticket (a reopened and resolved again ticket asks again).

    Made when the ticket is resolved (who resolved it is kept: `agent`, `group`); answered
    once, through a signed link without signing in or from the portal.
    """

    ticket = models.ForeignKey(
        "tickets.Ticket", verbose_name=_("ticket"), on_delete=models.CASCADE, related_name="surveys"
    )
    cycle = models.PositiveSmallIntegerField(
        _("resolution"), default=1, help_text=_("1 for the first resolution, 2 after one reopen, …")
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("asked"), default=timezone.now)
    score = models.PositiveSmallIntegerField(
        _("score"), choices=Score.choices, null=True, blank=True
    )
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "cycle"], name="unique_survey_cycle"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_score_1_to_5",
            ),
        ]
        indexes = [models.Index(fields=["answered_at"], name="survey_answered")]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __str__(self) -> str:
        return f"{self.ticket_id} #{self.cycle}: {self.score or '-'}"

    @property
    def is_answered(self) -> bool:
        return self.answered_at is not None
