"""Approvals in the data administration: read-only. Templates are edited on Tuki's own
pages (/approvals/templates/, which validate the steps); approvals and decisions change only
through services (decisions are an audit record)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tuki.approvals.models import Approval, ApprovalDecision, ApprovalStep, ApprovalTemplate


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApprovalTemplate)
class ApprovalTemplateAdmin(ReadOnly):
    list_display = ["name", "kinds", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]


class StepInline(admin.TabularInline):
    model = ApprovalStep
    fields = readonly_fields = ("position", "rule", "group", "state", "started_at", "decided_at")
    extra = 0
    can_delete = False


@admin.register(Approval)
class ApprovalAdmin(ReadOnly):
    list_display = ["ticket", "name", "state", "requested_by", "created_at", "decided_at"]
    list_filter = ["state"]
    list_select_related = ["ticket", "requested_by"]
    raw_id_fields = ["ticket"]
    inlines = [StepInline]


@admin.register(ApprovalDecision)
class ApprovalDecisionAdmin(ReadOnly):
    list_display = ["step", "approver", "decision", "via", "decided_at"]
    list_filter = ["decision", "via"]
    list_select_related = ["step__approval__ticket", "approver"]
