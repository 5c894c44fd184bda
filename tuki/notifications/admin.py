from django.contrib import admin

from tuki.notifications.models import Notification, NotificationPreference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "ticket", "read_at"]
    list_filter = ["kind"]
    search_fields = ["recipient__email", "text"]
    raw_id_fields = ["recipient", "ticket", "actor"]
    date_hierarchy = "created_at"


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "in_app", "email"]
    list_filter = ["kind"]
    raw_id_fields = ["user"]
