"""Macros and canned responses: a text template and a few ticket changes, applied in one go.

A canned response is a macro with only text. Rules run macros too (automation's run_macro).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.tickets.models import Kind


class Scope(models.TextChoices):
    PERSONAL = "personal", _("Personal")
    GROUP = "group", _("Group")
    GLOBAL = "global", _("Everyone")


class Macro(models.Model):
    """Text with placeholders posted as a reply or note, plus actions (services.validate_actions).

    Who sees it follows the scope: the owner (personal), the group's members (group), every
    agent (global). `kinds` limits it to some ticket kinds; [] means every kind.
    """

    name = models.CharField(_("name"), max_length=120)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="macros",
    )
    body = models.TextField(_("text"), blank=True)
    internal = models.BooleanField(
        _("internal note"),
        default=False,
        help_text=_("Post the text as an internal note instead of a public reply."),
    )
    actions = models.JSONField(_("actions"), default=list, blank=True)
    kinds = models.JSONField(_("ticket kinds"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(scope="personal", owner__isnull=False, group__isnull=True)
                    | models.Q(scope="group", owner__isnull=True, group__isnull=False)
                    | models.Q(scope="global", owner__isnull=True, group__isnull=True)
                ),
                name="macro_scope_target",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_canned_response(self) -> bool:
        return not self.actions

    @property
    def kind_labels(self) -> list[str]:
        return [str(Kind(k).label) for k in self.kinds if k in Kind.values]

    def applies_to(self, kind: str) -> bool:
        return not self.kinds or kind in self.kinds
