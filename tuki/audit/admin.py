"""The audit trail in Django's admin: read only. Each audited model's "History" button in the
admin opens the audit page for that object."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from tuki.audit import registry
from tuki.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("created_at", "actor_label", "via", "action", "content_type", "object_repr")
    list_filter = ("action", "via", "content_type")
    search_fields = ("actor_label", "object_repr", "object_id")
    date_hierarchy = "created_at"
    list_select_related = ("content_type",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def link_admin_history(site: admin.AdminSite) -> None:
    """Point the admin's "History" of every audited model at the audit page (which also shows
    the changes made through Tuki's pages, the API and commands)."""
    for model, model_admin in site._registry.items():
        if registry.how_audited(model) is None:
            continue
        label = f"{model._meta.app_label}.{model._meta.model_name}"

        def history_view(
            request: HttpRequest,
            object_id: str,
            extra_context: dict[str, Any] | None = None,
            _label: str = label,
        ) -> HttpResponse:
            query = urlencode({"type": _label, "object": object_id})
            return HttpResponseRedirect(f"{reverse('audit:list')}?{query}")

        model_admin.history_view = history_view  # type: ignore[method-assign]  # per instance
