"""Macros in the data administration (read and fix; Tuki's own pages are for everyday work)."""

from django.contrib import admin

from tuki.macros.models import Macro


@admin.register(Macro)
class MacroAdmin(admin.ModelAdmin):
    list_display = ("name", "scope", "owner", "group", "internal", "is_active", "updated_at")
    list_filter = ("scope", "internal", "is_active", "group")
    search_fields = ("name", "body")
    raw_id_fields = ("owner", "created_by")
    readonly_fields = ("created_at", "updated_at", "created_by")
