"""The record of each erasure: who was erased (the anonymised row keeps its id), by whom, when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Erasure(models.Model):
    """One person's personal data erased (privacy/services.py, erase_person). Never undone."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.PROTECT,
        related_name="erasure",
    )
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("erased by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    counts = models.JSONField(_("what was erased"), default=dict)

    class Meta:
        ordering = ["-erased_at", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return f"#{self.person_id} ({self.erased_at:%Y-%m-%d})"
