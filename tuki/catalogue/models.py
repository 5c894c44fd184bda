"""The service catalogue: what people may order, the form each item asks, and its fulfilment.

An order is a ticket (kind request or incident) filed under the item's category and sent to
its fulfilment group; the answers live in `Ticket.custom` (tickets.CustomField), the item's
checklist becomes the ticket's fulfilment tasks (docs/catalogue.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy as _


def translated(value: str, translations: dict[str, str] | None, language: str | None = None) -> str:
    """`value` in the language asked (the active one by default), English when untranslated."""
    language = (language or get_language() or "en")[:2]
    return (translations or {}).get(language) or value


class ItemKind(models.TextChoices):
    REQUEST = "request", _("Service request")
    INCIDENT = "incident", _("Incident")


class CatalogueCategory(models.Model):
    """A shelf of the catalogue: a heading over its items on the portal's home."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    # {"ro": "...", "fi": "..."}
    translations = models.JSONField(_("name translations"), default=dict, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    icon = models.CharField(
        _("icon"),
        max_length=50,
        blank=True,
        help_text=_("A Bootstrap Icons name, such as laptop or key."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("catalogue category")
        verbose_name_plural = _("catalogue categories")

    def __str__(self) -> str:
        return self.name

    @property
    def display_name(self) -> str:
        return translated(self.name, self.translations)


class CatalogueItem(models.Model):
    """Something people may order from the portal (or an agent for them), with its form.

    `organisations` and `groups` limit who may order it: nobody is limited when both are
    empty; otherwise members of the organisations and of the support groups may.
    `translations` holds {"ro": {"name": ..., "short_description": ..., "description": ...}}.
    """

    name = models.CharField(_("name"), max_length=120)
    short_description = models.CharField(_("short description"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    translations = models.JSONField(_("translations"), default=dict, blank=True)
    category = models.ForeignKey(
        CatalogueCategory,
        verbose_name=_("catalogue category"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    kind = models.CharField(
        _("ticket kind"), max_length=10, choices=ItemKind.choices, default=ItemKind.REQUEST
    )
    ticket_category = models.ForeignKey(
        "tickets.Category",
        verbose_name=_("ticket category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The category the ticket is filed under."),
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation", verbose_name=_("organisations"), blank=True, related_name="+"
    )
    groups = models.ManyToManyField(
        "accounts.SupportGroup",
        verbose_name=_("support groups"),
        blank=True,
        related_name="+",
    )
    approval_template = models.ForeignKey(
        "approvals.ApprovalTemplate",
        verbose_name=_("approval"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Orders wait for this approval before the work starts."),
    )
    fulfilment_group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("fulfilment group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The group the ticket goes to. Empty: the service desk."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["position", "name", "id"]
        verbose_name = _("catalogue item")
        verbose_name_plural = _("catalogue items")
        constraints = [
            models.UniqueConstraint(fields=["category", "name"], name="catalogue_item_unique_name")
        ]

    def __str__(self) -> str:
        return self.name

    def _tr(self, attribute: str) -> str:
        language = (get_language() or "en")[:2]
        local = (self.translations or {}).get(language) or {}
        return str(local.get(attribute) or getattr(self, attribute))

    @property
    def display_name(self) -> str:
        return self._tr("name")

    @property
    def display_short(self) -> str:
        return self._tr("short_description")

    @property
    def display_description(self) -> str:
        return self._tr("description")


class ItemField(models.Model):
    """One question of an item's form: a custom field, in a section, maybe conditional.

    `condition` is {"effect": "show"|"hide"|"require", "all"|"any": [tests]} in the
    language of tuki/catalogue/conditions.py; empty: always shown.
    """

    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="fields"
    )
    field = models.ForeignKey(
        "tickets.CustomField",
        verbose_name=_("custom field"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    section = models.CharField(_("section title"), max_length=120, blank=True)
    section_translations = models.JSONField(
        _("section title translations"), default=dict, blank=True
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    required = models.BooleanField(_("required"), default=False)
    condition = models.JSONField(_("condition"), default=dict, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("item field")
        verbose_name_plural = _("item fields")
        constraints = [
            models.UniqueConstraint(fields=["item", "field"], name="catalogue_field_once_per_item")
        ]

    def __str__(self) -> str:
        return f"{self.item}: {self.field_id}"

    @property
    def display_section(self) -> str:
        return translated(self.section, self.section_translations)


class FulfilmentTaskTemplate(models.Model):
    """One line of an item's checklist, copied to every order as a fulfilment task."""

    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("item"), on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(_("title"), max_length=200)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("fulfilment task template")
        verbose_name_plural = _("fulfilment task templates")

    def __str__(self) -> str:
        return self.title


class CatalogueOrder(models.Model):
    """The item a ticket was ordered from."""

    ticket = models.OneToOneField(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="catalogue_order",
    )
    item = models.ForeignKey(
        CatalogueItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="orders"
    )
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ordered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("catalogue order")
        verbose_name_plural = _("catalogue orders")

    def __str__(self) -> str:
        return f"{self.item}: {self.ticket_id}"


class FulfilmentTask(models.Model):
    """One step of fulfilling an order, ticked off by an agent."""

    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("ticket"),
        on_delete=models.CASCADE,
        related_name="fulfilment_tasks",
    )
    title = models.CharField(_("title"), max_length=200)
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("fulfilment task")
        verbose_name_plural = _("fulfilment tasks")

    def __str__(self) -> str:
        return self.title
