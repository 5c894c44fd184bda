"""Knowledge base: articles (language-free concepts), their translations and every version.

An `Article` holds what does not depend on the language (category, audience, state, owner,
counters); readers read an `ArticleTranslation`; every edit of a translation is an
`ArticleVersion`. Writes go through tuki/knowledge/services.py, reads through access.py.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuki.knowledge.markdown import render_markdown
from tuki.lib.bounds import parse_id
from tuki.lib.tree import PathTree

if TYPE_CHECKING:
    from tuki.search import engine

ARTICLE_NUMBER = re.compile(r"^\s*KB-?(\d+)\s*$", re.IGNORECASE)


class Language(models.TextChoices):
    EN = "en", _("English")
    RO = "ro", _("Romanian")
    FI = "fi", _("Finnish")


class Audience(models.TextChoices):
    PUBLIC = "public", _("Public (requesters)")
    INTERNAL = "internal", _("Internal (agents only)")
    ORGANISATIONS = "organisations", _("Selected organisations")


class State(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("In review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


# The allowed moves of an article's state (services.set_state checks them).
STATE_MOVES: dict[str, tuple[str, ...]] = {
    State.DRAFT: (State.REVIEW, State.ARCHIVED),
    State.REVIEW: (State.DRAFT, State.PUBLISHED, State.ARCHIVED),
    State.PUBLISHED: (State.DRAFT, State.ARCHIVED),
    State.ARCHIVED: (State.DRAFT,),
}


class ArticleCategory(PathTree, models.Model):
    """A node of the knowledge category tree (Network › VPN)."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    path = models.CharField(_("path"), max_length=500, editable=False, db_index=True)

    # Readable articles here and below, counted for the reader's home (views/reader.py).
    total: int

    class Meta:
        ordering = ["path", "position"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unique_article_category_name")
        ]
        verbose_name = _("article category")
        verbose_name_plural = _("article categories")

    def __str__(self) -> str:
        return self.path


class Article(models.Model):
    """The language-free concept of an article; its text lives in `translations`."""

    category = models.ForeignKey(
        ArticleCategory,
        verbose_name=_("category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="articles",
    )
    audience = models.CharField(
        _("audience"), max_length=15, choices=Audience.choices, default=Audience.PUBLIC
    )
    organisations = models.ManyToManyField(
        "accounts.Organisation",
        verbose_name=_("organisations"),
        blank=True,
        related_name="articles",
        help_text=_("Who may read it when the audience is “Selected organisations”."),
    )
    is_faq = models.BooleanField(_("FAQ"), default=False)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.DRAFT, db_index=True
    )
    review_by = models.DateField(_("review by"), null=True, blank=True, db_index=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_articles",
    )
    tags = models.ManyToManyField(
        "tickets.Tag", verbose_name=_("tags"), blank=True, related_name="articles"
    )
    related = models.ManyToManyField("self", verbose_name=_("related articles"), blank=True)
    source_ticket = models.ForeignKey(
        "tickets.Ticket",
        verbose_name=_("written from ticket"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    view_count = models.PositiveIntegerField(_("views"), default=0)
    helpful_count = models.PositiveIntegerField(_("helpful"), default=0)
    not_helpful_count = models.PositiveIntegerField(_("not helpful"), default=0)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)

    # Set on the articles of a list (views/common.py: titled): the translation to show, its
    # title (or the number), and the languages the article is written in.
    display: ArticleTranslation | None
    display_title: str
    languages: list[str]
    # Set on search results (knowledge/search.py): what matched, in which language.
    hit: engine.Hit

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["state", "audience"], name="kb_article_state_audience")]
        verbose_name = _("article")
        verbose_name_plural = _("articles")

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        return f"KB-{self.pk}"

    @staticmethod
    def parse_number(value: str) -> int | None:
        """`KB-12`, `kb12` or `12` → 12; anything else → None."""
        value = str(value).strip()
        if value.isdigit():
            return parse_id(value)
        match = ARTICLE_NUMBER.match(value)
        return parse_id(match.group(1)) if match else None

    @property
    def helpful_ratio(self) -> float | None:
        total = self.helpful_count + self.not_helpful_count
        return self.helpful_count / total if total else None

    def is_due_for_review(self, today: date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.review_by and self.review_by <= today)


class ArticleTranslation(models.Model):
    """What readers read: one language of an article, Markdown plus its sanitised HTML."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True, help_text=_("Markdown."))
    body_html = models.TextField(editable=False, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["article_id", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "language"], name="unique_article_translation"
            )
        ]
        verbose_name = _("translation")
        verbose_name_plural = _("translations")

    def __str__(self) -> str:
        return f"{self.title} ({self.language})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The HTML is derived from the Markdown whenever the row is written, so a stored
        # body_html is always the sanitised rendering of the stored body.
        self.body_html = render_markdown(self.body)
        super().save(*args, **kwargs)


class ArticleVersion(models.Model):
    """One edit of a translation, kept forever: history, diff and restore read these."""

    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("edited"), default=timezone.now)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["translation_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["translation", "number"], name="unique_article_version")
        ]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"{self.translation_id} v{self.number}"


def article_attachment_path(instance: ArticleAttachment, filename: str) -> str:
    # Files live under a random name (their hash), never the user's.
    return f"kb/{timezone.now():%Y/%m}/{instance.sha256[:2]}/{instance.sha256}"


class ArticleAttachment(models.Model):
    """A file on an article (a screenshot, a form); its type is sniffed from its bytes."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=article_attachment_path, max_length=300)
    name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("article attachment")
        verbose_name_plural = _("article attachments")

    def __str__(self) -> str:
        return self.name


class ArticleFeedback(models.Model):
    """A helpful / not helpful vote, one per signed-in reader and article (the last counts)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    translation = models.ForeignKey(
        ArticleTranslation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    helpful = models.BooleanField(_("helpful"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "user"],
                condition=Q(user__isnull=False),
                name="unique_article_feedback_per_user",
            )
        ]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.article_id}: {'+' if self.helpful else '-'}"


class TicketArticle(models.Model):
    """This article helped resolve this ticket (recorded when an agent sends it in a reply)."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="kb_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "article"], name="unique_ticket_article")
        ]
        verbose_name = _("article used on a ticket")
        verbose_name_plural = _("articles used on tickets")

    def __str__(self) -> str:
        return f"{self.ticket_id} ← KB-{self.article_id}"


class DeflectionOutcome(models.TextChoices):
    SOLVED = "solved", _("Solved by an article")
    SUBMITTED = "submitted", _("Submitted anyway")


class DeflectionChannel(models.TextChoices):
    PORTAL = "portal", _("Portal")
    CALL = "call", _("Phone call")


class Deflection(models.Model):
    """A self-service attempt: suggestions were shown, and the request ended or went on."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    session_key = models.CharField(max_length=64, blank=True)
    query = models.CharField(_("query"), max_length=500, blank=True)
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="deflections"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=DeflectionOutcome.choices)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=DeflectionChannel.choices,
        default=DeflectionChannel.PORTAL,
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")

    def __str__(self) -> str:
        return f"{self.outcome}: {self.query[:40]}"
