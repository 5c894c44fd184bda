from django.contrib import admin

from tuki.assist.models import AssistModel, AssistSettings, Suggestion


@admin.register(AssistModel)
class AssistModelAdmin(admin.ModelAdmin[AssistModel]):
    list_display = ["kind", "trained_at", "samples"]
    exclude = ["blob"]
    readonly_fields = ["kind", "trained_at", "samples", "metrics", "signature"]


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin[Suggestion]):
    list_display = ["ticket", "kind", "value", "confidence", "outcome", "created_at"]
    list_filter = ["kind", "outcome"]
    raw_id_fields = ["ticket", "model", "decided_by"]


admin.site.register(AssistSettings)
