"""Administration of services, agreements and policies; clocks read-only (the engine owns them)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuki.sla.models import (
    Agreement,
    OlaTarget,
    Service,
    SlaClock,
    SlaClockLog,
    SlaPolicy,
    SlaTarget,
    SlaTimer,
    validate_thresholds,
)
from tuki.tickets.models import Kind, Priority


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["categories"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "policy",
        "calendar",
        "valid_from",
        "valid_until",
        "target_percent",
    ]
    list_filter = ["is_active", "policy", "calendar"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    filter_horizontal = ["services"]


class SlaTargetInline(admin.TabularInline):
    model = SlaTarget
    extra = 0


class OlaTargetInline(admin.TabularInline):
    model = OlaTarget
    extra = 0


class PolicyForm(forms.ModelForm):
    """Kinds and priorities as check boxes; warnings as "75, 90"."""

    kinds = forms.MultipleChoiceField(
        label=_("kinds"),
        choices=Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only tickets of these kinds; none: every kind."),
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("priorities"),
        choices=Priority.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only tickets of these priorities; none: every priority."),
    )
    warning_thresholds = forms.CharField(
        label=_("warnings at (%)"),
        required=False,
        help_text=_("Percentages of the allowed time, e.g. 75, 90."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "description",
            "order",
            "is_active",
            "kinds",
            "priorities",
            "organisations",
            "agreements",
            "services",
            "categories",
            "calendar",
            "warning_thresholds",
            "pause_statuses",
        ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["warning_thresholds"] = ", ".join(
                str(v) for v in self.instance.warning_thresholds
            )

    def clean_warning_thresholds(self) -> list[int]:
        raw = self.cleaned_data.get("warning_thresholds") or ""
        try:
            values = [int(part) for part in raw.replace(";", ",").split(",") if part.strip()]
        except ValueError:
            raise forms.ValidationError(_("Enter whole percentages, e.g. 75, 90.")) from None
        validate_thresholds(values)
        return sorted(values)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = PolicyForm
    list_display = ["name", "order", "is_active", "calendar"]
    list_editable = ["order"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    filter_horizontal = ["organisations", "agreements", "services", "categories", "pause_statuses"]
    inlines = [SlaTargetInline, OlaTargetInline]


class SlaClockLogInline(admin.TabularInline):
    model = SlaClockLog
    extra = 0
    can_delete = False
    readonly_fields = ["at", "what", "why", "details", "old_deadline", "new_deadline"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class SlaTimerInline(admin.TabularInline):
    model = SlaTimer
    extra = 0
    can_delete = False
    readonly_fields = ["percent", "due_at", "planned_for", "fired_at"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SlaClock)
class SlaClockAdmin(admin.ModelAdmin):
    """Read-only: clocks change only through ticket events and the engine."""

    list_display = ["ticket", "metric", "group", "cycle", "state", "deadline", "policy"]
    list_filter = ["metric", "state", "policy", "calendar"]
    raw_id_fields = ["ticket"]
    search_fields = ["ticket__title"]
    inlines = [SlaTimerInline, SlaClockLogInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
