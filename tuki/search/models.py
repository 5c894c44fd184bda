"""Search: the index rows and the log of what people searched for.

`SearchEntry` is one searchable document in one language (a ticket, an article's
translation). The full-text machinery lives beside the table, created by migration 0002
for the database in use (tuki/search/backends/postgres.py and sqlite.py explain them):

- PostgreSQL: generated `tsvector` columns `document` (title + body) and `public_document`
  (title + public body), each built with the row's language configuration (english,
  romanian, finnish, else simple), GIN-indexed, and a pg_trgm GIN index on the title;
- SQLite: the FTS5 table `search_fts` (rowid = SearchEntry.id) holding the Snowball stems.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One document in one language, as the engine indexes it. Written only by engine.py."""

    kind = models.CharField(_("kind"), max_length=20)
    object_id = models.BigIntegerField(_("object id"))
    language = models.CharField(_("language"), max_length=8, blank=True)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"), blank=True)
    # Tickets: the text a requester may read (no internal notes). Null: same as body.
    public_body = models.TextField(_("public text"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id", "language"], name="unique_search_entry"
            )
        ]
        indexes = [models.Index(fields=["kind", "object_id"], name="search_entry_object")]
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id} ({self.language})"


class SearchQuery(models.Model):
    """What someone searched for and how many results they got (top unanswered searches)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    query = models.CharField(_("query"), max_length=200)
    normalized = models.CharField(max_length=200, db_index=True)
    results = models.PositiveIntegerField(_("results"), default=0)
    created_at = models.DateTimeField(_("searched"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("search query")
        verbose_name_plural = _("search queries")

    def __str__(self) -> str:
        return self.query
