from django.contrib import admin

from tuki.availability.models import AvailabilityTarget, Outage, PublicService


@admin.register(Outage)
class OutageAdmin(admin.ModelAdmin):
    list_display = ("title", "service", "ci", "starts_at", "ends_at", "planned", "impact", "source")
    list_filter = ("planned", "impact", "source")
    search_fields = ("title", "service__name", "ci__name")
    raw_id_fields = ("service", "ci", "ticket", "declared_by", "ended_by")
    date_hierarchy = "starts_at"


@admin.register(AvailabilityTarget)
class AvailabilityTargetAdmin(admin.ModelAdmin):
    list_display = ("agreement", "service", "percent")
    list_select_related = ("agreement", "service")
    search_fields = ("agreement__name", "service__name")
    autocomplete_fields = ("agreement", "service")


@admin.register(PublicService)
class PublicServiceAdmin(admin.ModelAdmin):
    list_display = ("service", "is_public")
    list_filter = ("is_public",)
    autocomplete_fields = ("service",)
