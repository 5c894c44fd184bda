"""Configuration for administrators: statuses and workflows, the priority matrix, categories.

Tickets themselves are changed only through the workspace (services), so they are read-only here.
"""

from django.contrib import admin

from tuki.tickets.models import Category, PriorityRule, Status, StatusTransition, Tag, Ticket


@admin.register(Status)
class StatusAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "category", "order"]
    list_editable = ["order"]


@admin.register(StatusTransition)
class StatusTransitionAdmin(admin.ModelAdmin):
    list_display = ["kind", "from_status", "to_status"]
    list_filter = ["kind", "from_status"]


@admin.register(PriorityRule)
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["impact", "urgency", "priority"]
    list_editable = ["priority"]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["path", "default_group", "is_active"]
    search_fields = ["path"]
    autocomplete_fields = ["parent", "default_group"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "title", "status", "priority", "group", "assignee"]
    list_filter = ["kind", "status", "priority"]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
