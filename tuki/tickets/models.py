"""The single work-item table and everything hanging off it (docs/development/architecture.md,
Domain model)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext, gettext_lazy as _

from tuki.lib.tree import PathTree
from tuki.tickets.choices import (
    ACTIVE_CATEGORIES as ACTIVE_CATEGORIES,
    FIELD_LABELS as FIELD_LABELS,
    KIND_PREFIX as KIND_PREFIX,
    LINK_INVERSE_LABEL as LINK_INVERSE_LABEL,
    NUMBER_RE as NUMBER_RE,
    PREFIX_KIND as PREFIX_KIND,
    ActorKind as ActorKind,
    Channel as Channel,
    EventAction as EventAction,
    Impact as Impact,
    Kind as Kind,
    LinkType as LinkType,
    Priority as Priority,
    ResolutionCode as ResolutionCode,
    StatusCategory as StatusCategory,
    Urgency as Urgency,
    action_label as action_label,
)

if TYPE_CHECKING:
    from tuki.accounts.models import User


# Languages a status or category name may be translated into (English is `name` itself).
NAME_LANGUAGES = ("ro", "fi")


def _translated(names: dict[str, str] | None, fallback: str, language: str | None) -> str:
    """The name in `language` (default: the active one) from a {"ro": …, "fi": …} map."""
    code = (language or get_language() or "en").split("-")[0]
    return (names or {}).get(code) or fallback


class Status(models.Model):
    """A ticket status. Behaviour (SLA pauses, metrics) reads the category, never the name."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(_("category"), max_length=10, choices=StatusCategory.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    names = models.JSONField(
        _("translated names"),
        default=dict,
        blank=True,
        help_text=_('The name in other languages, by language code: {"ro": …, "fi": …}.'),
    )
    is_retired = models.BooleanField(
        _("retired"),
        default=False,
        help_text=_("A retired status keeps its tickets but no transition may lead into it."),
    )

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("status")
        verbose_name_plural = _("statuses")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.display_name()

    def display_name(self, language: str | None = None) -> str:
        """The name in the active language: its translation if one is set, else the seeded
        name's catalog translation, else the name as typed."""
        code = (language or get_language() or "en").split("-")[0]
        if code in (self.names or {}) and self.names[code]:
            return str(self.names[code])
        return gettext(self.name)

    @property
    def is_active(self) -> bool:
        return self.category in ACTIVE_CATEGORIES


