"""Capacity in the data administration: thresholds editable (Tuki's own page checks them
better), series read-only. Samples are not listed: millions of rows, read through the API."""

from django.contrib import admin
from django.http import HttpRequest

from tuki.capacity.models import Series, Threshold


@admin.register(Threshold)
class ThresholdAdmin(admin.ModelAdmin):
    list_display = ("metric", "ci", "ci_class", "warning", "critical", "direction", "is_active")
    list_filter = ("is_active", "direction", "ci_class")
    search_fields = ("metric", "ci__name")
    raw_id_fields = ("ci",)
    readonly_fields = ("created_by", "created_at")


@admin.register(Series)
class SeriesAdmin(admin.ModelAdmin):
    list_display = ("ci", "metric", "last_value", "unit", "state", "last_at", "next_breach_at")
    list_filter = ("state",)
    search_fields = ("metric", "ci__name")
    raw_id_fields = ("ci", "ticket", "threshold")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
