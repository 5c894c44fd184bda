"""Django admin: rules, their runs and scheduled plans, read-only.

Rules are built and changed in Tuki's own pages (and the API), which validate them through
services.py; the admin only shows what is stored, for support and debugging.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tuki.automation.models import Rule, RuleRun, ScheduledRun


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RuleRunInline(admin.TabularInline):
    model = RuleRun
    fields = readonly_fields = ("at", "ticket", "trigger", "ok", "error", "changes", "depth")
    ordering = ["-at"]
    extra = 0
    max_num = 0
    show_change_link = True

    def get_queryset(self, request: HttpRequest) -> Any:
        return super().get_queryset(request).select_related("ticket")


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ["name", "position", "trigger", "is_active", "stop_processing", "updated_at"]
    list_filter = ["is_active", "trigger"]
    search_fields = ["name", "description"]
    ordering = ["position", "id"]
    inlines = [RuleRunInline]


@admin.register(RuleRun)
class RuleRunAdmin(ReadOnlyAdmin):
    list_display = ["at", "rule", "ticket", "trigger", "ok", "depth"]
    list_filter = ["ok", "rule"]
    raw_id_fields = ["ticket", "event"]
    list_select_related = ["rule", "ticket"]


@admin.register(ScheduledRun)
class ScheduledRunAdmin(ReadOnlyAdmin):
    list_display = ["rule", "ticket", "anchor", "due_at", "state", "fired_at"]
    list_filter = ["state", "rule"]
    raw_id_fields = ["ticket"]
    list_select_related = ["rule", "ticket"]
