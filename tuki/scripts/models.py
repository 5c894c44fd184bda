"""Guided first-line scripts: a decision tree the operator follows on the phone.

A `Script` is what is matched and suggested; its tree lives in `ScriptVersion` rows (one
draft being edited, exactly one published, older ones retired and kept read-only so runs
keep pointing at the tree they followed). A `ScriptRun` is one operator following one
version during one call: the path of answers, and how it ended (docs/scripts.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Script(models.Model):
    """One guided script: its name, what it matches, and its versions."""

    name = models.CharField(_("name"), max_length=200)
    names = models.JSONField(
        _("name translations"), default=dict, blank=True, help_text=_('{"ro": "…", "fi": "…"}')
    )
    description = models.TextField(_("description"), blank=True)
    categories = models.ManyToManyField(
        "tickets.Category", verbose_name=_("categories"), blank=True, related_name="scripts"
    )
    services = models.ManyToManyField(
        "sla.Service", verbose_name=_("services"), blank=True, related_name="scripts"
    )
    catalogue_items = models.ManyToManyField(
        "catalogue.CatalogueItem",
        verbose_name=_("catalogue items"),
        blank=True,
        related_name="scripts",
    )
    keywords = models.CharField(
        _("keywords"),
        max_length=500,
        blank=True,
        help_text=_("Words in a call's title that suggest this script, separated by commas."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("script")
        verbose_name_plural = _("scripts")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def keyword_list(self) -> list[str]:
        return [w.strip().lower() for w in self.keywords.split(",") if w.strip()]

    def localized_name(self, language: str) -> str:
        return str(self.names.get(language[:2]) or self.name)


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ScriptVersion(models.Model):
    """One tree of a script (tree.py). Only a draft is edited; publishing freezes it."""

    script = models.ForeignKey(
        Script, verbose_name=_("script"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("number"))
    tree = models.JSONField(_("tree"), default=dict, blank=True)
    state = models.CharField(
        _("state"), max_length=10, choices=VersionState.choices, default=VersionState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,  # a version a configuration bundle brought has no author here
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("script version")
        verbose_name_plural = _("script versions")
        ordering = ["script", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["script", "number"], name="script_version_number"),
            models.UniqueConstraint(
                fields=["script"],
                condition=Q(state="published"),
                name="script_one_published",
            ),
            models.UniqueConstraint(
                fields=["script"], condition=Q(state="draft"), name="script_one_draft"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.script} v{self.number}"


class RunOutcome(models.TextChoices):
    RESOLVE = "resolve", _("Resolved")
    ESCALATE = "escalate", _("Escalated")
    FILL = "fill", _("Fields filled")
    CATALOGUE = "catalogue", _("Catalogue item")
    ABANDONED = "abandoned", _("Abandoned")


class ScriptRun(models.Model):
    """One operator following one version during one call.

    `path` is the list of steps taken, `[{"node": id, "answer": index}]`; the run stands at
    the node the last answer leads to. `outcome` is set when it ends: the outcome node's
    type, or abandoned with `dropped_at` the node the operator left at.
    """

    version = models.ForeignKey(
        ScriptVersion, verbose_name=_("version"), on_delete=models.PROTECT, related_name="runs"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="script_runs",
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    path = models.JSONField(_("path"), default=list, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=RunOutcome.choices, blank=True)
    outcome_node = models.CharField(_("outcome node"), max_length=40, blank=True)
    dropped_at = models.CharField(_("dropped at node"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("script run")
        verbose_name_plural = _("script runs")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["version", "outcome"], name="script_run_outcome")]

    def __str__(self) -> str:
        return f"{self.version} run {self.pk}"