class StatusTransition(models.Model):
    """One allowed move in a kind's workflow."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    from_status = models.ForeignKey(
        Status, on_delete=models.CASCADE, related_name="transitions_out", verbose_name=_("from")
    )
    to_status = models.ForeignKey(
        Status, on_delete=models.CASCADE, related_name="transitions_in", verbose_name=_("to")
    )
    roles = models.JSONField(
        _("who may make it"),
        default=list,
        blank=True,
        help_text=_("Empty: any agent. Else any of: agent, group, manager, requester, automation."),
    )
    required_fields = models.JSONField(
        _("required fields"),
        default=list,
        blank=True,
        help_text=_(
            "Fields that must be filled before the move: resolution, resolution_code, "
            "category, assignee or custom.<key>."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "from_status", "to_status"], name="unique_transition"
            )
        ]
        verbose_name = _("status transition")
        verbose_name_plural = _("status transitions")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.from_status} → {self.to_status}"


class PriorityRule(models.Model):
    """One cell of the impact × urgency priority matrix."""

    impact = models.PositiveSmallIntegerField(_("impact"), choices=Impact.choices)
    urgency = models.PositiveSmallIntegerField(_("urgency"), choices=Urgency.choices)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices)

    class Meta:
        ordering = ["impact", "urgency"]
        constraints = [
            models.UniqueConstraint(fields=["impact", "urgency"], name="unique_priority_cell")
        ]
        verbose_name = _("priority matrix cell")
        verbose_name_plural = _("priority matrix")

    def __str__(self) -> str:
        return f"{self.impact} × {self.urgency} → {self.priority}"


class Category(PathTree, models.Model):
    """A node of the category tree (Network › VPN › Cannot connect)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=500, editable=False, db_index=True)
    default_group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("default group"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text=_("Second-line group that usually handles this category."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    names = models.JSONField(
        _("translated names"),
        default=dict,
        blank=True,
        help_text=_('The name in other languages, by language code: {"ro": …, "fi": …}.'),
    )
    paths = models.JSONField(_("translated paths"), default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_category_name")
        ]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_path()

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The translated paths are stored like `path`, so showing one needs no parent rows.
        parent = self.parent
        self.paths = {
            code: (f"{parent.display_path(code)} › " if parent else "")
            + _translated(self.names, self.name, code)
            for code in NAME_LANGUAGES
        }
        super().save(*args, **kwargs)

    def display_name(self, language: str | None = None) -> str:
        return _translated(self.names, self.name, language)

    def display_path(self, language: str | None = None) -> str:
        return _translated(self.paths, self.path, language)


class FieldType(models.TextChoices):
    """What a custom field holds; the JSON form of its value in Ticket.custom is noted."""

    TEXT = "text", _("Text")  # str
    LONG_TEXT = "long_text", _("Long text")  # str
    NUMBER = "number", _("Number")  # int or float
    DATE = "date", _("Date")  # "YYYY-MM-DD"
    CHOICE = "choice", _("Choice")  # one of choices' values
    MULTI_CHOICE = "multi_choice", _("Multiple choice")  # list of choices' values
    USER = "user", _("Person")  # accounts.User pk
    ORGANISATION = "organisation", _("Organisation")  # accounts.Organisation pk
    CI = "ci", _("Configuration item")  # cmdb.ConfigurationItem pk
    CHECKBOX = "checkbox", _("Checkbox")  # bool


class CustomField(models.Model):
    """A field an organisation adds to its tickets (docs/customisation.md).

    Values live in `Ticket.custom` under `key` (one JSON column: no per-field rows, no extra
    queries per field on a list page). A field applies to the kinds in `kinds` (all when
    empty) and the categories in `categories` and their subcategories (all when empty);
    a catalogue item's form may also name it. `required_statuses` lists the status keys a
    ticket may not enter without a value ("new": required when the ticket is registered).
    """

    key = models.SlugField(
        _("key"),
        max_length=50,
        unique=True,
        help_text=_("Used in the API, automation conditions and placeholders: custom.<key>."),
    )
    label = models.CharField(_("label"), max_length=200)
    # Translations of label, help text and choice labels: {"ro": "...", "fi": "..."}.
    labels = models.JSONField(_("label translations"), default=dict, blank=True)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    help_texts = models.JSONField(_("help text translations"), default=dict, blank=True)
    type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    # [{"value": "ssd", "label": "SSD", "labels": {"fi": "..."}}], for choice and multi-choice.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    kinds = models.JSONField(_("kinds"), default=list, blank=True)
    categories = models.ManyToManyField(
        Category, verbose_name=_("categories"), blank=True, related_name="custom_fields"
    )
    required_statuses = models.JSONField(_("required in statuses"), default=list, blank=True)
    # Bounds and patterns: {"min": 0, "max": 10, "max_length": 80, "pattern": "^[A-Z]"}.
    validation = models.JSONField(_("validation"), default=dict, blank=True)
    visible_to_requester = models.BooleanField(_("requesters see it"), default=False)
    editable_by_requester = models.BooleanField(_("requesters fill it in"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["position", "key"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")

    def __str__(self) -> str:
        return self.label


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


def status_ids(categories: Iterable[str]) -> list[int]:
    """The ids of the statuses in these categories (one query on a table of a few rows).

    Lists filter tickets by these ids, never by joining statuses on their category: the
    planner knows how the ids are spread over a million tickets (nearly all closed) but
    not the categories, and would scan every ticket of a group to find its few open ones.
    """
    return list(Status.objects.filter(category__in=list(categories)).values_list("id", flat=True))


def status_ids_by_category() -> dict[str, list[int]]:
    """status_ids for every category at once (one query), for a page that needs several."""
    ids: dict[str, list[int]] = {category: [] for category in StatusCategory.values}
    for pk, category in Status.objects.values_list("id", "category"):
        ids.setdefault(category, []).append(pk)
    return ids


# The related rows a ticket list joins in its own query (TicketQuerySet.for_lists).
LIST_JOINS = ("status", "requester", "group", "assignee")


def attach_related(tickets: list[Ticket], *fields: str) -> None:
    """Set these foreign keys' objects on tickets already read: one query per related model
    (owner and escalated_to share one query on users), none for what is already there.

    For lists: a page of 50 tickets takes a few short queries on primary keys this way,
    where joining every table in the page's query makes PostgreSQL plan for tens of
    milliseconds (TicketQuerySet.for_lists).
    """
    wanted: dict[type[models.Model], set[object]] = {}
    for name in fields:
        field = _foreign_key(name)
        ids = {getattr(t, field.attname) for t in tickets if not field.is_cached(t)}
        wanted.setdefault(field.related_model, set()).update(ids - {None})
    loaded = {
        model: model._default_manager.in_bulk(ids) if ids else {} for model, ids in wanted.items()
    }
    for name in fields:
        field = _foreign_key(name)
        rows = loaded[field.related_model]
        for t in tickets:
            if not field.is_cached(t):
                value = getattr(t, field.attname)
                field.set_cached_value(t, None if value is None else rows.get(value))


def _foreign_key(name: str) -> models.ForeignKey[Any, Any]:
    field = Ticket._meta.get_field(name)
    if not isinstance(field, models.ForeignKey):
        raise TypeError(f"Ticket.{name} is not a foreign key")
    return field


class TicketQuerySet(models.QuerySet["Ticket"]):
    def visible_to(self, user: User) -> TicketQuerySet:
        """Every list and detail in Tuki filters through here (tickets/access.py documents it)."""
        return self.filter(visibility_q(user))

    def active(self) -> TicketQuerySet:
        return self.filter(status_id__in=status_ids(ACTIVE_CATEGORIES))

    def in_categories(self, categories: Iterable[str]) -> TicketQuerySet:
        return self.filter(status_id__in=status_ids(categories))

    def for_lists(self) -> TicketQuerySet:
        """A list's tickets with the related rows each row shows most, joined.

        Few joins on purpose: planning the query is what costs. At a million tickets
        PostgreSQL took 35-60 ms to plan the queue's query with with_related()'s eight
        joins (the join order search), 2 ms with these four; executing either takes a few.
        The rest a list shows comes from `attach_related` once the page is read.
        """
        return self.select_related(*LIST_JOINS)

    def with_related(self) -> TicketQuerySet:
        return self.select_related(
            "status",
            "category",
            "requester",
            "organisation",
            "owner_group",
            "owner",
            "group",
            "assignee",
        )


class Ticket(models.Model):
    """Incidents, service requests, problems, changes and releases: one table (as ServiceNow's task)."""

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.INCIDENT)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.ForeignKey(
        Status, verbose_name=_("status"), on_delete=models.PROTECT, related_name="+"
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), choices=Impact.choices, default=Impact.LOW
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency"), choices=Urgency.choices, default=Urgency.MEDIUM
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=Priority.choices, default=Priority.LOW
    )
    category = models.ForeignKey(
        Category,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requester"),
        on_delete=models.PROTECT,
        related_name="requested_tickets",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    location = models.ForeignKey(
        "accounts.Location",
        verbose_name=_("location"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tickets",
    )
    owner_group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("owner group"),
        on_delete=models.PROTECT,
        related_name="owned_tickets",
        help_text=_("The service desk that answers to the requester until resolution."),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_tickets",
    )
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("assigned group"),
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    escalated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("escalated to manager"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="tickets")
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("watchers"), blank=True, related_name="watching"
    )
    restricted = models.BooleanField(
        _("restricted"),
        default=False,
        help_text=_("Only members of the owner and assigned groups see it (security incidents)."),
    )
    resolution_code = models.CharField(
        _("resolution code"), max_length=20, choices=ResolutionCode.choices, blank=True
    )
    resolution = models.TextField(_("resolution"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_tickets",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("registered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reopen_count = models.PositiveIntegerField(_("reopened"), default=0)
    reassignment_count = models.PositiveIntegerField(_("reassignments"), default=0)
    # Custom field values by CustomField.key (see CustomField); on PostgreSQL a GIN index
    # serves queue filters on them (migration 0009).
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)
    # Moves on with every change of the ticket's fields, status or assignment (not with a
    # comment): the API's ETag and the pages' "changed since you opened it" (services/common.py).
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = TicketQuerySet.as_manager()

    # The page address of a row of a ticket list, set by tickets/views/lists.prepare_rows.
    url: str

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["group", "status"], name="ticket_group_status"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["requester", "-id"], name="ticket_requester"),
            models.Index(fields=["owner_group", "status"], name="ticket_owner_group_status"),
            models.Index(fields=["organisation", "-id"], name="ticket_organisation"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated"),
            # The open tickets of a category or an organisation (Assist's duplicates at
            # intake, assist/duplicates.py): open statuses are few, so these seek by both.
            models.Index(fields=["status", "category", "-id"], name="ticket_status_category"),
            models.Index(
                fields=["status", "organisation", "-id"], name="ticket_status_organisation"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def prefix(self) -> str:
        return KIND_PREFIX[Kind(self.kind)]

    @property
    def number(self) -> str:
        return f"{self.prefix}-{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status.category in ACTIVE_CATEGORIES

    @property
    def is_escalated(self) -> bool:
        return self.group_id != self.owner_group_id

    @staticmethod
    def parse_number(text: str) -> tuple[str, int] | None:
        """`INC-1042` → ("incident", 1042); None if it is not a ticket number."""
        match = NUMBER_RE.match(text or "")
        if not match or match["prefix"].upper() not in PREFIX_KIND:
            return None
        return PREFIX_KIND[match["prefix"].upper()], int(match["id"])

    @staticmethod
    def number_q(kind: str, pk: int) -> Q:
        """The ticket a parsed number names: by its number now, or by a number it had before
        its kind was switched (`TicketAlias`): INC-12 still finds CHG-12."""
        former = TicketAlias.objects.filter(ticket=OuterRef("pk"), prefix=KIND_PREFIX[Kind(kind)])
        return Q(pk=pk) & (Q(kind=kind) | Q(Exists(former)))

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("tickets:detail", args=[self.number])


def visibility_q(user: User) -> Q:
    """Which tickets `user` may see, as a filter (the rules: tickets/access.py).

    `access.who_may_see` evaluates the same rule for many people at once: keep in step."""
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return Q()
    if user.is_agent:
        groups = user.group_ids
        in_groups = Q(owner_group__in=groups) | Q(group__in=groups)
        mine = Q(assignee=user) | Q(owner=user) | Q(requester=user)
        if user.sees_all_tickets:
            return Q(restricted=False) | in_groups | mine
        return in_groups | mine | consulted_q(user, groups)
    watched = Ticket.watchers.through.objects.filter(user=user).values("ticket_id")
    own = Q(requester=user) | Q(pk__in=watched)
    if user.sees_organisation_tickets and user.organisation_id:
        own |= Q(organisation_id=user.organisation_id)
    return (own & Q(restricted=False)) | Q(requester=user)


def consulted_q(user: User, groups: Iterable[int]) -> Q:
    """Tickets on which `user`, or one of their groups, is consulted now (an open
    TicketConsultation): seen while the consultation is open, never a restricted one
    (a restricted ticket is limited to its two groups whatever else: docs/chat.md)."""
    consulted = Q(user=user)
    if groups:
        consulted |= Q(group__in=list(groups))
    open_ones = TicketConsultation.objects.filter(consulted, closed_at=None)
    return Q(pk__in=open_ones.values("ticket_id"), restricted=False)


class Comment(models.Model):
    """A public reply (the requester sees it) or an internal note (agents only)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("text"))
    is_internal = models.BooleanField(_("internal note"), default=False)
    # A message of the ticket's consultation thread (services/thread.py): always internal
    # too, so every rule that keeps internal notes from requesters keeps these from them.
    thread = models.BooleanField(_("consultation thread"), default=False)
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    # The requester's conversation (portal/views.py) sets the comment's public files here.
    public_attachments: list[Attachment]

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="comment_ticket")]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    # Files live on disk (or object storage) under a random name, never the user's.
    return f"attachments/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(models.Model):
    """A file on a ticket, stored outside the database; its type is sniffed from its bytes."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    is_internal = models.BooleanField(_("internal"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename


class TicketAlias(models.Model):
    """A number the ticket had before its kind was switched: INC-12 that became CHG-12 keeps
    INC-12 for old links, bookmarks, searches and mailed `[INC-12]` replies."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="aliases")
    prefix = models.CharField(_("prefix"), max_length=3)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "prefix"], name="unique_ticket_alias")
        ]
        verbose_name = _("former number")
        verbose_name_plural = _("former numbers")

    def __str__(self) -> str:
        return f"{self.prefix}-{self.ticket_id}"


class TicketLink(models.Model):
    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    type = models.CharField(_("link type"), max_length=20, choices=LinkType.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "type"], name="unique_link"),
            models.CheckConstraint(condition=~Q(source=models.F("target")), name="no_self_link"),
        ]
        verbose_name = _("ticket link")
        verbose_name_plural = _("ticket links")

    def __str__(self) -> str:
        return f"{self.source_id} {self.type} {self.target_id}"


class TicketEvent(models.Model):
    """Every change to a ticket: who, what, old → new, when and why. Timeline and audit read it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices, default=ActorKind.USER)
    action = models.CharField(max_length=40, db_index=True, choices=EventAction.choices)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    reason = models.TextField(blank=True)
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by `services.acting_as` while an automation rule acts. A plain id, not a foreign key:
    # tickets knows nothing of the automation app (apps depend downward:
    # docs/development/architecture.md).
    rule_id = models.PositiveIntegerField(
        _("rule"), null=True, blank=True, help_text=_("The automation rule that made this change.")
    )
    depth = models.PositiveSmallIntegerField(
        _("rule depth"),
        default=0,
        help_text=_("How many rules acted in a chain before this change (0 for people)."),
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The ticket's version this change made (Ticket.version); empty before versions existed.
    version = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket")]
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.action} {self.field}"


class TicketConsultation(models.Model):
    """Specialists consulted on a ticket without moving it (swarming, docs/chat.md): a
    support group, a person, or a person of a group. The ticket keeps its group, assignee
    and owner; while the consultation is open the consulted see it (`consulted_q`) and
    write in its thread (`Comment.thread`). Closing it ends that; the thread stays."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="consultations")
    group = models.ForeignKey(
        "accounts.SupportGroup",
        verbose_name=_("group"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="consultations",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("person"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="consultations",
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The "consulted" event: notifications read whom to tell from it (notifications/rules.py).
    event = models.OneToOneField(
        TicketEvent,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consultation",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(group__isnull=False) | Q(user__isnull=False),
                name="consultation_names_someone",
            )
        ]
        indexes = [models.Index(fields=["ticket", "closed_at"], name="consultation_ticket")]
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.who}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def who(self) -> str:
        """Who is consulted: a group, a person, or "Sanna Specialist (Network Helsinki)"."""
        if self.user_id and self.group_id:
            return f"{self.user} ({self.group})"
        return str(self.user if self.user_id else self.group)
