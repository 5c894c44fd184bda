"""The configuration database (docs/cmdb.md).

One graph holds every layer: business services that clients consume (linked to the SLA
app's `Service`, which agreements name), the application and technical services that
deliver them, and the configuration items (servers, databases, clusters, sites...) under
those. A CI's class says its layer and its own attributes; classes and attributes are rows,
so a desk adds a class without code. Relations are typed and directed, and never deleted:
a removed relation keeps its row with `removed_at`, so the graph's history stays readable.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Layer(models.TextChoices):
    BUSINESS = "business", _("Business service")
    APPLICATION = "application", _("Application service")
    TECHNICAL = "technical", _("Technical service")
    COMPONENT = "component", _("Configuration item")


SERVICE_LAYERS = (Layer.BUSINESS, Layer.APPLICATION, Layer.TECHNICAL)


class CIClass(models.Model):
    """A kind of configuration item (server, database, cluster...) with its own attributes."""

    key = models.SlugField(_("key"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=100)
    layer = models.CharField(_("layer"), max_length=20, choices=Layer, default=Layer.COMPONENT)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent class"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("Its attributes are this class's too (a virtual machine is a server)."),
    )
    is_cluster = models.BooleanField(
        _("redundant group"),
        default=False,
        help_text=_(
            "Its members run the same work: it keeps running while enough of them do "
            "(the quorum of each item)."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("CI class")
        verbose_name_plural = _("CI classes")

    def __str__(self) -> str:
        return self.name

    def lineage(self) -> list[CIClass]:
        """This class and its ancestors, the root last (a cycle is cut where it repeats)."""
        chain: list[CIClass] = []
        current: CIClass | None = self
        while current is not None and current not in chain:
            chain.append(current)
            current = current.parent
        return chain


class AttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Number")
    BOOLEAN = "boolean", _("Yes or no")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")


class CIAttribute(models.Model):
    """An attribute the items of a class (and of its subclasses) carry."""

    ci_class = models.ForeignKey(
        CIClass, verbose_name=_("class"), on_delete=models.CASCADE, related_name="attributes"
    )
    key = models.SlugField(_("key"), max_length=60)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=AttributeType, default="text")
    required = models.BooleanField(_("required"), default=False)
    choices = models.TextField(
        _("choices"), blank=True, help_text=_("For a choice: one value per line.")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ci_class", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["ci_class", "key"], name="cmdb_attribute_key_unique")
        ]
        verbose_name = _("CI attribute")
        verbose_name_plural = _("CI attributes")

    def __str__(self) -> str:
        return f"{self.ci_class}: {self.label}"

    def choice_list(self) -> list[str]:
        return [line.strip() for line in self.choices.splitlines() if line.strip()]


class Lifecycle(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ORDERED = "ordered", _("Ordered")
    IN_STOCK = "in_stock", _("In stock")
    OPERATIONAL = "operational", _("Operational")
    RETIRED = "retired", _("Retired")


class ConfigurationItem(models.Model):
    """A configuration item, or a service: one node of the graph."""

    name = models.CharField(_("name"), max_length=200, db_index=True)
    ci_class = models.ForeignKey(
        CIClass, verbose_name=_("class"), on_delete=models.PROTECT, related_name="items"
    )
    lifecycle = models.CharField(
        _("lifecycle state"), max_length=20, choices=Lifecycle, default=Lifecycle.OPERATIONAL
    )
    description = models.TextField(_("description"), blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="configuration_items",
        help_text=_("The client or department it belongs to or serves alone."),
    )
    location = models.ForeignKey(
        "accounts.Location",
        verbose_name=_("location"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="configuration_items",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_items",
    )
    support_group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("support group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supported_items",
    )
    service = models.OneToOneField(
        "sla.Service",
        verbose_name=_("catalogue service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="configuration_item",
        help_text=_("For a business service: the service agreements name."),
    )
    serial_number = models.CharField(_("serial number"), max_length=100, blank=True)
    hostname = models.CharField(_("host name"), max_length=255, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=100, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    # Which data source last set each attribute (or field): reconciliation (docs/cmdb.md).
    sources = models.JSONField(default=dict, blank=True, editable=False)
    quorum = models.PositiveIntegerField(
        _("quorum"),
        null=True,
        blank=True,
        help_text=_("For a redundant group: how many members must run for it to run. Empty: one."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        # Identification: a discovery re-run finds the same item by any of these.
        constraints = [
            models.UniqueConstraint(
                fields=["serial_number"],
                condition=Q(serial_number__gt="") & ~Q(lifecycle="retired"),
                name="cmdb_ci_serial_unique",
            ),
            models.UniqueConstraint(
                fields=["hostname"],
                condition=Q(hostname__gt="") & ~Q(lifecycle="retired"),
                name="cmdb_ci_hostname_unique",
            ),
            models.UniqueConstraint(
                fields=["asset_tag"],
                condition=Q(asset_tag__gt="") & ~Q(lifecycle="retired"),
                name="cmdb_ci_asset_tag_unique",
            ),
        ]
        indexes = [models.Index(fields=["ci_class", "name"], name="cmdb_ci_class_name")]

    def __str__(self) -> str:
        return self.name


class RelationType(models.TextChoices):
    """How the source stands to the target. Impact flows from what is needed to what needs it."""

    RUNS_ON = "runs_on", _("runs on")
    DEPENDS_ON = "depends_on", _("depends on")
    CONNECTED_TO = "connected_to", _("connected to")
    MEMBER_OF = "member_of", _("member of")


# How a relation reads from its target's side.
INVERSE_LABELS = {
    RelationType.RUNS_ON: _("hosts"),
    RelationType.DEPENDS_ON: _("is needed by"),
    RelationType.CONNECTED_TO: _("connected to"),
    RelationType.MEMBER_OF: _("has member"),
}


class Relation(models.Model):
    """`source` runs on / depends on / is connected to / is a member of `target`.

    Removing a relation sets `removed_at`; the row stays for the history.
    """

    source = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("from"),
        on_delete=models.CASCADE,
        related_name="relations_out",
    )
    target = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("to"),
        on_delete=models.CASCADE,
        related_name="relations_in",
    )
    type = models.CharField(_("type"), max_length=20, choices=RelationType)
    created_at = models.DateTimeField(_("added"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data_source = models.CharField(_("data source"), max_length=60, blank=True)
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "type"],
                condition=Q(removed_at__isnull=True),
                name="cmdb_relation_current_unique",
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target")), name="cmdb_relation_not_to_itself"
            ),
        ]
        indexes = [
            # Impact walks from a CI to what needs it: the current relations into it...
            models.Index(
                fields=["target", "type", "source"],
                condition=Q(removed_at__isnull=True),
                name="cmdb_relation_in",
            ),
            # ... and, for a cluster's members and a service's dependencies, out of it.
            models.Index(
                fields=["source", "type", "target"],
                condition=Q(removed_at__isnull=True),
                name="cmdb_relation_out",
            ),
        ]
        verbose_name = _("relation")
        verbose_name_plural = _("relations")

    def __str__(self) -> str:
        return f"{self.source} {self.get_type_display()} {self.target}"


class HistoryAction(models.TextChoices):
    CREATED = "created", _("created")
    CHANGED = "changed", _("changed")
    RELATION_ADDED = "relation_added", _("added a relation")
    RELATION_REMOVED = "relation_removed", _("removed a relation")
    MAINTENANCE = "maintenance", _("planned maintenance")


class CIHistory(models.Model):
    """One change of a configuration item: who (or which data source), what, old → new, when."""

    ci = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    data_source = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=30, choices=HistoryAction)
    field = models.CharField(max_length=100, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    related = models.ForeignKey(
        ConfigurationItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["ci", "-at"], name="cmdb_history_ci_at")]
        verbose_name = _("CI history entry")
        verbose_name_plural = _("CI history")

    def __str__(self) -> str:
        return f"{self.ci}: {self.action} {self.field}"


class MaintenanceWindow(models.Model):
    """Planned work on an item: alerts are recorded but open nothing, and impact skips it."""

    ci = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("configuration item"),
        on_delete=models.CASCADE,
        related_name="maintenance_windows",
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("change"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="maintenance_windows",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="cmdb_maintenance_range"
            )
        ]
        indexes = [models.Index(fields=["ci", "ends_at"], name="cmdb_maintenance_ci_end")]
        verbose_name = _("maintenance window")
        verbose_name_plural = _("maintenance windows")

    def __str__(self) -> str:
        return f"{self.ci}: {self.starts_at:%Y-%m-%d %H:%M} - {self.ends_at:%Y-%m-%d %H:%M}"


class AffectedItem(models.Model):
    """A ticket names a service or configuration item it is about."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="affected_items"
    )
    ci = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="affected_by")
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "ci"], name="cmdb_affected_unique")
        ]
        verbose_name = _("affected item")
        verbose_name_plural = _("affected items")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.ci}"


