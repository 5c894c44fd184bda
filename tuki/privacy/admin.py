from django.contrib import admin
from django.http import HttpRequest

from tuki.privacy.models import Erasure


@admin.register(Erasure)
class ErasureAdmin(admin.ModelAdmin[Erasure]):
    """The record of erasures: read only (they are made on the personal data page)."""

    list_display = ["person", "erased_by", "erased_at"]
    raw_id_fields = ["person", "erased_by"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Erasure | None = None) -> bool:
        return False
