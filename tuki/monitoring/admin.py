from django.contrib import admin

from tuki.monitoring.models import Alert, AlertSource


@admin.register(AlertSource)
class AlertSourceAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "is_active", "group", "flap_changes", "flap_minutes")
    search_fields = ("name",)
    list_filter = ("is_active",)
    raw_id_fields = ("user", "group", "category")
    readonly_fields = ("hint", "last_used_at")


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin):
    list_display = ("name", "severity", "state", "ci", "count", "last_seen", "flapping")
    search_fields = ("name", "fingerprint", "ci_text")
    list_filter = ("state", "severity", "flapping")
    raw_id_fields = ("ci", "source", "group")
