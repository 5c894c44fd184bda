"""Webhooks in the data administration: endpoints editable, deliveries read-only (a log)."""

from django.contrib import admin
from django.http import HttpRequest

from tuki.webhooks.models import Webhook, WebhookAttempt, WebhookDelivery


@admin.register(Webhook)
class WebhookAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("name", "url")
    exclude = ("secret",)  # shown and rotated on Tuki's own webhook page
    readonly_fields = ("created_at", "updated_at", "created_by")


class AttemptInline(admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    inlines = [AttemptInline]
    list_display = ("id", "webhook", "event", "state", "attempts", "response_status", "created_at")
    list_filter = ("state", "event", "webhook")
    raw_id_fields = ("ticket",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
