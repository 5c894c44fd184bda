"""Imported records, read-only: `tuki import` writes them with their tickets."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tuki.imports.models import ImportedRecord


@admin.register(ImportedRecord)
class ImportedRecordAdmin(admin.ModelAdmin):
    list_display = ["source", "external_id", "ticket", "imported_at"]
    list_filter = ["source"]
    search_fields = ["external_id"]
    raw_id_fields = ["ticket"]
    list_select_related = ["ticket"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
