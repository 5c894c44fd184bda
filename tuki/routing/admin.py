"""Django admin for routing data (Tuki's own pages at /routing/ are the usual way in)."""

from django.contrib import admin

from tuki.accounts.models import Absence
from tuki.routing.models import AssignmentCursor, RoutingRule


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = [
        "position",
        "name",
        "is_active",
        "kind",
        "category",
        "service",
        "organisation",
        "location",
        "group",
    ]
    list_display_links = ["name"]
    list_filter = ["is_active", "kind", "group"]
    list_select_related = ["category", "service", "organisation", "location", "group"]
    search_fields = ["name"]
    ordering = ["position", "id"]


@admin.register(Absence)
class AbsenceAdmin(admin.ModelAdmin):
    list_display = ["user", "starts_on", "ends_on", "note"]
    list_select_related = ["user"]
    search_fields = ["user__full_name", "user__email", "note"]
    date_hierarchy = "starts_on"
    raw_id_fields = ["user", "created_by"]


@admin.register(AssignmentCursor)
class AssignmentCursorAdmin(admin.ModelAdmin):
    list_display = ["group", "last_agent", "updated_at"]
    list_select_related = ["group", "last_agent"]
    readonly_fields = ["group", "last_agent", "updated_at"]
