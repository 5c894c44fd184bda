"""Data administration views of the knowledge base: for looking, not for writing.

Every write goes through tuki/knowledge/services.py (versions, signals, the search index);
the admin would bypass them, so it is read-only. The knowledge pages write.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tuki.knowledge.models import (
    Article,
    ArticleCategory,
    ArticleFeedback,
    ArticleTranslation,
    ArticleVersion,
    Deflection,
    TicketArticle,
)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class TranslationInline(admin.TabularInline):
    model = ArticleTranslation
    fields = ("language", "title", "version", "updated_by", "updated_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Article)
class ArticleAdmin(ReadOnly):
    list_display = ("number", "category", "state", "audience", "is_faq", "owner", "view_count",
                    "helpful_count", "not_helpful_count", "review_by", "updated_at")  # fmt: skip
    list_filter = ("state", "audience", "is_faq", "category")
    search_fields = ("translations__title",)
    list_select_related = ("category", "owner")
    inlines = [TranslationInline]


@admin.register(ArticleCategory)
class ArticleCategoryAdmin(ReadOnly):
    list_display = ("path", "slug", "position")


@admin.register(ArticleVersion)
class ArticleVersionAdmin(ReadOnly):
    list_display = ("translation", "number", "title", "edited_by", "edited_at", "note")
    list_select_related = ("translation", "edited_by")


@admin.register(ArticleFeedback)
class ArticleFeedbackAdmin(ReadOnly):
    list_display = ("article", "helpful", "user", "comment", "created_at")
    list_filter = ("helpful",)


@admin.register(TicketArticle)
class TicketArticleAdmin(ReadOnly):
    list_display = ("ticket", "article", "linked_by", "created_at")


@admin.register(Deflection)
class DeflectionAdmin(ReadOnly):
    list_display = ("created_at", "outcome", "channel", "query", "article", "ticket", "user")
    list_filter = ("outcome", "channel")
