from django.contrib import admin

from tuki.reports.models import ReportMailing, SavedReport


@admin.register(SavedReport)
class SavedReportAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "owner",
        "indicator",
        "period",
        "shared",
        "schedule",
        "last_sent_period",
    )
    list_filter = ("shared", "schedule", "period")
    search_fields = ("name", "owner__email", "owner__full_name")
    raw_id_fields = ("owner",)
    filter_horizontal = ("recipients",)


@admin.register(ReportMailing)
class ReportMailingAdmin(admin.ModelAdmin):
    list_display = ("report", "recipient", "period_start", "period_end", "status", "sent_at")
    list_filter = ("status",)
    search_fields = ("report__name", "recipient__email")
    raw_id_fields = ("report", "recipient")