MANUAL_SOURCE = "manual"  # a person's edit, on a page or through the API


class DataSource(models.Model):
    """A discovery tool or import that feeds the configuration database (docs/cmdb.md,
    "Reconciliation"): which of them may overwrite what another one set.

    A source's change to a field or attribute applies only when its rank for it is at most
    the rank of the source that last set it (lower wins); otherwise it is skipped and
    reported. A person's edit is the source `manual`.
    """

    key = models.SlugField(
        _("key"),
        max_length=60,
        unique=True,
        help_text=_("What feeds name it: sccm, vcenter, csv. A person's edit is manual."),
    )
    name = models.CharField(_("name"), max_length=100)
    rank = models.PositiveIntegerField(
        _("rank"), default=100, help_text=_("Precedence of its changes: the lower wins.")
    )
    ranks = models.JSONField(
        _("ranks by attribute"),
        default=dict,
        blank=True,
        help_text=_(
            "Its own rank for some fields or attributes, e.g. "
            '{"serial_number": 10, "cpu_cores": 20}; the others take its rank.'
        ),
    )
    match_by_name = models.BooleanField(
        _("identify by name"),
        default=False,
        help_text=_(
            "When no serial number, host name or asset tag finds an item, "
            "find it by its name and class."
        ),
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["rank", "key"]
        verbose_name = _("data source")
        verbose_name_plural = _("data sources")

    def __str__(self) -> str:
        return self.name

    def rank_for(self, key: str) -> int:
        """The rank of its change to a field or attribute (`attributes.<key>` or bare)."""
        bare = key.removeprefix("attributes.")
        value = self.ranks.get(key, self.ranks.get(bare)) if isinstance(self.ranks, dict) else None
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
        return self.rank
