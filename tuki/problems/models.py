"""Problem management (docs/problems.md).

A problem is a ticket of kind "problem" (number PRB-n): its queue, workflow, SLA and
timeline are the ticket's. What only a problem has lives here, in a one-to-one detail row:
the root cause, the workaround, the known-error state and the article that publishes it,
and the quiet period its incidents must keep before it may be closed. Incidents point at
their problem with a ticket link of type "caused by" (incident → problem).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

DEFAULT_QUIET_DAYS = 14


def default_quiet_days() -> int:
    """TUKI_PROBLEM_QUIET_DAYS (settings.PROBLEM_QUIET_DAYS), 14 unless set."""
    return int(getattr(settings, "PROBLEM_QUIET_DAYS", DEFAULT_QUIET_DAYS))


class RootCauseCategory(models.TextChoices):
    SOFTWARE = "software", _("Software")
    HARDWARE = "hardware", _("Hardware")
    CAPACITY = "capacity", _("Capacity")
    CONFIGURATION = "configuration", _("Configuration")
    PROCESS = "process", _("Process")
    THIRD_PARTY = "third_party", _("Third party")
    UNKNOWN = "unknown", _("Unknown")


class KnownErrorState(models.TextChoices):
    NONE = "none", _("Not a known error")
    KNOWN = "known", _("Known error")


class Problem(models.Model):
    """What only a problem ticket has: root cause, workaround, known-error state."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="problem",
    )
    root_cause = models.TextField(_("root cause"), blank=True)
    root_cause_category = models.CharField(
        _("root-cause category"),
        max_length=20,
        choices=RootCauseCategory.choices,
        default=RootCauseCategory.UNKNOWN,
    )
    workaround = models.TextField(
        _("workaround"), blank=True, help_text=_("How users get going again until the fix.")
    )
    known_error = models.CharField(
        _("known error"),
        max_length=10,
        choices=KnownErrorState.choices,
        default=KnownErrorState.NONE,
        db_index=True,
    )
    known_error_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("known error marked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    known_error_at = models.DateTimeField(_("known error since"), null=True, blank=True)
    article = models.ForeignKey(
        "knowledge.Article",
        verbose_name=_("known-error article"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    quiet_days = models.PositiveSmallIntegerField(
        _("quiet period (days)"),
        null=True,
        blank=True,
        help_text=_(
            "Days without a new or reopened incident before the problem may be closed; "
            "empty: the desk's default."
        ),
    )

    class Meta:
        ordering = ["-ticket_id"]
        verbose_name = _("problem")
        verbose_name_plural = _("problems")

    def __str__(self) -> str:
        return f"PRB-{self.ticket_id}"

    @property
    def is_known_error(self) -> bool:
        return self.known_error == KnownErrorState.KNOWN

    @property
    def quiet_period(self) -> int:
        return self.quiet_days if self.quiet_days is not None else default_quiet_days()


class AnalysisMethod(models.TextChoices):
    FIVE_WHYS = "five_whys", _("5 whys")
    TIMELINE = "timeline", _("Timeline")
    FISHBONE = "fishbone", _("Fishbone")
    NOTE = "note", _("Note")


class AnalysisNote(models.Model):
    """One step of a problem's root-cause analysis, shown in order on the problem page."""

    problem = models.ForeignKey(
        Problem, verbose_name=_("problem"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    method = models.CharField(
        _("method"), max_length=20, choices=AnalysisMethod.choices, default=AnalysisMethod.NOTE
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("analysis note")
        verbose_name_plural = _("analysis notes")

    def __str__(self) -> str:
        return f"{self.problem}: {self.get_method_display()}"


class RadarDismissal(models.Model):
    """An incident the radar no longer proposes: someone dismissed a proposal holding it."""

    incident = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("incident"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dismissed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-dismissed_at"]
        verbose_name = _("dismissed radar incident")
        verbose_name_plural = _("dismissed radar incidents")

    def __str__(self) -> str:
        return str(self.incident_id)
