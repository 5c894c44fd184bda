from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from tuki.accounts.models import ApiToken, Location, Organisation, SupportGroup, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "organisation", "is_agent", "is_staff", "is_active"]
    list_filter = ["is_agent", "is_staff", "is_active", "organisation", "location"]
    search_fields = ["email", "full_name", "phone"]
    autocomplete_fields = ["organisation", "location", "manager"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Person"),
            {
                "fields": [
                    "full_name",
                    "phone",
                    "organisation",
                    "location",
                    "manager",
                    "language",
                    "time_zone",
                ]
            },
        ),
        (
            _("Access"),
            {
                "fields": [
                    "is_active",
                    "is_agent",
                    "sees_all_tickets",
                    "sees_organisation_tickets",
                    "is_staff",
                    "is_superuser",
                ]
            },
        ),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]}),
    ]
    filter_horizontal = []


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "domains", "is_active"]
    search_fields = ["name", "domains"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "time_zone"]
    search_fields = ["name"]


@admin.register(SupportGroup)
class SupportGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "location", "may_write_to_requesters", "is_active"]
    list_filter = ["tier", "location", "may_write_to_requesters"]
    search_fields = ["name"]
    filter_horizontal = ["members"]
    autocomplete_fields = ["manager", "location"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Administrators see and revoke (delete) anyone's tokens. Tokens are minted only by their
    owner (preferences page, /api/v1/me/tokens, `tuki api_token`), whose secret is shown once;
    nobody edits one here, so no token is given a longer life than the settings allow."""

    list_display = ["hint", "user", "name", "created_at", "last_used_at", "expires_at"]
    list_filter = ["expires_at"]
    fields = ["user", "name", "hint", "created_at", "last_used_at", "expires_at"]
    readonly_fields = ["user", "name", "hint", "created_at", "last_used_at", "expires_at"]
    search_fields = ["user__email", "name"]
    list_select_related = ["user"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
